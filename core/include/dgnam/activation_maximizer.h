#pragma once
// The interface both methods share (DGN-AM and pixel-space AM): a batch of units of one layer
// optimised in lock-step, each row with its own normalised step, clipping and decay.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "dgnam/optimizer_params.h"
#include "dgnam/pixel_space.h"
#include "dgnam/step_result.h"

namespace dgnam {

// The state of one row after the last step or evaluation.
struct RowOutcome {
    std::int64_t unit = 0;
    double activation = 0.0;
    std::optional<double> probability;
    at::Tensor image;  // [C, H, W] on the CPU, in the display space of the method
    double best_activation = 0.0;
    at::Tensor best_image;
    int skipped_steps = 0;
};

class ActivationMaximizer {
  public:
    virtual ~ActivationMaximizer() = default;

    // Takes one step at the current iteration and advances it.
    virtual StepResult step() = 0;
    // Takes up to `count` steps, fewer where the run ends (none when done()), and returns each
    // step's result in order. Here one step() after another; a split batch's parts meet once for
    // all of them instead of after each.
    virtual std::vector<StepResult> steps(int count);
    // How many steps a caller that looks for new parameters between calls should ask steps() for:
    // 1 unless taking several at once saves time.
    virtual int steps_per_call() const { return 1; }
    // Evaluates the current iterate (the last one after the final step): activation, probability
    // and image of every row, plus the best seen so far.
    virtual std::vector<RowOutcome> evaluate() = 0;
    // The current images, [B, C, H, W] on the CPU, without running the classifier.
    virtual at::Tensor current_images() = 0;

    // The space of the images above (the generator's for DGN-AM, the classifier's for pixel AM).
    virtual const PixelSpace& image_space() const = 0;
    virtual int iteration() const = 0;
    virtual const OptimizerParams& params() const = 0;
    // Applies from the next step. The seed and the starting point are not changed by this.
    virtual void set_params(const OptimizerParams& params) = 0;
    bool done() const { return iteration() >= params().iterations; }
};

inline std::vector<StepResult> ActivationMaximizer::steps(int count) {
    std::vector<StepResult> out;
    for (int i = 0; i < count && !done(); ++i)
        out.push_back(step());
    return out;
}

}  // namespace dgnam
