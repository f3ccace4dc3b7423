#include "bfloat16_autocast.h"

#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>

namespace dgnam {

BFloat16Autocast::BFloat16Autocast(bool wanted, const c10::Device& device)
    : cuda_(device.is_cuda()) {
    if (!wanted || (cuda_ ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled()))
        return;
    active_ = true;
    if (cuda_) {
        previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    } else {
        previous_dtype_ = at::autocast::get_autocast_cpu_dtype();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
}

BFloat16Autocast::~BFloat16Autocast() {
    if (!active_)
        return;
    if (cuda_) {
        at::autocast::set_enabled(false);
        at::autocast::set_autocast_gpu_dtype(previous_dtype_);
    } else {
        at::autocast::set_cpu_enabled(false);
        at::autocast::set_autocast_cpu_dtype(previous_dtype_);
    }
    // Autocast keeps casts of leaf tensors that require gradients until the outermost scope ends.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
}

at::Tensor BFloat16Autocast::output(const at::Tensor& y) const {
    return active_ && y.scalar_type() != at::kFloat ? y.to(at::kFloat) : y;
}

}  // namespace dgnam
