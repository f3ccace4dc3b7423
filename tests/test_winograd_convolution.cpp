// oneDNN's Winograd convolution agrees with at::conv2d, values and the input's gradient, to float
// tolerance, and the shared convolution takes it for large frozen 3x3 layers only.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>

#include "dgnam/convolution.h"
#include "dgnam/winograd_convolution.h"
#include "test_support.h"

namespace dgnam {
namespace {

struct Shape {
    std::int64_t batch, in, out, size, pad;
    bool bias;
};

struct Outcome {
    at::Tensor y, grad;
};

Outcome run(const std::function<at::Tensor(const at::Tensor&)>& conv, const at::Tensor& x,
            const at::Tensor& grad_y) {
    auto xi = x.clone().requires_grad_(true);
    const auto y = conv(xi);
    y.backward(grad_y);
    return {y.detach(), xi.grad()};
}

TEST(WinogradConvolution, AgreesWithConv2dValuesAndInputGradient) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    for (const auto& s : {Shape{8, 128, 128, 32, 1, true}, Shape{2, 48, 96, 57, 0, true},
                          Shape{3, 64, 80, 19, 1, false}, Shape{1, 16, 32, 10, 1, true}}) {
        SCOPED_TRACE("batch " + std::to_string(s.batch) + ", " + std::to_string(s.in) + " -> " +
                     std::to_string(s.out) + " at " + std::to_string(s.size) + ", pad " +
                     std::to_string(s.pad));
        const auto weight = at::randn({s.out, s.in, 3, 3}, gen) * 0.05;
        const auto bias = s.bias ? at::randn({s.out}, gen) : at::Tensor();
        const auto x = at::randn({s.batch, s.in, s.size, s.size}, gen);
        const auto out_size = s.size + 2 * s.pad - 2;
        const auto grad_y = at::randn({s.batch, s.out, out_size, out_size}, gen);
        if (!winograd_convolution(x, weight, bias, s.pad, s.pad))
            GTEST_SKIP() << "oneDNN has no Winograd kernel on this CPU (it wants AVX-512)";
        const auto actual = run(
            [&](const at::Tensor& xi) {
                return *winograd_convolution(xi, weight, bias, s.pad, s.pad);
            },
            x, grad_y);
        const auto expected =
            run([&](const at::Tensor& xi) { return at::conv2d(xi, weight, bias, 1, s.pad); }, x,
                grad_y);
        ASSERT_EQ(actual.y.sizes(), expected.y.sizes());
        ASSERT_EQ(actual.grad.sizes(), expected.grad.sizes());
        EXPECT_LT(test::relative_error(actual.y, expected.y), 1e-5);
        EXPECT_LT(test::relative_error(actual.grad, expected.grad), 1e-5);
        // Winograd's transforms round differently: equal bits would mean the direct kernel ran.
        EXPECT_FALSE(at::equal(actual.y, expected.y));
    }
}

TEST(WinogradConvolution, GroupedLayerRunsGroupByGroup) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    // CaffeNet's conv4 in small: two groups of 64 -> 64 channels, 170 M multiply-adds each
    const auto weight = at::randn({128, 64, 3, 3}, gen) * 0.05;
    const auto bias = at::randn({128}, gen);
    const auto x = at::randn({8, 128, 24, 24}, gen);
    const auto grad_y = at::randn({8, 128, 24, 24}, gen);
    if (!winograd_convolution(x.narrow(1, 0, 64), weight.narrow(0, 0, 64), at::Tensor(), 1, 1))
        GTEST_SKIP() << "oneDNN has no Winograd kernel on this CPU";
    const auto actual = run(
        [&](const at::Tensor& xi) {
            return convolution(xi, weight, bias, {1, 1}, {1, 1}, {1, 1}, 2);
        },
        x, grad_y);
    const auto expected = run(
        [&](const at::Tensor& xi) { return at::conv2d(xi, weight, bias, 1, 1, 1, 2); }, x, grad_y);
    EXPECT_LT(test::relative_error(actual.y, expected.y), 1e-5);
    EXPECT_LT(test::relative_error(actual.grad, expected.grad), 1e-5);
    EXPECT_FALSE(at::equal(actual.y, expected.y)) << "the grouped layer took the direct kernel";
}

TEST(WinogradConvolution, WithoutGradientModeNoNodeIsRecorded) {
    const auto weight = at::randn({32, 32, 3, 3});
    const auto x = at::randn({2, 32, 16, 16}).requires_grad_(true);
    at::NoGradGuard no_grad;
    const auto y = winograd_convolution(x, weight, at::Tensor(), 1, 1);
    if (!y)
        GTEST_SKIP() << "oneDNN has no Winograd kernel on this CPU";
    EXPECT_FALSE(y->requires_grad());
}

TEST(WinogradConvolution, SharedConvolutionTakesItForLargeFrozenLayersOnly) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
    const auto large_x = at::randn({8, 64, 32, 32}, gen);
    const auto small_x = at::randn({1, 64, 8, 8}, gen);
    const auto weight = at::randn({64, 64, 3, 3}, gen) * 0.05;
    const auto bias = at::randn({64}, gen);
    const auto winograd = winograd_convolution(large_x, weight, bias, 1, 1);
    if (!winograd)
        GTEST_SKIP() << "oneDNN has no Winograd kernel on this CPU";
    const auto large = convolution(large_x, weight, bias, {1, 1}, {1, 1}, {1, 1}, 1);
    EXPECT_TRUE(at::equal(large, *winograd)) << "a 302 M multiply-add layer takes Winograd";
    // Small layers keep LibTorch's kernel: Winograd's extra cost per call outweighs its saving.
    const auto small = convolution(small_x, weight, bias, {1, 1}, {1, 1}, {1, 1}, 1);
    EXPECT_TRUE(at::equal(small, at::conv2d(small_x, weight, bias, 1, 1)));
    // A layer that learns keeps LibTorch's kernel, which computes the weights' gradient.
    const auto learning = weight.clone().requires_grad_(true);
    const auto trained = convolution(large_x, learning, bias, {1, 1}, {1, 1}, {1, 1}, 1);
    EXPECT_TRUE(at::equal(trained, at::conv2d(large_x, learning, bias, 1, 1)));
    // Under bfloat16 autocast LibTorch's kernel converts the operands.
    {
        at::autocast::set_cpu_enabled(true);
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        const auto autocast = convolution(large_x, weight, bias, {1, 1}, {1, 1}, {1, 1}, 1);
        EXPECT_EQ(autocast.scalar_type(), at::kBFloat16);
        at::autocast::set_cpu_enabled(false);
        at::autocast::clear_cache();
    }
}

}  // namespace
}  // namespace dgnam
