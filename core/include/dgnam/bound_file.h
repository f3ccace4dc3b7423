#pragma once
// The per-unit bound files of the paper's code (act_range/3x/fc6.txt): one line of
// space-separated numbers, one per code unit.
#include <filesystem>
#include <vector>

namespace dgnam {

// Throws dgnam::Error naming the file when it cannot be read, holds something that is not a
// finite number, or holds other than `expected_count` values (when expected_count > 0).
std::vector<float> read_bound_file(const std::filesystem::path& path, long expected_count = 0);

}  // namespace dgnam
