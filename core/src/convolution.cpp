#include "dgnam/convolution.h"

#include <ATen/ATen.h>

#include "dgnam/direct_convolution.h"
#include "dgnam/winograd_convolution.h"

#include "autocast_switch.h"

namespace dgnam {
namespace {

bool frozen_on_cpu(const at::Tensor& x, const at::Tensor& weight,
                   const std::vector<std::int64_t>& dilation) {
    return x.dim() == 4 && x.device().is_cpu() && !weight.requires_grad() &&
           dilation == std::vector<std::int64_t>{1, 1};
}

// oneDNN's Winograd path costs ~0.1 ms a call more than LibTorch's (primitive descriptors,
// layout reorders), more than it saves on small convolutions: the bundled pack's one-unit step
// took 1.94 ms with it on every 3x3 layer against 1.47 without, its batch-10 step the same
// either way, and paper scale at batch 1 lost 6 ms (79.5 -> 85.7) with CaffeNet's 56 M
// multiply-add groups on it. From 100 M: batch 8 at paper scale, the bundled pack from batch 32.
constexpr std::int64_t kWinogradFromMultiplyAdds = 100'000'000;

std::int64_t multiply_adds_3x3(const at::Tensor& x, const at::Tensor& weight,
                               const std::vector<std::int64_t>& pad) {
    const auto out_h = x.size(2) + 2 * pad[0] - 2, out_w = x.size(3) + 2 * pad[1] - 2;
    return x.size(0) * weight.size(0) * weight.size(1) * 9 * out_h * out_w;
}

// A frozen stride-1 convolution in float32 that oneDNN's Winograd kernel pays off for: 3x3 and
// large. Autocast (bfloat16) keeps LibTorch's path, which converts.
bool winograd_pays_off(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       const std::vector<std::int64_t>& pad) {
    const bool float32 = x.scalar_type() == at::kFloat && weight.scalar_type() == at::kFloat &&
                         (!bias.defined() || bias.scalar_type() == at::kFloat);
    return weight.size(2) == 3 && weight.size(3) == 3 && float32 && !autocast_enabled(c10::kCPU) &&
           (!bias.defined() || !bias.requires_grad()) &&
           multiply_adds_3x3(x, weight, pad) >= kWinogradFromMultiplyAdds;
}

// A frozen stride-1 convolution: through oneDNN's Winograd kernel where it pays off and exists
// (winograd_convolution.h), else as LibTorch runs it.
at::Tensor stride_one_convolution(const at::Tensor& x, const at::Tensor& weight,
                                  const at::Tensor& bias, const std::vector<std::int64_t>& pad) {
    if (winograd_pays_off(x, weight, bias, pad))
        if (auto y = winograd_convolution(x, weight, bias, pad[0], pad[1]))
            return *y;
    return at::conv2d(x, weight, bias, 1, pad);
}

// A grouped layer (CaffeNet's conv4 and conv5: two groups) as one convolution per group, each
// through stride_one_convolution: oneDNN has no Winograd kernel for a grouped convolution. Batch
// 8, forward + input gradient of both: 26 ms direct.
at::Tensor per_group_convolution(const at::Tensor& x, const at::Tensor& weight,
                                 const at::Tensor& bias, const std::vector<std::int64_t>& pad,
                                 std::int64_t groups) {
    const auto in = x.size(1) / groups, out = weight.size(0) / groups;
    std::vector<at::Tensor> parts;
    for (std::int64_t g = 0; g < groups; ++g)
        parts.push_back(
            stride_one_convolution(x.narrow(1, g * in, in), weight.narrow(0, g * out, out),
                                   bias.defined() ? bias.narrow(0, g * out, out) : bias, pad));
    return at::cat(parts, 1);
}

// A strided layer over few input channels (the first layer on the pixels) is a stride-1
// convolution of the space-to-depth input: with the kernel padded with zeros to a multiple of
// the stride s, x's s x s pixel blocks become channels (pixel_unshuffle: c s^2 + dy s + dx) and
// kernel tap (s a + dy, s b + dx) of input channel c becomes tap (a, b) of channel c s^2 + dy s +
// dx. oneDNN computes the input gradient of a stride-4 convolution slowly: CaffeNet's conv1 (11x11
// stride 4 on 3x227x227), forward + backward to the input, 52 -> 23 ms at batch 8 and 6.5 -> 3.2 ms
// at batch 1, for 19% more multiply-adds (12x12 taps instead of 11x11).
bool space_to_depth_pays_off(const at::Tensor& x, const at::Tensor& weight,
                             const std::vector<std::int64_t>& stride) {
    const auto s = stride[0];
    return stride[1] == s && s >= 2 && x.size(1) * s * s <= 64 && weight.size(2) >= s &&
           weight.size(3) >= s;
}

at::Tensor space_to_depth_convolution(const at::Tensor& x, const at::Tensor& weight,
                                      const at::Tensor& bias, std::int64_t s,
                                      const std::vector<std::int64_t>& pad) {
    const auto out = weight.size(0), in = weight.size(1);
    const auto taps_h = (weight.size(2) + s - 1) / s, taps_w = (weight.size(3) + s - 1) / s;
    // [out, in, taps_h * s, taps_w * s] -> [out, in, dy, dx, a, b] -> [out, in s^2, a, b]
    const auto kernel = at::constant_pad_nd(weight, {0, taps_w * s - weight.size(3), 0,
                                                     taps_h * s - weight.size(2)})
                            .view({out, in, taps_h, s, taps_w, s})
                            .permute({0, 1, 3, 5, 2, 4})
                            .reshape({out, in * s * s, taps_h, taps_w});
    const auto out_h = (x.size(2) + 2 * pad[0] - weight.size(2)) / s + 1;
    const auto out_w = (x.size(3) + 2 * pad[1] - weight.size(3)) / s + 1;
    // Padded to exactly the blocks the output reads; a negative pad crops rows it never reads.
    const auto rows = (out_h - 1 + taps_h) * s, cols = (out_w - 1 + taps_w) * s;
    const auto padded = at::constant_pad_nd(
        x, {pad[1], cols - x.size(3) - pad[1], pad[0], rows - x.size(2) - pad[0]});
    return stride_one_convolution(at::pixel_unshuffle(padded, s), kernel, bias, {0, 0});
}

}  // namespace

at::Tensor convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       const std::vector<std::int64_t>& stride,
                       const std::vector<std::int64_t>& pad,
                       const std::vector<std::int64_t>& dilation, std::int64_t groups) {
    const bool stride_one = stride == std::vector<std::int64_t>{1, 1};
    if (frozen_on_cpu(x, weight, dilation) && groups > 1) {
        // multiply_adds_3x3 reads only the batch and size of x: one group's weights suffice
        const auto group_weight = weight.narrow(0, 0, weight.size(0) / groups);
        if (stride_one && winograd_pays_off(x, group_weight, bias, pad))
            return per_group_convolution(x, weight, bias, pad, groups);
    } else if (frozen_on_cpu(x, weight, dilation)) {
        if (stride_one && direct_convolution_fits(x, weight, bias, pad[0], pad[1]))
            return direct_convolution(x, weight, bias, pad[0], pad[1]);
        if (x.size(0) > 1 && x.size(1) == 1)
            return at::thnn_conv2d(x, weight, {weight.size(2), weight.size(3)}, bias, stride, pad);
        if (space_to_depth_pays_off(x, weight, stride))
            return space_to_depth_convolution(x, weight, bias, stride[0], pad);
        if (stride_one)
            return stride_one_convolution(x, weight, bias, pad);
    }
    return at::conv2d(x, weight, bias, stride, pad, dilation, groups);
}

}  // namespace dgnam
