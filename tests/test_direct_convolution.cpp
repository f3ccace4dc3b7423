// The direct convolution for few output channels agrees with at::conv2d, values and the input's
// gradient, to float tolerance, on widths that do and do not fill whole 16-pixel vectors, and
// the shared convolution takes it for frozen layers with at most four output channels only.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/function.h>

#include <string>

#include "dgnam/convolution.h"
#include "dgnam/direct_convolution.h"
#include "test_support.h"

namespace dgnam {
namespace {

struct LayerShape {
    std::int64_t batch, in, out, height, width, kernel, pad_h, pad_w;
    bool bias;
    std::string text() const {
        return "batch " + std::to_string(batch) + ", " + std::to_string(in) + " -> " +
               std::to_string(out) + " at " + std::to_string(height) + "x" + std::to_string(width) +
               ", kernel " + std::to_string(kernel) + ", pad " + std::to_string(pad_h) + "/" +
               std::to_string(pad_w);
    }
};

struct RandomLayer {
    at::Tensor weight, bias, x, grad_y;
};

RandomLayer random_layer(const LayerShape& s, std::uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    RandomLayer l;
    l.weight = at::randn({s.out, s.in, s.kernel, s.kernel}, gen) * 0.1;
    l.bias = s.bias ? at::randn({s.out}, gen) : at::Tensor();
    l.x = at::randn({s.batch, s.in, s.height, s.width}, gen);
    l.grad_y = at::randn({s.batch, s.out, s.height + 2 * s.pad_h - s.kernel + 1,
                          s.width + 2 * s.pad_w - s.kernel + 1},
                         gen);
    return l;
}

struct ValueAndGradient {
    at::Tensor y, grad;
};

template <class Convolve>
ValueAndGradient value_and_gradient(Convolve convolve, const RandomLayer& l) {
    auto xi = l.x.clone().requires_grad_(true);
    const auto y = convolve(xi);
    y.backward(l.grad_y);
    return {y.detach(), xi.grad()};
}

class ComputeThreads {
  public:
    explicit ComputeThreads(int threads) : before_(at::get_num_threads()) {
        at::set_num_threads(threads);
    }
    ~ComputeThreads() { at::set_num_threads(before_); }
    ComputeThreads(const ComputeThreads&) = delete;
    ComputeThreads& operator=(const ComputeThreads&) = delete;

