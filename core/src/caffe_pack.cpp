#include "dgnam/caffe_pack.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>

#include "dgnam/atomic_file.h"
#include "dgnam/bound_file.h"
#include "dgnam/caffe_net.h"
#include "dgnam/error.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace fs = std::filesystem;
namespace {

const LayerInfo* find_layer(const CaffeNet& net, const std::string& name) {
    for (const auto& l : net.layers())
        if (l.name == name)
            return &l;
    return nullptr;
}

// Copies (or links) `source` into the pack as `name` unless it is already that file.
void place(const fs::path& source, const fs::path& folder, const std::string& name, bool link) {
    const auto target = folder / name;
    std::error_code ec;
    if (fs::exists(target, ec) && fs::equivalent(source, target, ec))
        return;
    // Beside the target first, renamed into place: a full disk leaves the old file whole.
    const fs::path partial = target.string() + ".partial";
    fs::remove(partial, ec);
    if (link)
        fs::create_symlink(fs::absolute(source), partial, ec);
    else
        fs::copy_file(source, partial, fs::copy_options::overwrite_existing, ec);
    if (!ec)
        fs::rename(partial, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(partial, ignored);
        throw Error(target.string() + ": cannot " + (link ? "link" : "copy") + " " +
                    source.string() + " there (" + ec.message() + ")");
    }
}

}  // namespace

std::vector<std::string> read_label_lines(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        throw Error(path.string() + ": cannot open the labels file");
    static const std::regex wordnet_id("^n[0-9]{8} +");
    std::vector<std::string> labels;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            continue;
        labels.push_back(std::regex_replace(line, wordnet_id, ""));
    }
    if (labels.empty())
        throw Error(path.string() + ": holds no labels");
    return labels;
}

ModelPack create_caffe_pack(const CaffePackSources& sources, const fs::path& folder, bool force) {
    if (sources.classifiers.empty())
        throw Error("a pack needs at least one classifier (--classifier ID PROTOTXT CAFFEMODEL)");
    if (fs::exists(folder / "manifest.json") && !force)
        throw Error(folder.string() +
                    ": already holds a model pack; pass --force to replace it or choose "
                    "another folder");

    // Load everything first: a broken file stops here, before anything is written.
    const auto generator = CaffeNet::load(sources.generator_prototxt, sources.generator_caffemodel);
    if (generator.input_shape().size() != 1)
        throw Error(sources.generator_prototxt.string() + ": the generator's input blob \"" +
                    generator.input_blob() + "\" has shape [N, " +
                    shape_text(generator.input_shape()).substr(1) +
                    "; a generator takes a code vector [N, D]");
    const auto code_size = generator.input_shape()[0];
    const auto& image = generator.layers().back().shape;
    if (image.size() != 3 || image[0] != 3)
        throw Error(sources.generator_prototxt.string() + ": the generator's output \"" +
                    generator.layers().back().name + "\" has shape " + shape_text(image) +
                    "; expected a [3, H, W] image");
    read_bound_file(sources.upper_bounds, static_cast<long>(code_size));

    std::vector<std::string> labels;
    if (!sources.labels.empty())
        labels = read_label_lines(sources.labels);

    nlohmann::json classifiers = nlohmann::json::array();
    for (std::size_t i = 0; i < sources.classifiers.size(); ++i) {
        const auto& c = sources.classifiers[i];
        if (c.id.empty())
            throw Error("classifier " + std::to_string(i + 1) + " has no id");
        const auto net = CaffeNet::load(c.prototxt, c.caffemodel);
        const auto output = c.output_layer.empty() ? net.default_output_layer() : c.output_layer;
        const auto* out = find_layer(net, output);
        if (!out)
            throw Error(c.prototxt.string() + ": has no layer \"" + output + "\"");
        const auto& input = net.input_shape();
        if (input.size() != 3 || input[0] != 3 || input[1] > image[1] || input[2] > image[2])
            throw Error(c.prototxt.string() + ": takes input " + shape_text(input) +
                        ", which the generator's " + shape_text(image) +
                        " image cannot be cropped to");
        if (i == 0) {
            const auto* code = find_layer(net, sources.code_layer);
            if (!code)
                throw Error(c.prototxt.string() + ": has no code layer \"" + sources.code_layer +
                            "\" for the generator to invert");
            if (code->shape != std::vector<std::int64_t>{code_size})
                throw Error(c.prototxt.string() + ": its code layer \"" + sources.code_layer +
                            "\" has shape " + shape_text(code->shape) +
                            " but the generator takes a code of " + std::to_string(code_size));
        }
        nlohmann::json entry = {{"id", c.id},
                                {"name", net.name().empty() ? c.id : net.name()},
                                {"format", "caffe"},
                                {"prototxt", c.id + ".prototxt"},
                                {"caffemodel", c.id + ".caffemodel"},
                                {"output_layer", output}};
        if (!labels.empty()) {
            if (static_cast<std::int64_t>(labels.size()) != out->units())
                throw Error(sources.labels.string() + ": holds " + std::to_string(labels.size()) +
                            " labels but classifier \"" + c.id + "\"'s output layer \"" + output +
                            "\" has " + std::to_string(out->units()) + " units");
            entry["labels_file"] = "labels.txt";
        }
        classifiers.push_back(entry);
    }

    nlohmann::json manifest = {
        {"format", "dgnam-pack"},
        {"name", sources.name.empty() ? folder.filename().string() : sources.name},
        {"description", sources.description},
        {"classifiers", classifiers},
        {"generator",
         {{"format", "caffe"},
          {"prototxt", "generator.prototxt"},
          {"caffemodel", "generator.caffemodel"},
          {"classifier", sources.classifiers.front().id},
          {"code_layer", sources.code_layer},
          {"bounds",
           {{"lower", 0.0}, {"upper_file", "code_upper.txt"}, {"method", sources.bounds_method}}},
          // The paper saved its images this way: BGR -> RGB, [-120, 120] -> [0, 255], without
          // adding the mean back.
          {"display", {{"mode", "range"}, {"low", -120.0}, {"high", 120.0}}}}}};

    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
        throw Error(folder.string() + ": cannot create the pack folder (" + ec.message() + ")");
    place(sources.generator_prototxt, folder, "generator.prototxt", false);
    place(sources.generator_caffemodel, folder, "generator.caffemodel", sources.link);
    place(sources.upper_bounds, folder, "code_upper.txt", false);
    for (const auto& c : sources.classifiers) {
        place(c.prototxt, folder, c.id + ".prototxt", false);
        place(c.caffemodel, folder, c.id + ".caffemodel", sources.link);
    }
    if (!labels.empty()) {
        std::string text;
        for (const auto& l : labels)
            text += l + "\n";
        write_file_atomically(folder / "labels.txt", text);
    }
    // The manifest last: until it is in place, the folder is not a pack.
    write_file_atomically(folder / "manifest.json", manifest.dump(2) + "\n");
    return load_model_pack(folder);
}

}  // namespace dgnam
