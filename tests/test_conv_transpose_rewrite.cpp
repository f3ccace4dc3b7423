// Transposed convolutions run as plain convolutions (+ pixel shuffle) must equal LibTorch's own.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

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

}  // namespace
}  // namespace dgnam
