#include "dgnam/convolution.h"

#include <ATen/ATen.h>

namespace dgnam {

at::Tensor convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                       const std::vector<std::int64_t>& stride,
                       const std::vector<std::int64_t>& pad,
                       const std::vector<std::int64_t>& dilation, std::int64_t groups) {
    const bool grey_batch_frozen = x.dim() == 4 && x.size(0) > 1 && x.size(1) == 1 && groups == 1 &&
                                   dilation == std::vector<std::int64_t>{1, 1} &&
                                   x.device().is_cpu() && !weight.requires_grad();
    if (grey_batch_frozen)
        return at::thnn_conv2d(x, weight, {weight.size(2), weight.size(3)}, bias, stride, pad);
    return at::conv2d(x, weight, bias, stride, pad, dilation, groups);
}

}  // namespace dgnam
