#include "dgnam/gallery.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <unistd.h>

#include "dgnam/atomic_file.h"
#include "dgnam/error.h"
#include "dgnam/png_io.h"
#include "quoted_path.h"

namespace dgnam {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr const char* kIndexName = "gallery.json";
constexpr const char* kImagesFolder = "images";
constexpr const char* kContactSheetName = "contact_sheet.png";

std::string describe(const GalleryItem& item) {
    return "layer '" + item.layer + "' unit " + std::to_string(item.unit);
}

// ---------------------------------------------------------------------------------------------
// Checks done before anything is written, so that a refused export touches no file.

void check_not_overwriting(const fs::path& folder, bool overwrite) {
    std::error_code error;
    const bool exists = fs::exists(folder / kIndexName, error);
    if (error) {
        throw Error("Could not look into " + quoted(folder) + ": " + error.message() + ".");
    }
    if (exists && !overwrite) {
        throw Error(quoted(folder) +
                    " already holds a gallery (gallery.json); choose another folder, or pass "
                    "--force (overwrite) to replace it.");
    }
}

void check_items(const std::vector<GalleryItem>& items) {
    std::set<std::string> files;
    for (const GalleryItem& item : items) {
        const std::string file = gallery_file_name(item);
        if (!files.insert(file).second) {
            throw Error("Two items would both be saved as " + file + " (" + describe(item) +
                        "); export each unit once.");
        }
        // gallery.json has no way to store these, and its reader would reject them.
        if (!std::isfinite(item.activation)) {
            throw Error("The activation of " + describe(item) + " is not a finite number.");
        }
        if (item.probability && !std::isfinite(*item.probability)) {
            throw Error("The probability of " + describe(item) + " is not a finite number.");
        }
        if (item.iterations < 0) {
            throw Error("The iteration count of " + describe(item) + " is negative.");
        }
    }
}

json object_or_empty(const json& value, const char* what) {
    if (value.is_null()) {
        return json::object();
    }
    if (!value.is_object()) {
        throw Error(std::string("The gallery's ") + what + " must be a JSON object.");
    }
    return value;
}

// ---------------------------------------------------------------------------------------------
// Writing

void create_folder(const fs::path& folder) {
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) {
        throw Error("Could not create the folder " + quoted(folder) + ": " + error.message() +
                    "; choose a folder you can write to.");
    }
}

// The new gallery is written in full into a staging folder inside the target (same file system,
// so moving a file into place needs no space) and moved in only once every file is there: a full
// disk or any other failure while writing leaves the previous gallery as it was.
class StagingFolder {
  public:
    explicit StagingFolder(const fs::path& gallery)
        : path_(gallery /
                (".dgnam-export-" + std::to_string(::getpid()) + "-" +
                 std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())))) {
        std::error_code ignored;
        fs::remove_all(path_, ignored);  // left by an export that was killed
        create_folder(path_ / kImagesFolder);
    }
    ~StagingFolder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;

    const fs::path& path() const { return path_; }

    // Moves `relative` from the staging folder to the same place in `gallery`.
    void move_into(const fs::path& gallery, const std::string& relative) const {
        std::error_code error;
        fs::rename(path_ / relative, gallery / relative, error);
        if (error)
            throw Error("Could not move " + quoted(gallery / relative) +
                        " into place: " + error.message() + ".");
    }

  private:
    fs::path path_;
};

// An overwritten gallery stops looking complete until its new gallery.json lands, so an
// export interrupted while moving files cannot pass for a finished one with a mix of old and
// new images.
void remove_old_index(const fs::path& folder) {
    std::error_code error;
    fs::remove(folder / kIndexName, error);
    if (error) {
        throw Error("Could not replace " + quoted(folder / kIndexName) + ": " + error.message() +
                    ".");
    }
}

std::string dump_json(const ordered_json& value) {
    // Replacing invalid UTF-8 (from a label, say) keeps the export going with a readable file.
    return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

ordered_json index_json(const json& model, const json& params,
                        const std::vector<GalleryItem>& items) {
    ordered_json list = ordered_json::array();
    for (const GalleryItem& item : items) {
        ordered_json entry;
        entry["layer"] = item.layer;
        entry["unit"] = item.unit;
        entry["label"] = item.label ? ordered_json(*item.label) : ordered_json(nullptr);
        entry["file"] = gallery_file_name(item);
        entry["activation"] = item.activation;
        entry["probability"] =
            item.probability ? ordered_json(*item.probability) : ordered_json(nullptr);
        entry["seed"] = item.seed;
        entry["iterations"] = item.iterations;
        list.push_back(std::move(entry));
    }
    ordered_json index;
    index["model"] = ordered_json(model);
    index["params"] = ordered_json(params);
    index["items"] = std::move(list);
    return index;
}

std::string html_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
    return buffer;
}

