// `dgnam gallery merge`: the galleries of `synthesize --shard K/N` joined into one.
#include <cstdio>

#include "commands.h"
#include "dgnam/gallery_shards.h"

namespace dgnam::cli {
namespace {

struct MergeOptions {
    std::string out;
    std::vector<std::string> shards;
    bool force = false;
};

}  // namespace

Command add_gallery_command(CLI::App& app, const CommonOptions&) {
    auto* gallery = app.add_subcommand("gallery", "Galleries: join the shards of a large one");
    gallery->require_subcommand(1);
    auto* merge = gallery->add_subcommand(
        "merge", "Join the galleries of dgnam synthesize --shard 1/N ... N/N into one");
    auto o = std::make_shared<MergeOptions>();
    merge->add_option("--out", o->out, "Folder of the merged gallery")->required();
    merge->add_option("shards", o->shards, "The shard galleries' folders")->required();
    merge->add_flag("--force", o->force, "Replace a gallery already in --out");
    return [o] {
        std::vector<std::filesystem::path> folders(o->shards.begin(), o->shards.end());
        const auto items = merge_galleries(folders, o->out, o->force);
        std::printf("%zu shards merged: %zu units written to %s\n", folders.size(), items,
                    o->out.c_str());
        return 0;
    };
}

}  // namespace dgnam::cli