  private:
    int before_;
};

TEST(DirectConvolution, AgreesWithConv2dValuesAndInputGradient) {
    const LayerShape shapes[] = {
        {5, 8, 1, 32, 32, 3, 1, 1, true},   // the bundled generator's last layer
        {1, 3, 3, 17, 23, 3, 1, 1, false},  // widths that leave a part-filled vector
        {2, 64, 3, 40, 33, 3, 0, 0, true},  // many input channels: a gradient of 64 outputs
        {3, 2, 4, 20, 20, 5, 2, 2, true},   // a 5x5 kernel
        {2, 4, 2, 9, 50, 3, 0, 2, true},    // different padding on each axis
        {1, 1, 1, 16, 16, 1, 0, 0, true},   // 1x1
    };
    std::uint64_t seed = 11;
    for (const auto& s : shapes) {
        SCOPED_TRACE(s.text());
        const auto l = random_layer(s, seed++);
        ASSERT_TRUE(direct_convolution_fits(l.x, l.weight, l.bias, s.pad_h, s.pad_w));
        const auto expected = value_and_gradient(
            [&](const at::Tensor& xi) {
                return at::conv2d(xi, l.weight, l.bias, 1, {s.pad_h, s.pad_w});
            },
            l);
        for (const auto set : {InstructionSet::Best, InstructionSet::Avx512, InstructionSet::Avx2,
                               InstructionSet::Baseline}) {
            if (!cpu_has(set))
                continue;
            SCOPED_TRACE("instruction set " + std::to_string(static_cast<int>(set)));
            const auto actual = value_and_gradient(
                [&](const at::Tensor& xi) {
                    return direct_convolution(xi, l.weight, l.bias, s.pad_h, s.pad_w, set);
                },
                l);
            ASSERT_EQ(actual.y.sizes(), expected.y.sizes());
            ASSERT_EQ(actual.grad.sizes(), expected.grad.sizes());
            EXPECT_LT(test::relative_error(actual.y, expected.y), 1e-5);
            EXPECT_LT(test::relative_error(actual.grad, expected.grad), 1e-5);
        }
    }
}

TEST(DirectConvolution, SameResultOnOneThreadAndOnTwo) {
    // Each output row is one task summed in the same order, however the rows are shared out.
    const auto l = random_layer({16, 8, 3, 32, 32, 3, 1, 1, true}, 3);
    const auto on = [&](int threads) {
        ComputeThreads count(threads);
        return value_and_gradient(
            [&](const at::Tensor& xi) { return direct_convolution(xi, l.weight, l.bias, 1, 1); },
            l);
    };
    const auto one = on(1), two = on(2);
    EXPECT_TRUE(at::equal(one.y, two.y));
    EXPECT_TRUE(at::equal(one.grad, two.grad));
}

TEST(DirectConvolution, TakesAnyInputLayoutAndNoGradientMode) {
    const auto l = random_layer({2, 6, 2, 12, 19, 3, 1, 1, true}, 5);
    const auto expected = at::conv2d(l.x, l.weight, l.bias, 1, 1);
    at::NoGradGuard no_grad;
    const auto channels_last = l.x.contiguous(at::MemoryFormat::ChannelsLast);
    EXPECT_LT(
        test::relative_error(direct_convolution(channels_last, l.weight, l.bias, 1, 1), expected),
        1e-5);
    const auto strided = at::cat({l.x, l.x}, 3).narrow(3, 0, 19);  // rows twice as long
    EXPECT_LT(test::relative_error(direct_convolution(strided, l.weight, l.bias, 1, 1), expected),
              1e-5);
}

TEST(DirectConvolution, FitsFrozenFloatLayersWithFewOutputChannelsOnly) {
    const auto l = random_layer({2, 8, 1, 16, 16, 3, 1, 1, true}, 7);
    EXPECT_TRUE(direct_convolution_fits(l.x, l.weight, l.bias, 1, 1));
    EXPECT_TRUE(direct_convolution_fits(l.x, l.weight, at::Tensor(), 1, 1));
    EXPECT_TRUE(direct_convolution_fits(l.x, at::randn({4, 8, 3, 3}), l.bias.repeat({4}), 1, 1));
    // oneDNN is as fast from 8 output channels on
    EXPECT_FALSE(direct_convolution_fits(l.x, at::randn({5, 8, 3, 3}), at::Tensor(), 1, 1));
    // weights being trained, and other types
    EXPECT_FALSE(direct_convolution_fits(l.x, l.weight.clone().requires_grad_(true), l.bias, 1, 1));
    EXPECT_FALSE(direct_convolution_fits(l.x, l.weight, l.bias.clone().requires_grad_(true), 1, 1));
    EXPECT_FALSE(direct_convolution_fits(l.x.to(at::kDouble), l.weight.to(at::kDouble),
                                         l.bias.to(at::kDouble), 1, 1));
    EXPECT_FALSE(direct_convolution_fits(l.x, l.weight, l.bias.narrow(0, 0, 0), 1, 1));
    // padding the input's gradient could not be written as a padding of the output's
    EXPECT_FALSE(direct_convolution_fits(l.x, l.weight, l.bias, 3, 1));
    EXPECT_FALSE(direct_convolution_fits(l.x, l.weight, l.bias, 1, -1));
    // no output pixel, mismatched channels, an empty batch
    EXPECT_FALSE(direct_convolution_fits(at::randn({2, 8, 1, 16}), l.weight, l.bias, 0, 1));
    EXPECT_FALSE(direct_convolution_fits(at::randn({2, 7, 16, 16}), l.weight, l.bias, 1, 1));
    EXPECT_FALSE(direct_convolution_fits(at::randn({0, 8, 16, 16}), l.weight, l.bias, 1, 1));
    {
        // bfloat16 autocast keeps LibTorch's path, which converts
        at::autocast::set_cpu_enabled(true);
        EXPECT_FALSE(direct_convolution_fits(l.x, l.weight, l.bias, 1, 1));
        at::autocast::set_cpu_enabled(false);
    }
}

TEST(DirectConvolution, SharedConvolutionTakesItForFewOutputChannels) {
    const auto grey = random_layer({3, 8, 1, 32, 32, 3, 1, 1, true}, 9);
    auto xi = grey.x.clone().requires_grad_(true);
    const auto y = convolution(xi, grey.weight, grey.bias, {1, 1}, {1, 1}, {1, 1}, 1);
    ASSERT_TRUE(y.grad_fn());
    EXPECT_NE(y.grad_fn()->name().find("DirectConvolution"), std::string::npos)
        << y.grad_fn()->name();

    // Eight output channels, a stride or weights being trained keep the other paths.
    const auto eight = random_layer({3, 8, 8, 32, 32, 3, 1, 1, true}, 10);
    xi = eight.x.clone().requires_grad_(true);
    const auto y8 = convolution(xi, eight.weight, eight.bias, {1, 1}, {1, 1}, {1, 1}, 1);
    EXPECT_EQ(y8.grad_fn()->name().find("DirectConvolution"), std::string::npos);
    xi = grey.x.clone().requires_grad_(true);
    const auto strided = convolution(xi, grey.weight, grey.bias, {2, 2}, {1, 1}, {1, 1}, 1);
    EXPECT_EQ(strided.grad_fn()->name().find("DirectConvolution"), std::string::npos);
    const auto trained = convolution(grey.x, grey.weight.clone().requires_grad_(true), grey.bias,
                                     {1, 1}, {1, 1}, {1, 1}, 1);
    EXPECT_EQ(trained.grad_fn()->name().find("DirectConvolution"), std::string::npos);
}

}  // namespace
}  // namespace dgnam