std::string json_as_text(const json& value) {
    return value.is_string() ? value.get<std::string>()
                             : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string page_title(const json& model) {
    const auto name = model.find("name");
    if (name != model.end() && name->is_string()) {
        return "DGN-AM gallery: " + name->get<std::string>();
    }
    return "DGN-AM gallery";
}

constexpr const char* kStyle = R"(body { font-family: system-ui, sans-serif; margin: 1.5rem;
  background: #fafafa; color: #222; }
table.params { border-collapse: collapse; margin: 0 0 1.5rem; font-size: 0.9rem; }
table.params th, table.params td { border: 1px solid #ccc; padding: 0.2rem 0.6rem;
  text-align: left; vertical-align: top; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
  gap: 1rem; }
figure { margin: 0; padding: 0.5rem; background: #fff; border: 1px solid #ddd; }
figure img { display: block; width: 100%; height: auto; image-rendering: crisp-edges;
  image-rendering: pixelated; }
figcaption { margin-top: 0.4rem; font-size: 0.85rem; line-height: 1.35; }
.label { font-weight: 600; }
)";

std::string params_table(const json& params) {
    if (params.empty()) {
        return "";
    }
    std::string html = "<table class=\"params\">\n";
    for (const auto& [key, value] : params.items()) {
        html += "<tr><th>" + html_escape(key) + "</th><td>" + html_escape(json_as_text(value)) +
                "</td></tr>\n";
    }
    return html + "</table>\n";
}

std::string figure(const GalleryItem& item) {
    const std::string file = html_escape(gallery_file_name(item));
    const std::string label = item.label ? html_escape(*item.label) : "(no label)";
    std::string html = "<figure><img src=\"" + file + "\" alt=\"" + html_escape(item.layer) +
                       " unit " + std::to_string(item.unit) + "\" loading=\"lazy\">";
    html += "<figcaption>" + html_escape(item.layer) + " unit " + std::to_string(item.unit) +
            "<br><span class=\"label\">" + label + "</span><br>activation " +
            format_number(item.activation);
    if (item.probability) {
        html += ", probability " + format_number(*item.probability);
    }
    return html + "</figcaption></figure>\n";
}

std::string index_html(const json& model, const json& params,
                       const std::vector<GalleryItem>& items) {
    const std::string title = html_escape(page_title(model));
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
        title + "</title>\n<style>\n" + kStyle + "</style>\n</head>\n<body>\n<h1>" + title +
        "</h1>\n" + params_table(params);
    if (items.empty()) {
        html += "<p>This gallery has no images.</p>\n";
    } else {
        html += std::string("<p><a href=\"") + kContactSheetName + "\">Contact sheet</a></p>\n";
    }
    html += "<div class=\"grid\">\n";
    for (const GalleryItem& item : items) {
        html += figure(item);
    }
    return html + "</div>\n</body>\n</html>\n";
}

// ---------------------------------------------------------------------------------------------
// Reading gallery.json

class IndexReader {
  public:
    explicit IndexReader(fs::path path) : path_(std::move(path)) {}

    GalleryIndex read() {
        const json root = parse();
        if (!root.is_object()) {
            fail("the top level", "must be an object");
        }
        GalleryIndex index;
        index.model = require(root, "model", "", &json::is_object, "an object");
        index.params = require(root, "params", "", &json::is_object, "an object");
        const json& items = require(root, "items", "", &json::is_array, "an array");
        for (std::size_t i = 0; i < items.size(); ++i) {
            read_item(items[i], "items[" + std::to_string(i) + "]", index);
        }
        return index;
    }

  private:
    using Predicate = bool (json::*)() const noexcept;

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
        throw Error(quoted(path_) + " is not a valid gallery index: " + field + " " + problem +
                    ".");
    }

    json parse() const {
        std::ifstream in(path_, std::ios::binary);
        if (!in) {
            throw Error("Could not open " + quoted(path_) +
                        "; check that the gallery folder holds "
                        "a gallery.json.");
        }
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        if (in.bad()) {
            throw Error("Could not read " + quoted(path_) + ".");
        }
        try {
            return json::parse(text);
        } catch (const json::exception& e) {
            throw Error(quoted(path_) + " is not valid JSON: " + e.what());
        }
    }

    const json& require(const json& object, const char* key, const std::string& prefix,
                        Predicate check, const char* kind) const {
        const std::string field = prefix.empty() ? key : prefix + "." + key;
        const auto it = object.find(key);
        if (it == object.end()) {
            fail(field, "is missing");
        }
        if (!((*it).*check)()) {
            fail(field, std::string("must be ") + kind);
        }
        return *it;
    }

    template <typename Int>
    Int integer(const json& value, const std::string& field) const {
        if (value.is_number_unsigned()) {
            const auto v = value.get<std::uint64_t>();
            if (v <= static_cast<std::uint64_t>(std::numeric_limits<Int>::max())) {
                return static_cast<Int>(v);
            }
        } else if (value.is_number_integer()) {
            const auto v = value.get<std::int64_t>();
            if (v >= static_cast<std::int64_t>(std::numeric_limits<Int>::min()) &&
                v <= static_cast<std::int64_t>(std::numeric_limits<Int>::max())) {
                return static_cast<Int>(v);
            }
        }
        fail(field, "must be an integer in range");
    }

    std::string relative_file(const json& value, const std::string& field) const {
        const std::string file = value.get<std::string>();
        const fs::path path(file);
        if (file.empty() || file.find('\0') != std::string::npos || path.is_absolute() ||
            path.has_root_path()) {
            fail(field, "must be a relative path inside the gallery folder");
        }
        for (const fs::path& part : path) {
            if (part == "..") {
                fail(field, "must not contain \"..\"");
            }
        }
        return file;
    }

    void read_item(const json& entry, const std::string& prefix, GalleryIndex& index) const {
        if (!entry.is_object()) {
            fail(prefix, "must be an object");
        }
        GalleryItem item;
        item.layer =
            require(entry, "layer", prefix, &json::is_string, "a string").get<std::string>();
        item.unit = integer<std::int64_t>(
            require(entry, "unit", prefix, &json::is_number_integer, "an integer"),
            prefix + ".unit");
        const json& label =
            require(entry, "label", prefix, &json::is_primitive, "a string or null");
        if (label.is_string()) {
            item.label = label.get<std::string>();
        } else if (!label.is_null()) {
            fail(prefix + ".label", "must be a string or null");
        }
        const std::string file = relative_file(
            require(entry, "file", prefix, &json::is_string, "a string"), prefix + ".file");
        item.activation =
            require(entry, "activation", prefix, &json::is_number, "a number").get<double>();
        const json& probability =
            require(entry, "probability", prefix, &json::is_primitive, "a number or null");
        if (probability.is_number()) {
            item.probability = probability.get<double>();
        } else if (!probability.is_null()) {
            fail(prefix + ".probability", "must be a number or null");
        }
        item.seed =
            require(entry, "seed", prefix, &json::is_number_unsigned, "a non-negative integer")
                .get<std::uint64_t>();
        const int iterations = integer<int>(
            require(entry, "iterations", prefix, &json::is_number_integer, "an integer"),
            prefix + ".iterations");
        if (iterations < 0) {
            fail(prefix + ".iterations", "must not be negative");
        }
        item.iterations = iterations;
        index.items.push_back(std::move(item));
        index.files.push_back(file);
    }

    fs::path path_;
};

}  // namespace

