#pragma once
// Export of a set of preferred images: one PNG per unit, a labelled contact sheet, gallery.json
// and an index.html that shows the gallery in a browser with no network.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dgnam/image.h"

namespace dgnam {

struct GalleryItem {
    std::string layer;
    std::int64_t unit = 0;
    std::optional<std::string> label;
    Image8 image;
    double activation = 0.0;
    std::optional<double> probability;
    std::uint64_t seed = 0;
    int iterations = 0;
};

struct GalleryOptions {
    // Without it, a folder that already holds a gallery.json is left untouched and an Error says
    // so.
    bool overwrite = false;
    int contact_sheet_columns = 10;
};

// The file name used for an item, relative to the gallery folder ("images/<layer>_<unit>.png",
// with characters outside [A-Za-z0-9_.-] in the layer name replaced by '_').
std::string gallery_file_name(const GalleryItem& item);

// Renders every item's image at `cell` x `cell` pixels (nearest-neighbour), in a grid of
// `columns` with a caption "<unit> <label>" under each.
Image8 make_contact_sheet(const std::vector<GalleryItem>& items, int columns, int cell = 96);

// Writes images/*.png, contact_sheet.png, gallery.json, index.html into `folder` (created if
// missing). gallery.json: {"model": model, "params": params, "items": [{"layer", "unit",
// "label" (string or null), "file", "activation", "probability" (number or null), "seed",
// "iterations"}]}. Every file is written atomically. Throws dgnam::Error naming the folder or
// file on failure; files already there stay intact.
void write_gallery(const std::filesystem::path& folder, const nlohmann::json& model,
                   const nlohmann::json& params, const std::vector<GalleryItem>& items,
                   const GalleryOptions& options = {});

// Reads gallery.json back (for merging and re-opening); validates the schema and throws
// dgnam::Error naming the file and the field that is wrong. Images are not loaded.
struct GalleryIndex {
    nlohmann::json model;
    nlohmann::json params;
    std::vector<GalleryItem> items;  // image left empty
    std::vector<std::string> files;  // per item, relative to the folder
};
GalleryIndex read_gallery_index(const std::filesystem::path& gallery_json);

}  // namespace dgnam
