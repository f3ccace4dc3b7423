// The fast form (frozen weights, rewritten transposed convolutions, oneDNN's sgemm for fully
// connected layers, LibTorch's own convolution for a grey first layer with a batch) computes what
// the straightforward one does; the bfloat16 form stays near it; layers count their multiply-adds.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>

#include "dgnam/dgn_am.h"
#include "dgnam/model_pack.h"
#include "dgnam/step_benchmark.h"
#include "test_paths.h"

namespace dgnam {
namespace {

void set_mode(Generator& g, Classifier& c, const ExecutionMode& mode) {
    g.set_execution_mode(mode);
    c.set_execution_mode(mode);
}

// The image of `code` and the scores of its centre crop, with both networks in `mode`.
std::pair<at::Tensor, at::Tensor> image_and_scores(Generator& g, Classifier& a,
                                                   const at::Tensor& code,
                                                   const ExecutionMode& mode) {
    set_mode(g, a, mode);
    at::NoGradGuard no_grad;
    const auto image = g.generate(code);
    return {image, a.forward_to(image.narrow(2, 2, 28).narrow(3, 2, 28), "fc5")};
}

TEST(ExecutionMode, FastAndStraightforwardFormsAgreeOnTheBundledPack) {
    ModelPack pack = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
    Generator& g = *pack.generator;
    Classifier& a = pack.classifier("A");
    for (const std::int64_t batch : {1, 3}) {
        const auto code = at::rand({batch, g.code_size()}) * 2.0;
        const auto plain = image_and_scores(g, a, code, ExecutionMode::straightforward());
        const auto fast = image_and_scores(g, a, code, ExecutionMode::fast());
        EXPECT_TRUE(at::allclose(fast.first, plain.first, 1e-4, 1e-4)) << "batch " << batch;
        EXPECT_TRUE(at::allclose(fast.second, plain.second, 1e-3, 1e-3)) << "batch " << batch;
    }
}

TEST(ExecutionMode, ADgnAmStepIsTheSameInBothForms) {
    ModelPack pack = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
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

double relative_difference(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

TEST(ExecutionMode, BFloat16FormStaysNearFloat32AndHandsBackFloat32) {
    ModelPack pack = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
    Generator& g = *pack.generator;
    Classifier& a = pack.classifier("A");
    for (const std::int64_t batch : {1, 3}) {
        const auto code = at::rand({batch, g.code_size()}) * 2.0;
        const auto reduced = image_and_scores(g, a, code, ExecutionMode::fast_bfloat16());
        const auto full = image_and_scores(g, a, code, ExecutionMode::fast());
        EXPECT_EQ(reduced.first.scalar_type(), at::kFloat);
        EXPECT_EQ(reduced.second.scalar_type(), at::kFloat);
        // bfloat16 keeps 8 significant bits: about 0.4% per rounding.
        const double image = relative_difference(reduced.first, full.first);
        const double scores = relative_difference(reduced.second, full.second);
        EXPECT_LT(image, 0.03) << "batch " << batch;
        EXPECT_LT(scores, 0.03) << "batch " << batch;
        EXPECT_GT(image, 0.0) << "batch " << batch << ": the bfloat16 form did not run";
    }
    set_mode(g, a, ExecutionMode::fast());
    // No autocast is left on after a network's forward pass.
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
}

// The preferred images of all ten output units reach their classes (the unit's class is the most
// probable) in bfloat16 as in float32, and about as surely.
TEST(ExecutionMode, DgnAmInBFloat16ReachesTheSameClasses) {
    ModelPack pack = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
    Generator& g = *pack.generator;
    Classifier& a = pack.classifier("A");
    const std::vector<std::int64_t> units{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const OptimizerParams params;  // the paper's defaults, 200 iterations
    auto outcomes = [&](const ExecutionMode& mode) {
        set_mode(g, a, mode);
        DgnAm am(g, a, Objective{}, units, params, InitialCode::random(), at::kCPU);
        while (!am.done())
            am.step();
        return am.evaluate();
    };
    const auto reduced = outcomes(ExecutionMode::fast_bfloat16());
    const auto full = outcomes(ExecutionMode::fast());
    set_mode(g, a, ExecutionMode::fast());
    // One unit's probability depends on where its run happened to wander (without oneDNN's
    // sgemm, float32 alone took unit 0 to 0.91 instead of 0.99), so the closeness is judged over
    // all ten.
    double reduced_sum = 0.0, full_sum = 0.0;
    for (std::size_t row = 0; row < units.size(); ++row) {
        ASSERT_TRUE(reduced[row].probability && full[row].probability);
        EXPECT_GT(*reduced[row].probability, 0.5) << "unit " << units[row] << " in bfloat16";
        EXPECT_GT(*full[row].probability, 0.5) << "unit " << units[row] << " in float32";
        reduced_sum += *reduced[row].probability;
        full_sum += *full[row].probability;
    }
    const double count = static_cast<double>(units.size());
    EXPECT_GT(reduced_sum / count, 0.9);
    EXPECT_NEAR(reduced_sum / count, full_sum / count, 0.05);
}

TEST(ExecutionMode, PrecisionNamesMapToTheFastForm) {
    EXPECT_FALSE(ExecutionMode::fast_in("float32").bfloat16);
    EXPECT_TRUE(ExecutionMode::fast_in("bfloat16").bfloat16);
    EXPECT_TRUE(ExecutionMode::fast_in("bfloat16").frozen_weights);
    try {
        ExecutionMode::fast_in("float16");
        FAIL() << "float16 was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("\"float16\""), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("float32 or bfloat16"), std::string::npos) << e.what();
    }
}

TEST(ExecutionMode, LayersCountTheirMultiplyAdds) {
    ModelPack pack = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
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
