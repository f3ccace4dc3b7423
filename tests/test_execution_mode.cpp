// The fast form (frozen weights, rewritten transposed convolutions, oneDNN's sgemm for fully
// connected layers, LibTorch's own convolution for a grey first layer with a batch) computes what
// the straightforward one does, and layers count their multiply-adds.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "dgnam/dgn_am.h"
#include "dgnam/model_pack.h"
#include "dgnam/step_benchmark.h"
#include "test_paths.h"

namespace dgnam {
namespace {

const char* const kBundled = DGNAM_TEST_SOURCE_DIR "/../resources/packs/fashion-mnist";

void set_mode(Generator& g, Classifier& c, const ExecutionMode& mode) {
    g.set_execution_mode(mode);
    c.set_execution_mode(mode);
}

TEST(ExecutionMode, FastAndStraightforwardFormsAgreeOnTheBundledPack) {
    ModelPack pack = load_model_pack(kBundled);
    Generator& g = *pack.generator;
    Classifier& a = pack.classifier("A");
    for (const std::int64_t batch : {1, 3}) {
        const auto code = at::rand({batch, g.code_size()}) * 2.0;
        // The image and the scores of its centre crop.
        auto run = [&](const ExecutionMode& mode) {
            set_mode(g, a, mode);
            at::NoGradGuard no_grad;
            const auto image = g.generate(code);
            return std::pair{image, a.forward_to(image.narrow(2, 2, 28).narrow(3, 2, 28), "fc5")};
        };
        const auto plain = run(ExecutionMode::straightforward());
        const auto fast = run(ExecutionMode::fast());
        EXPECT_TRUE(at::allclose(fast.first, plain.first, 1e-4, 1e-4)) << "batch " << batch;
        EXPECT_TRUE(at::allclose(fast.second, plain.second, 1e-3, 1e-3)) << "batch " << batch;
    }
}

TEST(ExecutionMode, ADgnAmStepIsTheSameInBothForms) {
    ModelPack pack = load_model_pack(kBundled);
    Generator& g = *pack.generator;
    Classifier& a = pack.classifier("A");
    OptimizerParams params;
    DgnAm fast(g, a, {"fc5"}, {3, 7}, params, InitialCode::random(), at::kCPU);
    fast.step();
    set_mode(g, a, ExecutionMode::straightforward());
    DgnAm plain(g, a, {"fc5"}, {3, 7}, params, InitialCode::random(), at::kCPU);
    plain.step();
    set_mode(g, a, ExecutionMode::fast());
    EXPECT_TRUE(at::allclose(fast.code(), plain.code(), 1e-3, 1e-3))
        << (fast.code() - plain.code()).abs().max().item<float>();
}

TEST(ExecutionMode, LayersCountTheirMultiplyAdds) {
    ModelPack pack = load_model_pack(kBundled);
    const Classifier& a = pack.classifier("A");
    // conv1: 3x3 over one grey channel into 32 channels of 28x28.
    EXPECT_EQ(a.layer("conv1").multiply_adds, 32 * 28 * 28 * 9);
    EXPECT_EQ(a.layer("relu1").multiply_adds, 0);
    const auto& fc5 = a.layer("fc5");
    EXPECT_GT(fc5.multiply_adds, 0);
    EXPECT_EQ(fc5.multiply_adds % 10, 0);  // 10 outputs times the inputs
    EXPECT_GT(pack.generator->multiply_adds(), 0);
    // Forward and backward of both networks, 2 FLOP per multiply-add.
    std::int64_t a_macs = 0;
    for (const auto& l : a.layers())
        a_macs += l.multiply_adds;
    EXPECT_DOUBLE_EQ(dgn_am_flop_per_image(*pack.generator, a, a.output_layer()),
                     4.0 * static_cast<double>(pack.generator->multiply_adds() + a_macs));
}

}  // namespace
}  // namespace dgnam
