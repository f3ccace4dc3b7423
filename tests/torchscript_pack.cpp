#include "torchscript_pack.h"

#include <torch/script.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "dgnam/safetensors.h"

namespace dgnam::test {
namespace {

// TorchScript source for the layer_outputs contract (docs/model-sources.md); aten operators
// only, since LibTorch compiles without Python's torch.nn.functional.
constexpr const char* kTinySource = R"(
def layer_outputs(self, x):
    pool = torch.avg_pool2d(x, [4, 4])
    fc = torch.addmm(self.bias, torch.flatten(pool, 1), self.weight.t())
    return {"pool": pool, "fc": fc}

def forward(self, x):
    return self.layer_outputs(x)["fc"]
)";

// The bundled pack's generator (its manifest's layer list) written as TorchScript code.
constexpr const char* kBundledGeneratorSource = R"(
def forward(self, h):
    x = torch.leaky_relu(torch.linear(h, self.defc7_weight, self.defc7_bias), 0.3)
    x = torch.leaky_relu(torch.linear(x, self.defc6_weight, self.defc6_bias), 0.3)
    x = torch.leaky_relu(torch.linear(x, self.defc5_weight, self.defc5_bias), 0.3)
    x = x.reshape([-1, 64, 4, 4])
    x = torch.leaky_relu(torch.conv_transpose2d(x, self.deconv3_weight, self.deconv3_bias,
                                                [2, 2], [1, 1]), 0.3)
    x = torch.leaky_relu(torch.conv_transpose2d(x, self.deconv2_weight, self.deconv2_bias,
                                                [2, 2], [1, 1]), 0.3)
    x = torch.leaky_relu(torch.conv_transpose2d(x, self.deconv1_weight, self.deconv1_bias,
                                                [2, 2], [1, 1]), 0.3)
    return torch.conv_transpose2d(x, self.deconv0_weight, self.deconv0_bias, [1, 1], [1, 1])
)";

nlohmann::json read_manifest(const std::filesystem::path& folder) {
    std::ifstream in(folder / "manifest.json");
    return nlohmann::json::parse(in);
}

void write_manifest(const std::filesystem::path& folder, const nlohmann::json& manifest) {
    std::ofstream out(folder / "manifest.json");
    out << manifest.dump(2);
}

void copy_pack(const std::filesystem::path& bundled, const std::filesystem::path& folder) {
    // copy() makes `folder` itself but not its parents, which a fresh build folder lacks.
    std::filesystem::create_directories(folder.parent_path());
    std::filesystem::copy(bundled, folder, std::filesystem::copy_options::recursive);
}

}  // namespace

void write_pack_with_torchscript(const std::filesystem::path& bundled,
                                 const std::filesystem::path& folder) {
    copy_pack(bundled, folder);
    torch::jit::Module tiny("TinyClassifier");
    at::manual_seed(11);
    tiny.register_parameter("weight", at::randn({10, 49}), false);
    tiny.register_parameter("bias", at::zeros({10}), false);
    tiny.define(kTinySource);
    tiny.save((folder / "tiny.pt").string());

    nlohmann::json manifest = read_manifest(folder);
    const nlohmann::json& a = manifest["classifiers"][0];
    manifest["classifiers"].push_back({{"id", "T"},
                                       {"name", "tiny TorchScript classifier"},
                                       {"format", "torchscript"},
                                       {"file", "tiny.pt"},
                                       {"input", a["input"]},
                                       {"labels", a["labels"]}});
    write_manifest(folder, manifest);
}

void write_pack_with_torchscript_generator(const std::filesystem::path& bundled,
                                           const std::filesystem::path& folder) {
    copy_pack(bundled, folder);
    torch::jit::Module generator("BundledGenerator");
    for (const auto& [name, tensor] : read_safetensors(folder / "generator.safetensors").tensors) {
        auto attribute = name;
        std::replace(attribute.begin(), attribute.end(), '.', '_');
        generator.register_parameter(attribute, tensor, false);
    }
    generator.define(kBundledGeneratorSource);
    generator.save((folder / "generator.pt").string());
    nlohmann::json manifest = read_manifest(folder);
    auto& entry = manifest["generator"];
    entry.erase("layers");
    entry.erase("weights");
    entry["format"] = "torchscript";
    entry["file"] = "generator.pt";
    write_manifest(folder, manifest);
}

}  // namespace dgnam::test
