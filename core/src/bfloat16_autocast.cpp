#include "bfloat16_autocast.h"

#include <ATen/ATen.h>

#include "autocast_switch.h"

namespace dgnam {

BFloat16Autocast::BFloat16Autocast(bool wanted, const c10::Device& device)
    : device_type_(device.is_cuda() ? c10::kCUDA : c10::kCPU) {
    if (!wanted || autocast_enabled(device_type_))
        return;
    active_ = true;
    previous_dtype_ = autocast_dtype(device_type_);
    set_autocast_dtype(device_type_, at::kBFloat16);
    enable_autocast(device_type_, true);
    at::autocast::increment_nesting();
}

BFloat16Autocast::~BFloat16Autocast() {
    if (!active_)
        return;
    enable_autocast(device_type_, false);
    set_autocast_dtype(device_type_, previous_dtype_);
    // Autocast keeps casts of leaf tensors that require gradients until the outermost scope ends.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
}

at::Tensor BFloat16Autocast::output(const at::Tensor& y) const {
    return active_ && y.scalar_type() != at::kFloat ? y.to(at::kFloat) : y;
}

}  // namespace dgnam
