#include "dgnam/gallery_shards.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/png_io.h"

namespace dgnam {

Shard parse_shard(const std::string& text) {
    static const std::regex pattern(R"(\s*(\d{1,6})\s*/\s*(\d{1,6})\s*)");
    std::smatch m;
    if (!std::regex_match(text, m, pattern))
        throw Error("--shard \"" + text + "\" is not K/N (for example 2/8)");
    Shard s{std::stoi(m[1]), std::stoi(m[2])};
    if (s.count < 1 || s.count > 100000 || s.index < 1 || s.index > s.count)
        throw Error("--shard \"" + text + "\": K must be 1 to N, and N 1 to 100000");
    return s;
}

std::vector<std::int64_t> shard_units(const std::vector<std::int64_t>& units, const Shard& shard) {
    const auto total = static_cast<std::int64_t>(units.size());
    const std::int64_t begin = total * (shard.index - 1) / shard.count;
    const std::int64_t end = total * shard.index / shard.count;
    return {units.begin() + begin, units.begin() + end};
}

std::size_t merge_galleries(const std::vector<std::filesystem::path>& folders,
                            const std::filesystem::path& out, bool overwrite) {
    if (folders.empty())
        throw Error("gallery merge: no shard folders given");
    struct Part {
        std::filesystem::path folder;
        GalleryIndex index;
    };
    std::map<int, Part> parts;  // by shard index
    nlohmann::json model, params;
    int count = 0;
    for (const auto& folder : folders) {
        GalleryIndex index = read_gallery_index(folder / "gallery.json");
        const auto& shard = index.params.value("shard", nlohmann::json());
        if (!shard.is_object() || !shard.value("index", nlohmann::json()).is_number_integer() ||
            !shard.value("count", nlohmann::json()).is_number_integer())
            throw Error(folder.string() +
                        ": not a shard's gallery (its gallery.json has no \"shard\" in \"params\"; "
                        "make shards with dgnam synthesize --shard K/N)");
        const int k = shard["index"], n = shard["count"];
        // Shards may run on different devices of a cluster; the rest must be the same.
        nlohmann::json shared_params = index.params;
        shared_params.erase("shard");
        shared_params.erase("device");
        if (parts.empty()) {
            model = index.model;
            params = shared_params;
            count = n;
        } else if (index.model != model || shared_params != params || n != count) {
            throw Error(folder.string() + ": shard " + std::to_string(k) + "/" + std::to_string(n) +
                        " was made with another model, parameters or shard "
                        "count than " +
                        parts.begin()->second.folder.string());
        }
        if (!parts.emplace(k, Part{folder, std::move(index)}).second)
            throw Error(folder.string() + ": shard " + std::to_string(k) + "/" + std::to_string(n) +
                        " is given twice (also " + parts.at(k).folder.string() + ")");
    }
    for (int k = 1; k <= count; ++k)
        if (!parts.count(k))
            throw Error("gallery merge: shard " + std::to_string(k) + "/" + std::to_string(count) +
                        " is missing; give all " + std::to_string(count) + " shard folders");

    params["device"] = parts.begin()->second.index.params.value("device", "");
    std::vector<GalleryItem> items;
    std::set<std::pair<std::string, std::int64_t>> seen;
    for (auto& [k, part] : parts)
        for (std::size_t i = 0; i < part.index.items.size(); ++i) {
            GalleryItem item = part.index.items[i];
            if (!seen.emplace(item.layer, item.unit).second)
                throw Error(part.folder.string() + ": unit " + std::to_string(item.unit) +
                            " of layer " + item.layer + " is also in another shard");
            item.image = read_png(part.folder / part.index.files[i]);
            items.push_back(std::move(item));
        }
    write_gallery(out, model, params, items, {overwrite, 10});
    return items.size();
}

}  // namespace dgnam
