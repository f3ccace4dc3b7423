#pragma once
// What the optimiser needs of a deep generator network G: its code size, per-unit code bounds,
// its output image and G(code) -> image.
#include <ATen/Tensor.h>

#include <string>

#include "dgnam/classifier.h"

namespace dgnam {

// Per-unit bounds of the code. The paper clips fc6 codes to [0, upper[u]] with upper from the
// activation statistics ("3x": three standard deviations), because fc6 is post-ReLU.
struct CodeBounds {
    at::Tensor lower;    // [D] float
    at::Tensor upper;    // [D] float
    std::string method;  // how they were derived, for the record

    // Bounds scaled by `scale` (a user's clip-scale parameter) on the given device.
    CodeBounds scaled(double scale, const at::Device& device) const;
};

class Generator {
  public:
    virtual ~Generator() = default;

    virtual std::int64_t code_size() const = 0;
    virtual const CodeBounds& bounds() const = 0;
    virtual const ImageSpec& output() const = 0;
    // code: [N, D] -> image [N, C, H, W] in output().space; differentiable w.r.t. the code.
    virtual at::Tensor generate(const at::Tensor& code) const = 0;
    virtual void to(const at::Device& device) = 0;
    virtual void set_execution_mode(const ExecutionMode&) {}
    // Multiply-adds of one image's forward pass; 0 where the source does not say.
    virtual std::int64_t multiply_adds() const { return 0; }
};

}  // namespace dgnam
