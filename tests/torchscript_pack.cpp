#include "torchscript_pack.h"

#include <torch/script.h>
#include <nlohmann/json.hpp>

#include <fstream>

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

}  // namespace

void write_pack_with_torchscript(const std::filesystem::path& bundled,
                                 const std::filesystem::path& folder) {
    // copy() makes `folder` itself but not its parents, which a fresh build folder lacks.
    std::filesystem::create_directories(folder.parent_path());
    std::filesystem::copy(bundled, folder, std::filesystem::copy_options::recursive);

    torch::jit::Module tiny("TinyClassifier");
    at::manual_seed(11);
    tiny.register_parameter("weight", at::randn({10, 49}), false);
    tiny.register_parameter("bias", at::zeros({10}), false);
    tiny.define(kTinySource);
    tiny.save((folder / "tiny.pt").string());

    nlohmann::json manifest;
    {
        std::ifstream in(folder / "manifest.json");
        manifest = nlohmann::json::parse(in);
    }
    const nlohmann::json& a = manifest["classifiers"][0];
    manifest["classifiers"].push_back({{"id", "T"},
                                       {"name", "tiny TorchScript classifier"},
                                       {"format", "torchscript"},
                                       {"file", "tiny.pt"},
                                       {"input", a["input"]},
                                       {"labels", a["labels"]}});
    std::ofstream out(folder / "manifest.json");
    out << manifest.dump(2);
}

}  // namespace dgnam::test
