// Shards of a gallery: the split is deterministic and complete, and merged shards equal the
// gallery of one run (end to end through the dgnam binary).
#include <gtest/gtest.h>

#include <fstream>

#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/gallery_shards.h"
#include "dgnam/png_io.h"
#include "test_paths.h"
#include "test_support.h"
#include "tiny_pack_cli.h"

namespace dgnam {
namespace {

TEST(GalleryShards, ParsesKOfN) {
    const Shard s = parse_shard("2/8");
    EXPECT_EQ(s.index, 2);
    EXPECT_EQ(s.count, 8);
    for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3"})
        EXPECT_THROW(parse_shard(bad), Error) << bad;
}

TEST(GalleryShards, PartsAreContiguousBalancedAndMakeTheWhole) {
    std::vector<std::int64_t> units;
    for (std::int64_t u = 100; u < 110; ++u)
        units.push_back(u);
    std::vector<std::int64_t> joined;
    for (int k = 1; k <= 3; ++k) {
        const auto part = shard_units(units, {k, 3});
        EXPECT_GE(part.size(), 3u);
        EXPECT_LE(part.size(), 4u);
        joined.insert(joined.end(), part.begin(), part.end());
    }
    EXPECT_EQ(joined, units);
    EXPECT_EQ(shard_units(units, {1, 1}), units);
    EXPECT_TRUE(shard_units({5}, {1, 2}).empty());
    EXPECT_EQ(shard_units({5}, {2, 2}), std::vector<std::int64_t>{5});
}

// Its own suite name, the tiny pack's command line.
class ShardedGallery : public test::TinyPackCli {};

TEST_F(ShardedGallery, MergedShardsEqualOneRun) {
    const std::string run = "synthesize --layer fc2 --units 0-4 --iterations 6 ";
    ASSERT_EQ(dgnam(run + "--out " + (folder / "whole").string()).exit_code, 0);
    std::string shards;
    for (int k = 1; k <= 3; ++k) {
        const auto out = folder / ("shard" + std::to_string(k));
        const auto r = dgnam(run + "--shard " + std::to_string(k) + "/3 --out " + out.string());
        ASSERT_EQ(r.exit_code, 0) << r.output;
        shards += " " + out.string();
    }
    // Any order of the folders.
    const auto merged = folder / "merged";
    const auto r =
        dgnam("gallery merge --out " + merged.string() + " " + (folder / "shard3").string() + " " +
              (folder / "shard1").string() + " " + (folder / "shard2").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("3 shards merged: 5 units"), std::string::npos) << r.output;

    const auto whole = read_gallery_index(folder / "whole" / "gallery.json");
    const auto joined = read_gallery_index(merged / "gallery.json");
    EXPECT_EQ(joined.model, whole.model);
    EXPECT_EQ(joined.params, whole.params);
    ASSERT_EQ(joined.items.size(), whole.items.size());
    for (std::size_t i = 0; i < whole.items.size(); ++i) {
        EXPECT_EQ(joined.items[i].unit, whole.items[i].unit);
        EXPECT_DOUBLE_EQ(joined.items[i].activation, whole.items[i].activation);
        EXPECT_EQ(read_png(merged / joined.files[i]), read_png(folder / "whole" / whole.files[i]))
            << "unit " << whole.items[i].unit;
    }
    EXPECT_TRUE(std::filesystem::exists(merged / "contact_sheet.png"));
    EXPECT_TRUE(std::filesystem::exists(merged / "index.html"));

    // What does not fit is refused, naming it; the merged gallery stays.
    auto merge = [&](const std::string& folders) {
        return dgnam("gallery merge --force --out " + merged.string() + folders);
    };
    const auto missing =
        merge(" " + (folder / "shard1").string() + " " + (folder / "shard2").string());
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.output.find("shard 3/3 is missing"), std::string::npos) << missing.output;
    const auto twice = merge(shards + " " + (folder / "shard2").string());
    EXPECT_NE(twice.output.find("is given twice"), std::string::npos) << twice.output;
    const auto not_a_shard = merge(" " + (folder / "whole").string());
    EXPECT_NE(not_a_shard.output.find("not a shard's gallery"), std::string::npos)
        << not_a_shard.output;
    const auto kept = dgnam("gallery merge --out " + merged.string() + shards);
    EXPECT_NE(kept.output.find("already holds a gallery"), std::string::npos) << kept.output;
    ASSERT_EQ(dgnam("synthesize --layer fc2 --units 0-4 --iterations 7 --shard 3/3 --force "
                    "--out " +
                    (folder / "shard3").string())
                  .exit_code,
              0);
    const auto mixed = merge(shards);
    EXPECT_NE(mixed.output.find("another model, parameters or shard count"), std::string::npos)
        << mixed.output;
    EXPECT_EQ(read_gallery_index(merged / "gallery.json").items.size(), 5u);

    // 5 units in 6 shards: the first has none, which is said before any step runs.
    const auto empty = dgnam(run + "--shard 1/6 --out " + (folder / "e").string());
    EXPECT_EQ(empty.exit_code, 1);
    EXPECT_NE(empty.output.find("use at most 5 shards"), std::string::npos) << empty.output;
}

}  // namespace
}  // namespace dgnam
