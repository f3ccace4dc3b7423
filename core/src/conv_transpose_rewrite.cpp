#include "dgnam/conv_transpose_rewrite.h"

#include <ATen/ATen.h>

#include <vector>

namespace dgnam {

bool conv_transpose_rewritable(std::int64_t kernel_h, std::int64_t kernel_w, std::int64_t stride_h,
                               std::int64_t stride_w, std::int64_t pad_h, std::int64_t pad_w) {
    if (kernel_h != kernel_w || stride_h != stride_w || pad_h != pad_w)
        return false;
    return (kernel_h == 4 && stride_h == 2 && pad_h == 1) ||
           (kernel_h == 3 && stride_h == 1 && pad_h == 1);
}

// LibTorch 1.13 runs transposed convolutions on the CPU through a slow col2im path. The two kinds
// the paper's generator uses have exact rewrites into plain convolutions, which oneDNN runs fast:
// - kernel 4, stride 2, pad 1: a 3x3 pad-1 convolution with 4x the output channels, one per
//   output phase (ry, rx), followed by pixel_shuffle(2);
// - kernel 3, stride 1, pad 1: a convolution with the kernel's in/out swapped and flipped.
// The kernel is rebuilt from the weight on each call (cheap next to the convolution), so the
// rewrite also holds while training.
at::Tensor rewritten_conv_transpose(const at::Tensor& x, const at::Tensor& weight,
                                    const at::Tensor& bias, std::int64_t kernel,
                                    std::int64_t stride, std::int64_t pad) {
    const std::vector<std::int64_t> unit{1, 1}, same_pad{1, 1};
    if (kernel == 3 && stride == 1 && pad == 1) {
        auto k = weight.transpose(0, 1).flip({2, 3});
        return at::conv2d(x, k, bias, unit, same_pad);
    }
    // Output row 2m + r reads input rows m - 1, m, m + 1 (taps j = 0, 1, 2) through kernel rows:
    // r = 0: j0 -> 3, j1 -> 1, j2 -> none; r = 1: j0 -> none, j1 -> 2, j2 -> 0.
    static const std::int64_t tap[2][3] = {{3, 1, -1}, {-1, 2, 0}};
    const auto in = weight.size(0), out = weight.size(1);
    auto padded = at::constant_pad_nd(weight, {0, 1, 0, 1}, 0.0);  // index 4 reads zero
    std::vector<std::int64_t> rows, cols;
    for (int ry = 0; ry < 2; ++ry)
        for (int rx = 0; rx < 2; ++rx)
            for (int jy = 0; jy < 3; ++jy)
                for (int jx = 0; jx < 3; ++jx) {
                    rows.push_back(tap[ry][jy] < 0 ? 4 : tap[ry][jy]);
                    cols.push_back(tap[rx][jx] < 0 ? 4 : tap[rx][jx]);
                }
    auto index_y = at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(weight.device());
    auto index_x = at::tensor(cols, at::TensorOptions().dtype(at::kLong)).to(weight.device());
    // [in, out, 36] -> [in, out, 4 phases, 3, 3] -> [out, 4, in, 3, 3] -> [out * 4, in, 3, 3]
    auto gathered = padded.index({at::indexing::Slice(), at::indexing::Slice(), index_y, index_x});
    auto k =
        gathered.view({in, out, 4, 3, 3}).permute({1, 2, 0, 3, 4}).reshape({out * 4, in, 3, 3});
    auto b = bias.defined() ? bias.repeat_interleave(4) : bias;
    return at::pixel_shuffle(at::conv2d(x, k, b, unit, same_pad), 2);
}

}  // namespace dgnam
