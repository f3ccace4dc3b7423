// The fully connected layer's batch-1 path (a matrix-vector product) equals at::linear, values
// and gradients, frozen or not.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dgnam/fully_connected.h"

namespace dgnam {
namespace {

TEST(FullyConnected, EqualsLinearWithItsInputGradient) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    // Large enough (4 M weights) for the matrix-vector path.
    const auto weight = at::randn({1024, 4096}, gen) * 0.02;
    const auto bias = at::randn({1024}, gen);
    for (const std::int64_t batch : {1, 4})
        for (const bool with_bias : {true, false}) {
            const auto b = with_bias ? bias : at::Tensor();
            const auto x = at::randn({batch, 4096}, gen);
            auto xa = x.clone().requires_grad_(true);
            auto xe = x.clone().requires_grad_(true);
            const auto actual = fully_connected(xa, weight, b);
            const auto expected = at::linear(xe, weight, b);
            ASSERT_EQ(actual.sizes(), expected.sizes());
            EXPECT_TRUE(at::allclose(actual, expected, 1e-4, 1e-4));
            actual.pow(2).sum().backward();
            expected.pow(2).sum().backward();
            EXPECT_TRUE(at::allclose(xa.grad(), xe.grad(), 1e-4, 1e-4));
        }
    // Weights that learn get their gradient as from at::linear.
    auto w = weight.clone().requires_grad_(true);
    fully_connected(at::ones({1, 4096}), w, bias).sum().backward();
    ASSERT_TRUE(w.grad().defined());
    EXPECT_TRUE(at::allclose(w.grad(), at::ones({1024, 4096})));
}

// Small layers are at::linear exactly, so that the bundled pack's results stay as published.
TEST(FullyConnected, SmallLayersAreLinearBitForBit) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
    const auto weight = at::randn({1024, 512}, gen);  // the bundled generator's largest
    const auto bias = at::randn({1024}, gen);
    const auto x = at::randn({1, 512}, gen);
    EXPECT_TRUE(at::equal(fully_connected(x, weight, bias), at::linear(x, weight, bias)));
}

}  // namespace
}  // namespace dgnam
