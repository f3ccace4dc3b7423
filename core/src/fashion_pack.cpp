#include "dgnam/fashion_pack.h"

#include <filesystem>

namespace dgnam {
namespace {

using nlohmann::json;

json conv(const std::string& name, int out, int kernel, int pad, int stride = 1) {
    return {{"name", name},     {"type", "conv2d"}, {"out", out},
            {"kernel", kernel}, {"pad", pad},       {"stride", stride}};
}
json deconv(const std::string& name, int out, int kernel, int stride, int pad) {
    return {{"name", name},     {"type", "conv_transpose2d"}, {"out", out},
            {"kernel", kernel}, {"stride", stride},           {"pad", pad}};
}
json simple(const std::string& name, const std::string& type) {
    return {{"name", name}, {"type", type}};
}
json leaky(const std::string& name, double slope) {
    return {{"name", name}, {"type", "leaky_relu"}, {"slope", slope}};
}
json linear(const std::string& name, int out) {
    return {{"name", name}, {"type", "linear"}, {"out", out}};
}
json pool(const std::string& name) {
    return {{"name", name}, {"type", "max_pool"}, {"kernel", 2}, {"stride", 2}};
}
json residual(const std::string& name, int channels, bool project) {
    json block = {{"name", name},
                  {"type", "residual"},
                  {"main", json::array({conv("conv_a", channels, 3, 1), simple("relu_a", "relu"),
                                        conv("conv_b", channels, 3, 1)})}};
    if (project)
        block["shortcut"] = json::array({conv("project", channels, 1, 0)});
    return block;
}

json grey_space(double scale, double mean, double stddev) {
    return {{"channels", "grey"}, {"scale", scale}, {"mean", {mean}}, {"std", {stddev}}};
}

// Fashion-MNIST training set: mean 72.94 and standard deviation 90.02 grey levels.
constexpr double kMean = 0.2860;
constexpr double kStd = 0.3530;

json image_spec_json(const ImageSpec& spec) {
    return {{"shape", spec.shape}, {"space", spec.space.to_json()}};
}

}  // namespace

json fashion_classifier_a_layers() {
    return json::array({conv("conv1", 32, 3, 1),
                        simple("relu1", "relu"),
                        pool("pool1"),
                        conv("conv2", 64, 3, 1),
                        simple("relu2", "relu"),
                        pool("pool2"),
                        conv("conv3", 128, 3, 1),
                        simple("relu3", "relu"),
                        linear("fc4", 256),
                        simple("relu4", "relu"),
                        {{"name", "drop4"}, {"type", "dropout"}, {"p", 0.5}},
                        linear("fc5", 10)});
}

json fashion_classifier_b_layers() {
    return json::array({conv("conv1", 16, 3, 1), simple("relu1", "relu"),
                        residual("block1", 16, false), simple("relu_block1", "relu"), pool("pool1"),
                        residual("block2", 32, true), simple("relu_block2", "relu"), pool("pool2"),
                        residual("block3", 64, true), simple("relu_block3", "relu"), pool("pool3"),
                        linear("fc", 10)});
}

json fashion_generator_layers() {
    return json::array({linear("defc7", 512),
                        leaky("relu_defc7", 0.3),
                        linear("defc6", 512),
                        leaky("relu_defc6", 0.3),
                        linear("defc5", 64 * 4 * 4),
                        leaky("relu_defc5", 0.3),
                        {{"name", "reshape"}, {"type", "reshape"}, {"shape", {64, 4, 4}}},
                        deconv("deconv3", 32, 4, 2, 1),
                        leaky("relu_deconv3", 0.3),
                        deconv("deconv2", 16, 4, 2, 1),
                        leaky("relu_deconv2", 0.3),
                        deconv("deconv1", 8, 4, 2, 1),
                        leaky("relu_deconv1", 0.3),
                        deconv("deconv0", 1, 3, 1, 1)});
}

json fashion_discriminator_layers() {
    return json::array({conv("conv1", 16, 4, 1, 2), leaky("relu1", 0.2), conv("conv2", 32, 4, 1, 2),
                        leaky("relu2", 0.2), conv("conv3", 64, 4, 1, 2), leaky("relu3", 0.2),
                        linear("fc", 1)});
}

ImageSpec fashion_classifier_input() {
    return {{1, 28, 28}, PixelSpace::from_json(grey_space(1.0, kMean, kStd), "fashion pack")};
}

ImageSpec fashion_generator_output() {
    return {{1, 32, 32},
            PixelSpace::from_json(grey_space(255.0, kMean * 255.0, 1.0), "fashion pack")};
}

json fashion_pack_manifest(const std::filesystem::path& folder, const json& training) {
    namespace fs = std::filesystem;
    const std::vector<std::string> labels = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                             "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                             "Bag",         "Ankle boot"};
    json manifest = {
        {"format", "dgnam-pack"},
        {"version", 1},
        {"name", "fashion-mnist"},
        {"description",
         "Fashion-MNIST classifiers and a deep generator network inverting classifier A's code "
         "layer, trained by `dgnam train` from Debian's dataset-fashion-mnist."},
        {"classifiers", json::array()}};
    const auto input = image_spec_json(fashion_classifier_input());
    manifest["classifiers"].push_back({{"id", "A"},
                                       {"name", "AlexNet-shaped convnet"},
                                       {"weights", kClassifierAFile},
                                       {"input", input},
                                       {"output_layer", "fc5"},
                                       {"labels", labels},
                                       {"layers", fashion_classifier_a_layers()}});
    // B and C share the residual architecture: B is trained on clean images (a network the
    // generator never saw), C on half-adversarial batches, so that pixel-space noise does not fool
    // it: C is the pack's realism check.
    if (fs::exists(folder / kClassifierBFile))
        manifest["classifiers"].push_back({{"id", "B"},
                                           {"name", "residual convnet"},
                                           {"weights", kClassifierBFile},
                                           {"input", input},
                                           {"output_layer", "fc"},
                                           {"labels", labels},
                                           {"layers", fashion_classifier_b_layers()}});
    if (fs::exists(folder / kClassifierCFile)) {
        manifest["classifiers"].push_back(
            {{"id", "C"},
             {"name", "residual convnet, adversarially trained (realism check)"},
             {"weights", kClassifierCFile},
             {"input", input},
             {"output_layer", "fc"},
             {"labels", labels},
             {"layers", fashion_classifier_b_layers()}});
        manifest["realism_judge"] = "C";
    }
    if (fs::exists(folder / kGeneratorFile) && fs::exists(folder / kCodeUpperBoundFile))
        manifest["generator"] = {
            {"weights", kGeneratorFile},
            {"classifier", "A"},
            {"code_layer", kFashionCodeLayer},
            {"code_size", kFashionCodeSize},
            {"output", image_spec_json(fashion_generator_output())},
            {"bounds",
             {{"lower", 0.0},
              {"upper_file", kCodeUpperBoundFile},
              {"method",
               "lower 0 (post-ReLU); upper = mean + 3 standard deviations of each unit of A's "
               "relu4 over the 60,000 training images, as the paper's act_range/3x"}}},
            {"display", {{"mode", "space"}}},
            {"layers", fashion_generator_layers()}};
    if (!training.is_null())
        manifest["training"] = training;
    return manifest;
}

}  // namespace dgnam