std::string gallery_file_name(const GalleryItem& item) {
    std::string layer = item.layer;
    for (char& c : layer) {
        const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!keep) {
            c = '_';
        }
    }
    return std::string(kImagesFolder) + "/" + layer + "_" + std::to_string(item.unit) + ".png";
}

void write_gallery(const std::filesystem::path& folder, const nlohmann::json& model,
                   const nlohmann::json& params, const std::vector<GalleryItem>& items,
                   const GalleryOptions& options) {
    check_not_overwriting(folder, options.overwrite);
    json model_object;
    json params_object;
    Image8 sheet;
    try {
        check_items(items);
        model_object = object_or_empty(model, "model");
        params_object = object_or_empty(params, "params");
        // Rendered up front: it checks every image before the first file is touched.
        sheet = make_contact_sheet(items, options.contact_sheet_columns);
    } catch (const Error& e) {
        throw Error("Could not export a gallery to " + quoted(folder) + ": " + e.what());
    }

    create_folder(folder / kImagesFolder);
    std::optional<StagingFolder> staging;
    std::vector<std::string> files;  // relative to the gallery folder, gallery.json last
    try {
        staging.emplace(folder);
        for (const GalleryItem& item : items) {
            files.push_back(gallery_file_name(item));
            write_png(staging->path() / files.back(), item.image);
        }
        if (!sheet.empty()) {
            files.push_back(kContactSheetName);
            write_png(staging->path() / kContactSheetName, sheet);
        }
        files.push_back("index.html");
        write_file_atomically(staging->path() / "index.html",
                              index_html(model_object, params_object, items));
        files.push_back(kIndexName);
        write_file_atomically(staging->path() / kIndexName,
                              dump_json(index_json(model_object, params_object, items)));
    } catch (const Error& e) {
        throw Error("Could not export the gallery to " + quoted(folder) + ": " + e.what() +
                    " Nothing in " + quoted(folder) + " was changed.");
    }

    remove_old_index(folder);
    for (const std::string& file : files)
        staging->move_into(folder, file);
}

GalleryIndex read_gallery_index(const std::filesystem::path& gallery_json) {
    return IndexReader(gallery_json).read();
}

}  // namespace dgnam
