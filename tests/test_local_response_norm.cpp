// Caffe's LRN across channels agrees, values and the input's gradient, with the same formula
// composed from LibTorch's operators in double precision (what the layer ran before), at the window
// edges and for windows wider than the channels there are.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dgnam/local_response_norm.h"
#include "test_support.h"

namespace dgnam {
namespace {

// Zero-padded average over n channels, as a 5-D average pooling: no shifted sums in common with
// the code under test.
at::Tensor composed(const at::Tensor& x, const LocalResponseNormParams& p) {
    const std::int64_t n = p.size, pre = (n - 1) / 2;
    auto s = (x * x).unsqueeze(1);
    s = at::constant_pad_nd(s, {0, 0, 0, 0, pre, n - 1 - pre}, 0.0);
    s = at::avg_pool3d(s, {n, 1, 1}, {1, 1, 1}).squeeze(1);
    return x * at::pow(p.k + p.alpha * s, -p.beta);
}

struct NormCase {
    std::vector<std::int64_t> shape;
    LocalResponseNormParams params;
};

TEST(LocalResponseNorm, AgreesWithComposedFormulaValuesAndInputGradient) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    const std::vector<NormCase> cases = {
        {{2, 96, 7, 5}, {5, 1e-4, 0.75, 1.0}},  // CaffeNet's norm1 at a small size
        {{1, 6, 4, 3}, {3, 0.3, 0.75, 2.0}},    // large alpha: the normalisation matters
        {{1, 3, 4, 4}, {5, 0.5, 0.6, 1.0}},     // window wider than the channels; general power
        {{2, 2, 3, 3}, {7, 0.4, 0.9, 1.5}},     // half window beyond every channel
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(at::IntArrayRef(c.shape));
        // Values of a few units make alpha's term comparable to k.
        const auto x = at::randn(c.shape, gen) * 3;
        const auto grad_y = at::randn(c.shape, gen);

        auto xf = x.clone().requires_grad_(true);
        const auto y = local_response_norm_across_channels(xf, c.params);
        y.backward(grad_y);

        auto xd = x.to(at::kDouble).requires_grad_(true);
        const auto expected = composed(xd, c.params);
        expected.backward(grad_y.to(at::kDouble));

        EXPECT_EQ(y.sizes(), x.sizes());
        EXPECT_LT(test::relative_error(y.detach(), expected.detach()), 1e-6);
        ASSERT_TRUE(xf.grad().defined());
        EXPECT_LT(test::relative_error(xf.grad(), xd.grad()), 1e-5);
    }
}

TEST(LocalResponseNorm, NormalisationShrinksLargeResponsesMoreThanSmallOnes) {
    // One strong channel beside weak ones: with alpha 1 the strong one is divided by much more.
    auto x = at::full({1, 3, 1, 1}, 0.1f);
    x.index_put_({0, 1, 0, 0}, 10.0f);
    const auto y = local_response_norm_across_channels(x, {3, 1.0, 0.75, 1.0});
    // Channel 1: scale = 1 + (0.01 + 100 + 0.01) / 3, y = 10 * scale^-0.75.
    EXPECT_NEAR(y[0][1][0][0].item<double>(), 10.0 * std::pow(1.0 + 100.02 / 3, -0.75), 1e-4);
    // Channel 0 sees channel 1 in its window: scale = 1 + (0.01 + 100) / 3.
    EXPECT_NEAR(y[0][0][0][0].item<double>(), 0.1 * std::pow(1.0 + 100.01 / 3, -0.75), 1e-6);
}

}  // namespace
}  // namespace dgnam
