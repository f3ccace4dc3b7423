#pragma once
// A frozen stride-1 convolution with at most four output channels (a generator's grey or RGB last
// layer) as a direct loop over output rows, 16 pixels to a vector register. oneDNN computes output
// channels in blocks of 16, so for one channel 15/16 of its work is padding. Forward + input
// gradient, measured on 2 cores (medians of 9): the bundled generator's deconv0 (8 -> 1 at 32x32)
// at batch 5 on one thread 320-480 -> 58 us, at batch 1 on two 112-120 -> 18 us; 64 -> 3 at
// 64x64, batch 5, one thread 15.3 -> 6.8 ms. From 8 output channels oneDNN is as fast or faster
// (16 -> 8 at 32x32: 0.73 against 0.83 ms). Sums run in another order than at::conv2d's: results
// agree to float tolerance, not bit for bit.
#include <ATen/Tensor.h>

#include <cstdint>

namespace dgnam {

// x [N, C, H, W] and weight [O, C, kh, kw] float32 on the CPU, O <= 4, weight and bias frozen,
// no autocast, 0 <= pad <= kernel - 1 on each axis and an output of at least one pixel.
bool direct_convolution_fits(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                             std::int64_t pad_h, std::int64_t pad_w);

// The loop is compiled for three instruction sets and runs the best this CPU has; tests ask for
// each one the CPU has (one it lacks is an Error).
enum class InstructionSet { Best, Avx512, Avx2, Baseline };
bool cpu_has(InstructionSet set);

// Stride 1, no dilation or groups; `bias` may be undefined. When x requires a gradient, its
// gradient comes from the same loop over the flipped, transposed kernel.
at::Tensor direct_convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              std::int64_t pad_h, std::int64_t pad_w,
                              InstructionSet set = InstructionSet::Best);

}  // namespace dgnam
