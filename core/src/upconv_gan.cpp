#include "dgnam/upconv_gan.h"

#include "dgnam/error.h"
#include "dgnam/network_models.h"
#include "dgnam/torch_state_dict.h"

namespace dgnam {
namespace fs = std::filesystem;
namespace {

using nlohmann::json;

// upconvGAN("fc6"): the released fc6 generator's layers under the same names.
json fc6_layers() {
    auto leaky = [](const std::string& name) {
        return json{{"name", name}, {"type", "leaky_relu"}, {"slope", 0.3}};
    };
    auto linear = [](const std::string& name) {
        return json{{"name", name}, {"type", "linear"}, {"out", 4096}};
    };
    auto deconv = [](const std::string& name, int out, int kernel, int stride) {
        return json{{"name", name},     {"type", "conv_transpose2d"}, {"out", out},
                    {"kernel", kernel}, {"stride", stride},           {"pad", 1}};
    };
    json layers = json::array();
    for (const char* name : {"defc7", "defc6", "defc5"}) {
        layers.push_back(linear(name));
        layers.push_back(leaky(std::string("relu_") + name));
    }
    layers.push_back({{"name", "reshape"}, {"type", "reshape"}, {"shape", {256, 4, 4}}});
    const struct {
        const char* name;
        int out, kernel, stride;
    } ups[] = {{"deconv5", 256, 4, 2}, {"conv5_1", 512, 3, 1}, {"deconv4", 256, 4, 2},
               {"conv4_1", 256, 3, 1}, {"deconv3", 128, 4, 2}, {"conv3_1", 128, 3, 1},
               {"deconv2", 64, 4, 2},  {"deconv1", 32, 4, 2},  {"deconv0", 3, 4, 2}};
    for (const auto& u : ups) {
        layers.push_back(deconv(u.name, u.out, u.kernel, u.stride));
        if (std::string(u.name) != "deconv0")
            layers.push_back(leaky(std::string("relu_") + u.name));
    }
    return layers;
}

}  // namespace

std::unique_ptr<Generator> load_upconv_gan_fc6(const fs::path& path, CodeBounds bounds) {
    TensorMap weights;
    for (auto& [key, tensor] : read_torch_state_dict(path)) {
        // The upconvGAN module keeps its layers in self.G; a state dict of G alone has none.
        const auto name = key.rfind("G.", 0) == 0 ? key.substr(2) : key;
        weights[name] = tensor;
    }
    SequentialNet net(fc6_layers(), {4096}, weights, path.string());
    return std::make_unique<NetworkGenerator>(
        std::move(net), ImageSpec{{3, 256, 256}, PixelSpace::caffe_imagenet()}, std::move(bounds));
}

}  // namespace dgnam
