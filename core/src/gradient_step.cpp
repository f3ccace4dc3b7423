#include "dgnam/gradient_step.h"

#include <ATen/ATen.h>

#include <cmath>

namespace dgnam {

RowScales normalised_step_scales(const at::Tensor& gradient, double step_size) {
    const auto b = gradient.size(0);
    auto mean_abs = gradient.detach().abs().reshape({b, -1}).mean(1).to(at::kCPU).to(at::kDouble);
    RowScales out;
    out.skip_reasons.resize(b);
    std::vector<float> scale(b, 0.0f);
    const double* m = mean_abs.data_ptr<double>();
    for (std::int64_t i = 0; i < b; ++i) {
        if (!std::isfinite(m[i]))
            out.skip_reasons[i] = "the gradient is not finite";
        else if (m[i] == 0.0)
            out.skip_reasons[i] = "the gradient is zero";
        else
            scale[i] = static_cast<float>(step_size / m[i]);
    }
    out.scale = at::tensor(scale, gradient.options().dtype(at::kFloat));
    return out;
}

at::Tensor apply_row_scales(const at::Tensor& x, const at::Tensor& gradient,
                            const at::Tensor& scale) {
    std::vector<std::int64_t> shape(x.dim(), 1);
    shape[0] = x.size(0);
    // A skipped row may hold NaN in its gradient; zero it so that 0 * NaN cannot leak in.
    auto safe = at::where(scale.view(shape) != 0, gradient, at::zeros_like(gradient));
    return x + scale.view(shape) * safe;
}

}  // namespace dgnam
