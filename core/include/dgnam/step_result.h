#pragma once
// What one optimisation step reports, per batch row.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dgnam {

struct RowStep {
    std::int64_t unit = 0;
    double activation = 0.0;            // of the image the step started from (raw, pre-softmax)
    std::optional<double> probability;  // softmax of the output layer, when that is the layer
    bool skipped = false;               // a zero or non-finite gradient left this row unchanged
    std::string skip_reason;
};

struct StepResult {
    int iteration = 0;   // 0-based index of the step just taken
    int iterations = 0;  // n at the time of the step (it may change while running)
    double step_size = 0.0;
    double milliseconds = 0.0;
    std::vector<RowStep> rows;
    // The images the step started from, [B, C, H, W], detached, on the optimiser's device, in
    // the method's image space; what a live view shows for this step.
    at::Tensor images;
};

}  // namespace dgnam
