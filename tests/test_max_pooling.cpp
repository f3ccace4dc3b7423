// The shared max pooling equals at::max_pool2d, values and the input's gradient, for the windows
// the pack's networks and Caffe's use, in float32 and bfloat16.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <functional>
#include <limits>

#include "dgnam/max_pooling.h"

namespace dgnam {
namespace {

struct PoolCase {
    std::int64_t batch, channels, size;
    PoolingWindow window;
};

std::string describe(const PoolCase& c) {
    return "batch " + std::to_string(c.batch) + ", " + std::to_string(c.channels) + "x" +
           std::to_string(c.size) + ", kernel " + std::to_string(c.window.kernel[0]) + ", stride " +
           std::to_string(c.window.stride[0]) + ", pad " + std::to_string(c.window.pad[0]) +
           (c.window.ceil ? ", ceil" : "");
}

const std::vector<PoolCase> cases{
    {10, 32, 28, {{2, 2}, {2, 2}, {0, 0}, false}},  // the bundled classifier's pool1
    {1, 64, 14, {{2, 2}, {2, 2}, {0, 0}, false}},
    {2, 16, 55, {{3, 3}, {2, 2}, {0, 0}, true}},  // CaffeNet's pool1: ceil mode
    {3, 8, 13, {{3, 3}, {2, 2}, {1, 1}, false}},
    {2, 5, 9, {{3, 2}, {1, 2}, {1, 0}, true}},
    {2, 1, 12, {{2, 2}, {2, 2}, {0, 0}, false}},  // one channel: LibTorch's own
};

// The shared pooling and at::max_pool2d on copies of x, and x's gradient of loss(pooled) for each.
struct BothPoolings {
    at::Tensor actual, expected, actual_gradient, expected_gradient;
};

BothPoolings pool_both(const at::Tensor& x, const PoolingWindow& w,
                       const std::function<at::Tensor(const at::Tensor&)>& loss) {
    auto xa = x.clone().requires_grad_(true);
    auto xe = x.clone().requires_grad_(true);
    const auto actual = max_pooling(xa, w);
    const auto expected = at::max_pool2d(xe, w.kernel, w.stride, w.pad, {1, 1}, w.ceil);
    loss(actual).backward();
    loss(expected).backward();
    return {actual.detach(), expected.detach(), xa.grad(), xe.grad()};
}

TEST(MaxPooling, EqualsMaxPool2dWithItsInputGradient) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    for (const auto& c : cases) {
        SCOPED_TRACE(describe(c));
        // After a ReLU, as in the networks: whole windows of zeros tie
        const auto x = at::relu(at::randn({c.batch, c.channels, c.size, c.size}, gen));
        at::Tensor weights;
        const auto p = pool_both(x, c.window, [&](const at::Tensor& y) {
            if (!weights.defined())
                weights = at::randn(y.sizes(), gen);
            return (y * weights).sum();
        });
        ASSERT_EQ(p.actual.sizes(), p.expected.sizes());
        EXPECT_TRUE(p.actual.is_contiguous());
        EXPECT_TRUE(at::equal(p.actual, p.expected));
        EXPECT_TRUE(p.actual_gradient.is_contiguous());
        EXPECT_TRUE(at::equal(p.actual_gradient, p.expected_gradient));
    }
}

TEST(MaxPooling, EqualsMaxPool2dInBfloat16) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(6);
    const PoolCase c = cases[2];
    const auto x = at::randn({c.batch, c.channels, c.size, c.size}, gen).to(at::kBFloat16);
    const auto p = pool_both(x, c.window, [](const at::Tensor& y) { return y.sum(); });
    EXPECT_TRUE(at::equal(p.actual, p.expected));
    EXPECT_TRUE(at::equal(p.actual_gradient, p.expected_gradient));
}

TEST(MaxPooling, ANotANumberWinsItsWindowAsInMaxPool2d) {
    // A NaN from a diverging run must show up where LibTorch's pooling puts it, not vanish.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    auto x = at::randn({2, 4, 8, 8}, gen);
    x.index_put_({0, 1, 2, 3}, std::numeric_limits<float>::quiet_NaN());
    x.index_put_({1, 3, 7, 7}, std::numeric_limits<float>::quiet_NaN());
    const auto p = pool_both(x, {{2, 2}, {2, 2}, {0, 0}, false},
                             [](const at::Tensor& y) { return y.nan_to_num(0.0).sum(); });
    EXPECT_EQ(p.actual.isnan().sum().item<std::int64_t>(), 2);
    EXPECT_TRUE(at::equal(p.actual.isnan(), p.expected.isnan()));
    EXPECT_TRUE(at::allclose(p.actual, p.expected, 0.0, 0.0, /*equal_nan=*/true));
    EXPECT_TRUE(at::equal(p.actual_gradient, p.expected_gradient));
}

TEST(MaxPooling, WithoutGradientModeItOnlyPools) {
    const auto x = at::arange(2 * 3 * 4 * 4, at::kFloat).view({2, 3, 4, 4});
    at::NoGradGuard no_grad;
    const auto y = max_pooling(x, {{2, 2}, {2, 2}, {0, 0}, false});
    EXPECT_FALSE(y.requires_grad());
    // each window's maximum is its bottom-right element: row 1 and 3, column 1 and 3 of 4x4
    EXPECT_TRUE(at::equal(y, x.index({at::indexing::Slice(), at::indexing::Slice(),
                                      at::indexing::Slice(1, at::indexing::None, 2),
                                      at::indexing::Slice(1, at::indexing::None, 2)})));
}

}  // namespace
}  // namespace dgnam
