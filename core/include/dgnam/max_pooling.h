#pragma once
// 2-D max pooling as at::max_pool2d computes it, for every network source (the pack's layered
// networks and Caffe files). On the CPU the forward pass runs on a channels-last copy of the input:
// LibTorch 1.13's kernel for the plain (NCHW) layout visits one output at a time with scalar code,
// ten times slower than its channels-last kernel (the bundled classifier's pool1 at batch 10:
// 0.56 ms against 0.05 ms), while its plain backward is the faster one, so the gradient goes
// through that.
#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

namespace dgnam {

struct PoolingWindow {
    std::vector<std::int64_t> kernel, stride, pad;
    bool ceil = false;
};

at::Tensor max_pooling(const at::Tensor& x, const PoolingWindow& window);

}  // namespace dgnam
