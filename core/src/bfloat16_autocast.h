#pragma once
// LibTorch's autocast to bfloat16 around one network's forward pass: convolutions (and whatever
// else autocast lists) run in bfloat16 on hardware that has it, accumulating in float32 inside
// oneDNN; the optimiser's arithmetic stays in float32. Nested networks (a residual block inside a
// net) find it already on and leave it alone.
#include <ATen/Tensor.h>
#include <c10/core/Device.h>

namespace dgnam {

class BFloat16Autocast {
  public:
    BFloat16Autocast(bool wanted, const c10::Device& device);
    ~BFloat16Autocast();
    BFloat16Autocast(const BFloat16Autocast&) = delete;
    BFloat16Autocast& operator=(const BFloat16Autocast&) = delete;

    // The network's output in float32 when this scope switched autocast on, else unchanged.
    at::Tensor output(const at::Tensor& y) const;

  private:
    bool active_ = false;
    c10::DeviceType device_type_ = c10::kCPU;
    c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

}  // namespace dgnam
