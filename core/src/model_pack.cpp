#include "dgnam/model_pack.h"

#include <ATen/ATen.h>

#include <cstdlib>
#include <fstream>

#include "dgnam/bound_file.h"
#include "dgnam/build_config.h"
#include "dgnam/caffe_net.h"
#include "dgnam/error.h"
#include "dgnam/network_models.h"
#include "dgnam/safetensors.h"
#include "dgnam/torchscript_net.h"
#include "dgnam/upconv_gan.h"

namespace dgnam {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "manifest.json";

// Reads fields of one manifest object with messages naming the manifest and the object.
struct ManifestObject {
    const nlohmann::json& j;
    std::string where;

    [[noreturn]] void fail(const std::string& what) const { throw Error(where + ": " + what); }

    const nlohmann::json& at(const char* key) const {
        if (!j.contains(key))
            fail(std::string("missing field \"") + key + "\"");
        return j.at(key);
    }
    std::string text(const char* key) const {
        const auto& v = at(key);
        if (!v.is_string())
            fail(std::string("\"") + key + "\" must be a string");
        return v.get<std::string>();
    }
    std::string text_or(const char* key, const std::string& fallback) const {
        return j.contains(key) ? text(key) : fallback;
    }
    std::vector<std::int64_t> shape(const char* key) const {
        const auto& v = at(key);
        if (!v.is_array() || v.empty() || v.size() > 3)
            fail(std::string("\"") + key + "\" must be a shape like [C, H, W]");
        std::vector<std::int64_t> out;
        for (const auto& d : v) {
            if (!d.is_number_integer() || d.get<std::int64_t>() < 1 ||
                d.get<std::int64_t>() > 65536)
                fail(std::string("\"") + key + "\" holds a dimension that is not 1 to 65536");
            out.push_back(d.get<std::int64_t>());
        }
        return out;
    }
    // A file named by the manifest, kept inside the pack's folder.
    fs::path file(const fs::path& folder, const char* key) const {
        const fs::path name = text(key);
        if (name.is_absolute() || name.empty())
            fail(std::string("\"") + key + "\" must be a file name relative to the pack folder");
        for (const auto& part : name)
            if (part == "..")
                fail(std::string("\"") + key + "\" must not leave the pack folder");
        return folder / name;
    }
};

ImageSpec read_image_spec(const ManifestObject& owner, const char* key) {
    ManifestObject spec{owner.at(key), owner.where + " " + key};
    if (!spec.j.is_object())
        spec.fail("must be an object");
    ImageSpec out;
    out.shape = spec.shape("shape");
    if (out.shape.size() != 3)
        spec.fail("\"shape\" must be [C, H, W]");
    out.space = PixelSpace::from_json(spec.at("space"), spec.where);
    if (out.space.channels != out.shape[0])
        spec.fail("the shape has " + std::to_string(out.shape[0]) + " channels but the space " +
                  std::to_string(out.space.channels));
    return out;
}

std::vector<std::string> read_labels(const ManifestObject& c, const fs::path& folder) {
    std::vector<std::string> labels;
    if (c.j.contains("labels")) {
        const auto& a = c.at("labels");
        if (!a.is_array())
            c.fail("\"labels\" must be an array of strings");
        for (const auto& l : a) {
            if (!l.is_string())
                c.fail("\"labels\" must be an array of strings");
            labels.push_back(l.get<std::string>());
        }
    } else if (c.j.contains("labels_file")) {
        const auto path = c.file(folder, "labels_file");
        std::ifstream in(path);
        if (!in)
            throw Error(path.string() + ": cannot open the labels file");
        for (std::string line; std::getline(in, line);)
            if (!line.empty())
                labels.push_back(line);
    }
    return labels;
}

// "format": "dgnam-layers" (the default: a JSON layer list with safetensors weights) or "caffe"
// (a deploy .prototxt and its .caffemodel).
std::string source_format(const ManifestObject& o, PackTrust trust) {
    const auto format = o.text_or("format", "dgnam-layers");
    if (format != "dgnam-layers" && format != "caffe" && format != "torchscript" &&
        format != "upconvgan-fc6")
        o.fail("\"format\" is \"" + format +
               "\"; expected \"dgnam-layers\", \"caffe\", \"torchscript\" or "
               "\"upconvgan-fc6\" (generators)");
    if (format == "torchscript" && trust != PackTrust::AllowTorchScript)
        o.fail(
            "is a TorchScript model, which runs code from its file when loaded; open the pack "
            "with --allow-torchscript (dgnam, dgnam-live) or accept the studio's question, only "
            "if you trust where it came from");
    return format;
}

// A TorchScript entry needs its image description: the file does not record its input.
std::unique_ptr<TorchScriptNet> load_torchscript_net(const ManifestObject& o,
                                                     const fs::path& folder,
                                                     std::vector<std::int64_t> input_shape) {
    return std::make_unique<TorchScriptNet>(
        TorchScriptNet::load(o.file(folder, "file"), std::move(input_shape)));
}

std::unique_ptr<CaffeNet> load_caffe_net(const ManifestObject& o, const fs::path& folder) {
    return std::make_unique<CaffeNet>(
        CaffeNet::load(o.file(folder, "prototxt"), o.file(folder, "caffemodel")));
}

// The image a Caffe network takes: the manifest's description, or its input blob's shape in the
// paper's space (BGR, 0-255, ImageNet mean subtracted).
ImageSpec caffe_image_spec(const ManifestObject& o, const char* key,
                           const std::vector<std::int64_t>& shape) {
    if (o.j.contains(key))
        return read_image_spec(o, key);
    if (shape.size() != 3 || (shape[0] != 3 && shape[0] != 1))
        o.fail(std::string("needs \"") + key + "\": the network's blob is not a [3, H, W] image");
    ImageSpec spec{shape, PixelSpace::caffe_imagenet()};
    if (shape[0] == 1) {
        spec.space.channels = 1;
        spec.space.mean = {117.0};
        spec.space.stddev = {1.0};
    }
    return spec;
}

std::unique_ptr<Classifier> load_classifier(const ManifestObject& c, const fs::path& folder,
                                            PackTrust trust) {
    if (!c.j.is_object())
        c.fail("must be an object");
    const auto id = c.text("id");
    const auto format = source_format(c, trust);
    if (format == "torchscript") {
        ImageSpec input = read_image_spec(c, "input");
        auto net = load_torchscript_net(c, folder, input.shape);
        const auto output_layer = c.text_or("output_layer", net->layers().back().name);
        return std::make_unique<NetworkClassifier>(id, c.text_or("name", id), std::move(net),
                                                   std::move(input), output_layer,
                                                   read_labels(c, folder));
    }
    if (format == "caffe") {
        auto net = load_caffe_net(c, folder);
        ImageSpec input = caffe_image_spec(c, "input", net->input_shape());
        if (input.shape != net->input_shape())
            c.fail("\"input\" declares a different shape than the network's input blob");
        const auto output_layer = c.text_or("output_layer", net->default_output_layer());
        return std::make_unique<NetworkClassifier>(id, c.text_or("name", id), std::move(net),
                                                   std::move(input), output_layer,
                                                   read_labels(c, folder));
    }
    const auto weights_path = c.file(folder, "weights");
    ImageSpec input = read_image_spec(c, "input");
    auto weights = read_safetensors(weights_path).tensors;
    SequentialNet net(c.at("layers"), input.shape, weights, weights_path.string());
    const auto output_layer = c.text_or("output_layer", net.layers().back().name);
    return std::make_unique<NetworkClassifier>(id, c.text_or("name", id), std::move(net),
                                               std::move(input), output_layer,
                                               read_labels(c, folder));
}

at::Tensor read_bound(const ManifestObject& b, const fs::path& folder, const char* key,
                      const char* file_key, std::int64_t size, double fallback) {
    if (b.j.contains(file_key)) {
        auto values = read_bound_file(b.file(folder, file_key), static_cast<long>(size));
        return at::tensor(values);
    }
    if (!b.j.contains(key))
        return at::full({size}, fallback);
    const auto& v = b.j.at(key);
    if (v.is_number())
        return at::full({size}, v.get<double>());
    if (v.is_array() && static_cast<std::int64_t>(v.size()) == size) {
        std::vector<float> values;
        for (const auto& x : v) {
            if (!x.is_number())
                b.fail(std::string("\"") + key + "\" holds a non-number");
            values.push_back(x.get<float>());
        }
        return at::tensor(values);
    }
    b.fail(std::string("\"") + key + "\" must be a number or " + std::to_string(size) + " numbers");
}

std::int64_t read_code_size(const ManifestObject& g) {
    const auto& code_size = g.at("code_size");
    if (!code_size.is_number_integer() || code_size.get<std::int64_t>() < 1 ||
        code_size.get<std::int64_t>() > (1 << 20))
        g.fail("\"code_size\" must be an integer from 1 to 1048576");
    return code_size.get<std::int64_t>();
}

CodeBounds read_bounds(const ManifestObject& g, const fs::path& folder, std::int64_t d) {
    ManifestObject b{g.at("bounds"), g.where + " bounds"};
    if (!b.j.is_object())
        b.fail("must be an object");
    CodeBounds bounds;
    bounds.lower = read_bound(b, folder, "lower", "lower_file", d, 0.0);
    bounds.upper = read_bound(b, folder, "upper", "upper_file", d, 0.0);
    bounds.method = b.text_or("method", "");
    return bounds;
}

std::unique_ptr<Generator> load_generator(const ManifestObject& g, const fs::path& folder,
                                          PackTrust trust) {
    if (!g.j.is_object())
        g.fail("must be an object");
    const auto format = source_format(g, trust);
    if (format == "upconvgan-fc6")
        return load_upconv_gan_fc6(g.file(folder, "file"), read_bounds(g, folder, 4096));
    if (format == "torchscript") {
        const auto d = read_code_size(g);
        ImageSpec output = read_image_spec(g, "output");
        auto net = load_torchscript_net(g, folder, {d});
        return std::make_unique<NetworkGenerator>(std::move(net), std::move(output),
                                                  read_bounds(g, folder, d));
    }
    if (format == "caffe") {
        auto net = load_caffe_net(g, folder);
        if (net->input_shape().size() != 1)
            g.fail("the generator's input blob must be a code vector [N, D]");
        const auto d = net->input_shape()[0];
        ImageSpec output = caffe_image_spec(g, "output", net->layers().back().shape);
        auto bounds = read_bounds(g, folder, d);
        return std::make_unique<NetworkGenerator>(std::move(net), std::move(output),
                                                  std::move(bounds));
    }
    const auto weights_path = g.file(folder, "weights");
    const auto d = read_code_size(g);
    ImageSpec output = read_image_spec(g, "output");
    auto weights = read_safetensors(weights_path).tensors;
    SequentialNet net(g.at("layers"), {d}, weights, weights_path.string());
    return std::make_unique<NetworkGenerator>(std::move(net), std::move(output),
                                              read_bounds(g, folder, d));
}

// The manifest as JSON, with its top level checked.
nlohmann::json read_manifest(const fs::path& manifest_path) {
    std::ifstream in(manifest_path);
    if (!in)
        throw Error(manifest_path.string() +
                    ": cannot open the pack's manifest; is this a model pack folder?");
    nlohmann::json manifest;
    try {
        manifest = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(manifest_path.string() + ": not valid JSON (" + e.what() + ")");
    }
    ManifestObject root{manifest, manifest_path.string()};
    if (!manifest.is_object())
        root.fail("must hold a JSON object");
    if (root.text_or("format", "") != "dgnam-pack")
        root.fail("\"format\" must be \"dgnam-pack\"");
    return manifest;
}

}  // namespace

