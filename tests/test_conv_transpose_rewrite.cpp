// Transposed convolutions run as plain convolutions (+ pixel shuffle) must equal LibTorch's own.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cstdlib>

#include "dgnam/conv_transpose_rewrite.h"
#include "dgnam/sequential_net.h"

namespace dgnam {
namespace {

struct Case {
    int kernel, stride, pad;
    bool bias;
};

class ConvTransposeRewrite : public ::testing::TestWithParam<Case> {};

TEST_P(ConvTransposeRewrite, EqualsLibTorchWithinFloatTolerance) {
    const auto c = GetParam();
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    const std::int64_t in = 6, out = 5;
    auto weight = at::randn({in, out, c.kernel, c.kernel}, gen);
    auto bias = at::randn({out}, gen);
    TensorMap weights = {{"up.weight", weight}};
    if (c.bias)
        weights["up.bias"] = bias;
    const nlohmann::json layers = {{{"name", "up"},
                                    {"type", "conv_transpose2d"},
                                    {"out", out},
                                    {"kernel", c.kernel},
                                    {"stride", c.stride},
                                    {"pad", c.pad},
                                    {"bias", c.bias}}};
    SequentialNet net(layers, {in, 7, 9}, weights, "test");
    auto x = at::randn({2, in, 7, 9}, gen);
    auto expected = at::conv_transpose2d(x, weight, c.bias ? bias : at::Tensor(), c.stride, c.pad);
    auto actual = net.forward(x);
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(at::allclose(actual, expected, 1e-4, 1e-4))
        << (actual - expected).abs().max().item<float>();
    // Gradients flow through the rewrite as through the original.
    auto xg = x.clone().requires_grad_(true);
    net.forward(xg).pow(2).sum().backward();
    auto xe = x.clone().requires_grad_(true);
    at::conv_transpose2d(xe, weight, c.bias ? bias : at::Tensor(), c.stride, c.pad)
        .pow(2)
        .sum()
        .backward();
    EXPECT_TRUE(at::allclose(xg.grad(), xe.grad(), 1e-3, 1e-3));
}

INSTANTIATE_TEST_SUITE_P(PaperKinds, ConvTransposeRewrite,
                         ::testing::Values(Case{4, 2, 1, true}, Case{4, 2, 1, false},
                                           Case{3, 1, 1, true}, Case{3, 1, 1, false},
                                           Case{5, 2, 2, true}));  // not rewritten

// Both forms of a layer, the prepared kernel and the one rebuilt per call agree, in values and
// input gradients; a weight
// changed in place after prepare() is not run with the stale kernel.
TEST(TransposedConvolution, FormsAndThePreparedKernelAgree) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
    const std::int64_t in = 8, out = 6;
    for (const std::int64_t k : {4, 3}) {
        const std::int64_t stride = k == 4 ? 2 : 1;
        auto weight = at::randn({in, out, k, k}, gen);
        auto bias = at::randn({out}, gen);
        TransposedConvolution layer({k, k}, {stride, stride}, {1, 1}, {0, 0}, {1, 1}, 1);
        ASSERT_TRUE(layer.rewritable());
        layer.prepare(weight, bias);
        for (const std::int64_t batch : {1, 3, -3}) {  // -3: 3 images, channels last
            auto x = at::randn({std::abs(batch), in, 5, 7}, gen);
            if (batch < 0)
                x = x.contiguous(at::MemoryFormat::ChannelsLast);
            const auto libtorch = layer.run(x, weight, bias, TransposedConvolution::Form::LibTorch);
            const auto rewritten =
                layer.run(x, weight, bias, TransposedConvolution::Form::Rewritten);
            const auto faster = layer.run(x, weight, bias);
            EXPECT_TRUE(at::allclose(rewritten, libtorch, 1e-4, 1e-4)) << "kernel " << k;
            EXPECT_TRUE(at::allclose(faster, libtorch, 1e-4, 1e-4)) << "kernel " << k;
            // The prepared kernel's input gradient (kernel 4: through the phase interleave,
            // whose unread grid border must get zero) equals LibTorch's.
            const auto upstream = at::randn(libtorch.sizes(), gen);
            auto input_gradient = [&](TransposedConvolution::Form form) {
                auto xi = x.clone().requires_grad_(true);
                (layer.run(xi, weight, bias, form) * upstream).sum().backward();
                return xi.grad();
            };
            EXPECT_TRUE(at::allclose(input_gradient(TransposedConvolution::Form::Rewritten),
                                     input_gradient(TransposedConvolution::Form::LibTorch), 1e-4,
                                     1e-4))
                << "kernel " << k << ", batch " << batch;
        }
        // An in-place change (an optimiser's step) must reach the output.
        const auto x = at::randn({2, in, 5, 7}, gen);
        weight.mul_(2.0);
        const auto expected = at::conv_transpose2d(x, weight, bias, stride, 1);
        EXPECT_TRUE(at::allclose(layer.run(x, weight, bias, TransposedConvolution::Form::Rewritten),
                                 expected, 1e-4, 1e-4));
    }
    // Not rewritable (stride 3): both forms are LibTorch's.
    TransposedConvolution odd({4, 4}, {3, 3}, {1, 1}, {0, 0}, {1, 1}, 1);
    EXPECT_FALSE(odd.rewritable());
}

TEST(TransposedConvolution, TheRewritePaysOffForBatchesAndLargeInputsOnTheCpu) {
    EXPECT_FALSE(TransposedConvolution::rewrite_pays_off(at::zeros({1, 4, 4, 4})));
    EXPECT_FALSE(TransposedConvolution::rewrite_pays_off(at::zeros({1, 4, 7, 7})));
    EXPECT_TRUE(TransposedConvolution::rewrite_pays_off(at::zeros({1, 4, 8, 8})));
    EXPECT_TRUE(TransposedConvolution::rewrite_pays_off(at::zeros({2, 4, 4, 4})));
}

}  // namespace
}  // namespace dgnam
