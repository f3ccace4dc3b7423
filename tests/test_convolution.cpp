// The shared convolution equals at::conv2d, values and the input's gradient, on the path it takes
// for a frozen grey first layer with a batch as on the others.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "dgnam/convolution.h"

namespace dgnam {
namespace {

TEST(Convolution, EqualsConv2dWithItsInputGradient) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    struct Case {
        std::int64_t batch, in, out;
        std::vector<std::int64_t> stride, pad;
        bool frozen;
    };
    for (const auto& c :
         {Case{10, 1, 32, {1, 1}, {1, 1}, true}, Case{3, 1, 20, {2, 2}, {0, 0}, true},
          Case{1, 1, 32, {1, 1}, {1, 1}, true}, Case{4, 8, 16, {1, 1}, {1, 1}, true},
          Case{4, 1, 16, {1, 1}, {1, 1}, false}}) {
        SCOPED_TRACE("batch " + std::to_string(c.batch) + ", " + std::to_string(c.in) +
                     " in, frozen " + std::to_string(c.frozen));
        const auto weight = (at::randn({c.out, c.in, 3, 3}, gen) * 0.1).requires_grad_(!c.frozen);
        const auto bias = at::randn({c.out}, gen);
        const auto x = at::randn({c.batch, c.in, 28, 28}, gen);
        auto xa = x.clone().requires_grad_(true);
        auto xe = x.clone().requires_grad_(true);
        const auto actual = convolution(xa, weight, bias, c.stride, c.pad, {1, 1}, 1);
        const auto expected = at::conv2d(xe, weight, bias, c.stride, c.pad, {1, 1}, 1);
        ASSERT_EQ(actual.sizes(), expected.sizes());
        EXPECT_TRUE(at::allclose(actual, expected, 1e-4, 1e-4));
        actual.pow(2).sum().backward();
        expected.pow(2).sum().backward();
        EXPECT_TRUE(at::allclose(xa.grad(), xe.grad(), 1e-4, 1e-4));
    }
}

}  // namespace
}  // namespace dgnam