Classifier& ModelPack::classifier(const std::string& id) const {
    if (classifiers.empty())
        throw Error("model pack \"" + name + "\" has no classifier");
    if (id.empty())
        return *classifiers.front();
    for (const auto& c : classifiers)
        if (c->id() == id)
            return *c;
    std::string known;
    for (const auto& c : classifiers)
        known += (known.empty() ? "" : ", ") + c->id();
    throw Error("model pack \"" + name + "\" has no classifier \"" + id + "\"; it has: " + known);
}

nlohmann::json ModelPack::summary() const {
    nlohmann::json classifier_ids = nlohmann::json::array();
    for (const auto& c : classifiers)
        classifier_ids.push_back(c->id());
    return {{"pack", name},
            {"folder", folder.string()},
            {"classifiers", classifier_ids},
            {"generator", generator ? nlohmann::json(generator_classifier + ":" + code_layer)
                                    : nlohmann::json(nullptr)}};
}

void ModelPack::to(const at::Device& device) {
    for (auto& c : classifiers)
        c->to(device);
    if (generator)
        generator->to(device);
}

void ModelPack::set_execution_mode(const ExecutionMode& mode) {
    for (auto& c : classifiers)
        c->set_execution_mode(mode);
    if (generator)
        generator->set_execution_mode(mode);
}

