// A TorchScript model's layers carry the multiply-adds of the convolutions and products its code
// calls, as the layer lists of the pack's and Caffe's networks do, so that its galleries split over
// the cores and `dgnam bench` reports its GFLOP/s.
#include <gtest/gtest.h>
#include <torch/script.h>

#include "dgnam/dgn_am_batch.h"
#include "dgnam/model_pack.h"
#include "dgnam/torchscript_net.h"
#include "test_paths.h"
#include "test_support.h"
#include "torchscript_pack.h"

namespace dgnam {
namespace {

// A ReLU in place (its layer is the convolution's tensor), a transposed convolution, a layer
// without multiply-adds, and a product written as code rather than a module.
constexpr const char* kSource = R"(
def layer_outputs(self, x):
    conv = torch.conv2d(x, self.conv, self.conv_bias, [1, 1], [1, 1])
    relu = torch.relu_(conv)
    up = torch.conv_transpose2d(relu, self.up, self.up_bias, [2, 2], [1, 1])
    pool = torch.max_pool2d(up, [8, 8])
    fc = torch.matmul(torch.flatten(pool, 1), self.fc.t()) + self.fc_bias
    return {"conv": conv, "relu": relu, "up": up, "pool": pool, "fc": fc}

def forward(self, x):
    return self.layer_outputs(x)["fc"]
)";

TEST(TorchScriptCost, EachLayerCountsTheProductsSinceTheLayerBefore) {
    test::ScratchFolder scratch;
    torch::jit::Module module("Counted");
    module.register_parameter("conv", at::randn({8, 1, 3, 3}), false);
    module.register_parameter("conv_bias", at::randn({8}), false);
    module.register_parameter("up", at::randn({8, 4, 4, 4}), false);
    module.register_parameter("up_bias", at::randn({4}), false);
    module.register_parameter("fc", at::randn({10, 4 * 7 * 7}), false);
    module.register_parameter("fc_bias", at::randn({10}), false);
    module.define(kSource);
    const auto path = scratch / "counted.pt";
    module.save(path.string());

    const TorchScriptNet net = TorchScriptNet::load(path, {1, 28, 28});
    std::map<std::string, std::int64_t> macs;
    for (const auto& layer : net.layers())
        macs[layer.name] = layer.multiply_adds;
    const std::map<std::string, std::int64_t> want{
        {"conv", 8 * 28 * 28 * (1 * 3 * 3)},  // each output value reads 1x3x3 weights
        {"relu", 0},
        {"up", 8 * 28 * 28 * (4 * 4 * 4)},  // each input value writes 4x4x4 values
        {"pool", 0},
        {"fc", 10 * (4 * 7 * 7)},
    };
    EXPECT_EQ(macs, want);
}

// The gallery's split follows from the multiply-adds: the same network from either source costs
// the same and splits the same.
TEST(TorchScriptCost, TheBundledGeneratorAsTorchScriptCostsWhatItsLayerListDoes) {
    test::ScratchFolder scratch;
    test::write_pack_with_torchscript_generator(DGNAM_BUNDLED_PACK_DIR, scratch / "pack");
    const ModelPack layered = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
    const ModelPack scripted = load_model_pack(scratch / "pack", PackTrust::AllowTorchScript);
    ASSERT_GT(layered.generator->multiply_adds(), 0);
    EXPECT_EQ(scripted.generator->multiply_adds(), layered.generator->multiply_adds());
    const Classifier& classifier = layered.classifier();
    for (const std::int64_t rows : {1, 2, 10, 64}) {
        const c10::Device cpu(c10::kCPU);
        const std::string& layer = classifier.output_layer();
        EXPECT_EQ(dgn_am_batch_parts(*scripted.generator, classifier, layer, rows, cpu),
                  dgn_am_batch_parts(*layered.generator, classifier, layer, rows, cpu))
            << rows << " rows";
    }
}

}  // namespace
}  // namespace dgnam
