// The fully connected layer's fast paths (oneDNN's sgemm for frozen weights, or a matrix-vector
// product for one sample without oneDNN) equal at::linear, values and input gradients; weights
// that train take at::linear itself, so that `dgnam train` reproduces the shipped weights.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dgnam/fully_connected.h"

namespace dgnam {
namespace {

TEST(FullyConnected, FrozenWeightsEqualLinearWithItsInputGradient) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    // The bundled generator's largest layer, the classifier's fc4, one of 4 M weights, and one
    // of 8 M, whose forward product runs transposed from 8 samples (batch 10 here).
    for (const auto& [out, in] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {1024, 512}, {256, 6272}, {1024, 4096}, {4096, 2048}}) {
        const auto weight = at::randn({out, in}, gen) * 0.02;
        const auto bias = at::randn({out}, gen);
        for (const std::int64_t batch : {1, 3, 10})
            for (const bool with_bias : {true, false}) {
                SCOPED_TRACE(std::to_string(out) + "x" + std::to_string(in) + ", batch " +
                             std::to_string(batch) + (with_bias ? ", bias" : ""));
                const auto b = with_bias ? bias.clone() : at::Tensor();
                const auto w = weight.clone();
                const auto x = at::randn({batch, in}, gen);
                auto xa = x.clone().requires_grad_(true);
                auto xe = x.clone().requires_grad_(true);
                const auto actual = fully_connected(xa, w, b);
                const auto expected = at::linear(xe, weight, with_bias ? bias : at::Tensor());
                ASSERT_EQ(actual.sizes(), expected.sizes());
                EXPECT_TRUE(at::allclose(actual, expected, 1e-4, 1e-4));
                actual.pow(2).sum().backward();
                expected.pow(2).sum().backward();
                EXPECT_TRUE(at::allclose(xa.grad(), xe.grad(), 1e-4, 1e-4));
                // The layer's own tensors are read, never written (a one-row bias expanded
                // for the product counts as contiguous and was once added into).
                EXPECT_TRUE(at::equal(w, weight));
                if (with_bias) {
                    EXPECT_TRUE(at::equal(b, bias));
                }
            }
    }
}

TEST(FullyConnected, WithoutGradientModeItGivesTheSameValues) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    const auto weight = at::randn({64, 300}, gen);
    const auto bias = at::randn({64}, gen);
    const auto x = at::randn({4, 300}, gen);
    at::NoGradGuard no_grad;
    EXPECT_TRUE(
        at::allclose(fully_connected(x, weight, bias), at::linear(x, weight, bias), 1e-4, 1e-4));
}

// Training takes at::linear exactly: the weights' gradient, and bit for bit the values.
TEST(FullyConnected, WeightsThatLearnAreLinearBitForBit) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
    auto weight = at::randn({1024, 512}, gen).requires_grad_(true);
    const auto bias = at::randn({1024}, gen).requires_grad_(true);
    for (const std::int64_t batch : {1, 8}) {
        const auto x = at::randn({batch, 512}, gen);
        EXPECT_TRUE(at::equal(fully_connected(x, weight, bias), at::linear(x, weight, bias)));
    }
    fully_connected(at::ones({1, 512}), weight, bias).sum().backward();
    ASSERT_TRUE(weight.grad().defined());
    EXPECT_TRUE(at::allclose(weight.grad(), at::ones({1024, 512})));
}

}  // namespace
}  // namespace dgnam