ModelPack load_model_pack(const fs::path& folder, PackTrust trust) {
    const fs::path manifest_path = folder / kManifest;
    const nlohmann::json manifest = read_manifest(manifest_path);
    ManifestObject root{manifest, manifest_path.string()};
    ModelPack pack;
    pack.folder = folder;
    pack.name = root.text_or("name", folder.filename().string());
    pack.description = root.text_or("description", "");
    const auto& classifiers = root.at("classifiers");
    if (!classifiers.is_array() || classifiers.empty())
        root.fail("\"classifiers\" must be a non-empty array");
    for (std::size_t i = 0; i < classifiers.size(); ++i)
        pack.classifiers.push_back(load_classifier(
            {classifiers[i], manifest_path.string() + " classifier " + std::to_string(i)}, folder,
            trust));
    if (manifest.contains("generator") && !manifest["generator"].is_null()) {
        ManifestObject g{manifest["generator"], manifest_path.string() + " generator"};
        pack.generator = load_generator(g, folder, trust);
        pack.generator_classifier = g.text_or("classifier", pack.classifiers.front()->id());
        pack.code_layer = g.text_or("code_layer", "");
        pack.display = DisplayMapping::from_json(g.j.value("display", nlohmann::json()), g.where);
        pack.classifier(pack.generator_classifier);  // must exist
    }
    pack.realism_judge = root.text_or("realism_judge", "");
    if (!pack.realism_judge.empty())
        pack.classifier(pack.realism_judge);  // must exist
    return pack;
}

