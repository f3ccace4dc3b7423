// The shared convolution equals at::conv2d, values and the input's gradient, on the paths it takes
// for a frozen grey first layer with a batch and a frozen strided first layer as on the others.
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
        std::int64_t kernel = 3, size = 28;
    };
    for (const auto& c :
         {Case{10, 1, 32, {1, 1}, {1, 1}, true}, Case{3, 1, 20, {2, 2}, {0, 0}, true},
          Case{1, 1, 32, {1, 1}, {1, 1}, true}, Case{4, 8, 16, {1, 1}, {1, 1}, true},
          Case{4, 1, 16, {1, 1}, {1, 1}, false},
          // strided, few channels: space to depth (CaffeNet's conv1, odd kernels and paddings)
          Case{2, 3, 24, {4, 4}, {0, 0}, true, 11, 227},
          Case{1, 3, 8, {4, 4}, {0, 0}, true, 11, 35}, Case{2, 3, 8, {2, 2}, {2, 1}, true, 5, 31},
          Case{1, 4, 8, {2, 2}, {1, 1}, true, 4, 16},
          Case{2, 3, 8, {4, 4}, {0, 0}, false, 11, 35}}) {
        SCOPED_TRACE("batch " + std::to_string(c.batch) + ", " + std::to_string(c.in) +
                     " in, kernel " + std::to_string(c.kernel) + ", stride " +
                     std::to_string(c.stride[0]) + ", frozen " + std::to_string(c.frozen));
        const auto weight =
            (at::randn({c.out, c.in, c.kernel, c.kernel}, gen) * 0.1).requires_grad_(!c.frozen);
        const auto bias = at::randn({c.out}, gen);
        const auto x = at::randn({c.batch, c.in, c.size, c.size}, gen);
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
