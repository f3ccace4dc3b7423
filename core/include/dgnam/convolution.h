#pragma once
// A 2-D convolution as at::conv2d computes it, for every network source (the pack's layered
// networks and Caffe files). A frozen layer over one input channel with a batch, on the CPU, runs
// through LibTorch's own (thnn) convolution: LibTorch 1.13 sends it to oneDNN, which is slow with
// one input channel (the bundled classifier's conv1 at batch 10, forward + backward to the input:
// 1.25 ms against 0.20 ms). At batch 1 LibTorch takes that path itself. A frozen strided layer
// over a few input channels (CaffeNet's conv1) runs as a stride-1 convolution of the input's
// space-to-depth rearrangement, whose input gradient oneDNN computes 4x faster. A large frozen
// 3x3 stride-1 layer in float32 (that one included; a grouped one group by group) runs through
// oneDNN's Winograd kernel (winograd_convolution.h), which agrees with at::conv2d to float
// tolerance rather than bit for bit. A frozen stride-1 layer in float32 with at most four output
// channels (a generator's grey or RGB last layer) runs as a direct loop (direct_convolution.h),
// also to float tolerance.
#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace dgnam {

at::Tensor convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       const std::vector<std::int64_t>& stride,
                       const std::vector<std::int64_t>& pad,
                       const std::vector<std::int64_t>& dilation, std::int64_t groups);

}  // namespace dgnam