std::vector<fs::path> pack_code_files(const fs::path& folder) {
    const fs::path manifest_path = folder / kManifest;
    const nlohmann::json manifest = read_manifest(manifest_path);
    std::vector<fs::path> files;
    auto note = [&](const nlohmann::json& entry, const std::string& where) {
        if (!entry.is_object())
            return;  // load_model_pack reports it
        const ManifestObject o{entry, where};
        if (o.text_or("format", "") == "torchscript")
            files.push_back(o.file(folder, "file"));
    };
    if (manifest.contains("classifiers") && manifest["classifiers"].is_array())
        for (std::size_t i = 0; i < manifest["classifiers"].size(); ++i)
            note(manifest["classifiers"][i],
                 manifest_path.string() + " classifier " + std::to_string(i));
    if (manifest.contains("generator"))
        note(manifest["generator"], manifest_path.string() + " generator");
    return files;
}

namespace {

// Where bundled resources are looked for, in order.
std::vector<fs::path> resource_roots() {
    std::vector<fs::path> roots;
    // Next to the running program first (bin/../share/dgnam), so an install under another
    // prefix (cmake --install --prefix, an unpacked package) finds its own pack.
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        roots.push_back(exe.parent_path().parent_path() / "share" / "dgnam");
    roots.emplace_back(DGNAM_INSTALLED_RESOURCES);
    roots.emplace_back(DGNAM_SOURCE_RESOURCES);
    return roots;
}

}  // namespace

fs::path default_pack_folder() {
    if (const char* env = std::getenv("DGNAM_PACK"); env && *env)
        return env;
    std::string looked;
    for (const fs::path& root : resource_roots()) {
        const auto candidate = root / "packs" / "fashion-mnist";
        if (fs::exists(candidate / kManifest))
            return candidate;
        looked += (looked.empty() ? "" : ", ") + candidate.string();
    }
    throw Error("no bundled model pack found (looked in " + looked +
                "); pass --pack DIR or set DGNAM_PACK");
}

fs::path bundled_architecture(const std::string& file_name) {
    std::string looked;
    for (const fs::path& root : resource_roots()) {
        const auto candidate = root / "architectures" / file_name;
        if (fs::exists(candidate))
            return candidate;
        looked += (looked.empty() ? "" : ", ") + candidate.string();
    }
    throw Error("no bundled architecture " + file_name + " found (looked in " + looked + ")");
}

}  // namespace dgnam
