#pragma once
// A frozen 3x3 stride-1 convolution on the CPU through oneDNN's Winograd kernel (F(4x4, 3x3)):
// 2.25x fewer multiplications than the direct kernel LibTorch 1.13 always asks oneDNN for.
// Measured on 2 cores, batch 8, forward / input gradient: 128 -> 128 channels at 32x32 10.7 /
// 11.2 ms direct against 4.8 / 4.9 ms; CaffeNet's conv3 (256 -> 384 at 13x13) 10.0 / 10.1 against
// 6.4 / 7.0 ms. Winograd's transforms round differently from the direct sum: results agree with
// at::conv2d to ~2e-6 of the output's largest magnitude (tests/test_winograd_convolution.cpp), not
// bit for bit.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>

namespace dgnam {

// x [N, C, H, W] float32 on the CPU, weight [O, C, 3, 3] and bias [O] (or undefined) frozen;
// `pad` rows and columns of zeros on each side. nullopt when this build has no oneDNN or oneDNN
// has no Winograd kernel for the shape on this CPU (it wants AVX-512); the input's gradient, if
// it needs one, comes from the same kernel run backwards.
std::optional<at::Tensor> winograd_convolution(const at::Tensor& x, const at::Tensor& weight,
                                               const at::Tensor& bias, std::int64_t pad_h,
                                               std::int64_t pad_w);

}  // namespace dgnam
