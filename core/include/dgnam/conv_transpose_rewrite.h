#pragma once
// Transposed convolutions rewritten into plain ones, which oneDNN runs much faster on the CPU
// than LibTorch 1.13's col2im path. Used by every network source (pack, Caffe).
#include <ATen/Tensor.h>

#include <cstdint>

namespace dgnam {

// True for the two kinds the paper's generator uses (square kernel 4 stride 2 pad 1, or kernel 3
// stride 1 pad 1), without groups, dilation or output padding.
bool conv_transpose_rewritable(std::int64_t kernel_h, std::int64_t kernel_w, std::int64_t stride_h,
                               std::int64_t stride_w, std::int64_t pad_h, std::int64_t pad_w);

// Equals at::conv_transpose2d(x, weight, bias, stride, pad) within float tolerance when
// conv_transpose_rewritable(kernel, kernel, stride, stride, pad, pad). weight: [in, out, k, k].
at::Tensor rewritten_conv_transpose(const at::Tensor& x, const at::Tensor& weight,
                                    const at::Tensor& bias, std::int64_t kernel,
                                    std::int64_t stride, std::int64_t pad);

}  // namespace dgnam
