#pragma once
// LibTorch's autocast switches for one device type. LibTorch 2.4 replaced the per-device calls
// (is_cpu_enabled, set_autocast_gpu_dtype, ...) with ones that take the device type; the old
// names still compile there but log a deprecation warning on every call, and the convolutions
// ask once a layer, every step.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace dgnam {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
inline bool autocast_enabled(c10::DeviceType type) {
    return at::autocast::is_autocast_enabled(type);
}
inline void enable_autocast(c10::DeviceType type, bool enabled) {
    at::autocast::set_autocast_enabled(type, enabled);
}
inline at::ScalarType autocast_dtype(c10::DeviceType type) {
    return at::autocast::get_autocast_dtype(type);
}
inline void set_autocast_dtype(c10::DeviceType type, at::ScalarType dtype) {
    at::autocast::set_autocast_dtype(type, dtype);
}
#else
inline bool autocast_enabled(c10::DeviceType type) {
    return type == c10::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
inline void enable_autocast(c10::DeviceType type, bool enabled) {
    if (type == c10::kCUDA)
        at::autocast::set_enabled(enabled);
    else
        at::autocast::set_cpu_enabled(enabled);
}
inline at::ScalarType autocast_dtype(c10::DeviceType type) {
    return type == c10::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                              : at::autocast::get_autocast_cpu_dtype();
}
inline void set_autocast_dtype(c10::DeviceType type, at::ScalarType dtype) {
    if (type == c10::kCUDA)
        at::autocast::set_autocast_gpu_dtype(dtype);
    else
        at::autocast::set_autocast_cpu_dtype(dtype);
}
#endif

}  // namespace dgnam
