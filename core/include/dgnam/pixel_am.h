#pragma once
// Pixel-space activation maximisation, the baseline DGN-AM improves on: the same normalised step
// applied to the classifier's input image directly, with L2 decay, jitter and blur regularisers.
// The step size is in grey levels (1/255 of the range), so the paper's learning rates carry over.
#include <ATen/Tensor.h>

#include "dgnam/activation_maximizer.h"
#include "dgnam/classifier.h"
#include "dgnam/objective.h"
#include "dgnam/row_records.h"

namespace dgnam {

class PixelAm final : public ActivationMaximizer {
  public:
    // Starts from the mean image plus seeded noise of 0.05 (unit range) standard deviation.
    PixelAm(const Classifier& classifier, Objective objective, std::vector<std::int64_t> units,
            OptimizerParams params, at::Device device);

    StepResult step() override;
    std::vector<RowOutcome> evaluate() override;
    at::Tensor current_images() override;
    const PixelSpace& image_space() const override;
    int iteration() const override { return iteration_; }
    const OptimizerParams& params() const override { return params_; }
    void set_params(const OptimizerParams& params) override;

  private:
    const Classifier& classifier_;
    Objective objective_;
    OptimizerParams params_;
    at::Device device_;
    at::Tensor image_;          // [B, C, H, W] in the classifier's space
    at::Tensor lower_, upper_;  // [1, C, 1, 1] valid stored range
    at::Generator jitter_rng_;
    int iteration_ = 0;
    bool is_output_layer_ = false;
    RowRecords records_;
};

}  // namespace dgnam
