#pragma once
// The normalised gradient step both methods share: x += lr / mean(|g|) * g, row by row.
#include <ATen/Tensor.h>

#include <string>
#include <vector>

namespace dgnam {

struct RowScales {
    at::Tensor scale;                       // [B] float: lr / mean(|g_b|), 0 for skipped rows
    std::vector<std::string> skip_reasons;  // per row; empty when the row steps
};

// gradient: [B, ...]. A row whose mean absolute gradient is zero or not finite gets scale 0 and
// a reason, so that the update leaves it unchanged instead of propagating NaN.
RowScales normalised_step_scales(const at::Tensor& gradient, double step_size);

// x + scale[b] * g for each row b (broadcast over the remaining dimensions).
at::Tensor apply_row_scales(const at::Tensor& x, const at::Tensor& gradient,
                            const at::Tensor& scale);

}  // namespace dgnam
