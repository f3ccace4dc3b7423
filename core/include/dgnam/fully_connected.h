#pragma once
// y = x W^T + b for a batch x [N, in] and a weight [out, in], as at::linear computes it, but a
// single sample with large frozen weights (from 1 M values) runs as a matrix-vector product:
// OpenBLAS's sgemm with one row is several times slower than its sgemv, and so is the backward to
// the input (measured for CaffeNet's fc6, 4096 x 9216, on 2 cores: forward 20 against 8 ms,
// backward 41 against 8 ms). The fully connected layers read about 0.4 GB of weights per
// paper-scale forward, so this is most of a batch-1 step.
#include <ATen/Tensor.h>

namespace dgnam {

at::Tensor fully_connected(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace dgnam
