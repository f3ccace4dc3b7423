#include "dgnam/convolution.h"

#include <ATen/ATen.h>

namespace dgnam {
namespace {

bool frozen_on_cpu(const at::Tensor& x, const at::Tensor& weight, std::int64_t groups,
                   const std::vector<std::int64_t>& dilation) {
    return x.dim() == 4 && x.device().is_cpu() && !weight.requires_grad() && groups == 1 &&
           dilation == std::vector<std::int64_t>{1, 1};
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
    return at::conv2d(at::pixel_unshuffle(padded, s), kernel, bias);
}

}  // namespace

at::Tensor convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       const std::vector<std::int64_t>& stride,
                       const std::vector<std::int64_t>& pad,
                       const std::vector<std::int64_t>& dilation, std::int64_t groups) {
    if (frozen_on_cpu(x, weight, groups, dilation)) {
        if (x.size(0) > 1 && x.size(1) == 1)
            return at::thnn_conv2d(x, weight, {weight.size(2), weight.size(3)}, bias, stride, pad);
        if (space_to_depth_pays_off(x, weight, stride))
            return space_to_depth_convolution(x, weight, bias, stride[0], pad);
    }
    return at::conv2d(x, weight, bias, stride, pad, dilation, groups);
}

}  // namespace dgnam
