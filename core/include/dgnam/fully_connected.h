#pragma once
// y = x W^T + b for a batch x [N, in] and a weight [out, in], as at::linear computes it. Frozen
// weights on the CPU run through oneDNN's sgemm when dgnam_core was built with it (forward, and
// backward to the input only): Debian's LibTorch sends at::linear to OpenBLAS on one thread,
// 3-8x slower here (CaffeNet's fc6, 4096 x 9216, forward + backward: 51 against 8.4 ms at
// batch 1, 58 against 23 ms at batch 8 on 2 cores), and the fully connected layers read about
// 0.4 GB of weights per paper-scale forward. Weights that train, and other devices, take
// at::linear.
#include <ATen/Tensor.h>

namespace dgnam {

at::Tensor fully_connected(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace dgnam
