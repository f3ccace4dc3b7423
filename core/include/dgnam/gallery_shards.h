#pragma once
// Whole-network galleries outgrow one machine: `dgnam synthesize --shard K/N` makes the K-th of
// N deterministic parts of a unit selection, and merge_galleries joins the N galleries into the
// one a single machine would have written.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dgnam {

struct Shard {
    int index = 1;  // 1 to count, as a Slurm job array's task ids 1-N
    int count = 1;
};

// "K/N" with 1 <= K <= N <= 100000. Throws dgnam::Error quoting the text.
Shard parse_shard(const std::string& text);

// The shard's part of `units`: contiguous, in order, sizes differing by at most one, so that
// each part batches like the whole and the parts in index order are the whole.
std::vector<std::int64_t> shard_units(const std::vector<std::int64_t>& units, const Shard& shard);

// Joins the galleries of shards 1..N (in any order of `folders`) into `out`: the same model and
// parameters (shard aside) in every one, each index exactly once, no unit twice. Writes images,
// contact sheet, gallery.json and index.html as write_gallery does; an existing gallery in `out`
// is replaced only with `overwrite`. Returns the number of items. Throws dgnam::Error naming the
// folder and what does not fit.
std::size_t merge_galleries(const std::vector<std::filesystem::path>& folders,
                            const std::filesystem::path& out, bool overwrite);

}  // namespace dgnam
