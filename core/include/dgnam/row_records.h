#pragma once
// Per-row bookkeeping both methods share: the highest activation seen and its image (the
// released code returns the last iterate, but the best one is worth keeping), and skip counts.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "dgnam/activation_maximizer.h"
#include "dgnam/objective.h"
#include "dgnam/step_result.h"

namespace dgnam {

class RowRecords {
  public:
    explicit RowRecords(std::vector<std::int64_t> units);

    // images: [B, C, H, W] (any device) of the iterate whose activations are given.
    void observe(const std::vector<double>& activations, const at::Tensor& images);
    // Fills result.rows from the readout and the per-row skip reasons ("" = the row stepped) and
    // counts the skips. Returns a [B, 1, ...] bool mask (`dims` dimensions) on `device`: true for
    // rows whose state must stay unchanged.
    at::Tensor record_step(StepResult& result, const Readout& readout,
                           const std::vector<std::string>& skip_reasons, const at::Device& device,
                           std::int64_t dims);
    std::vector<RowOutcome> outcomes(const std::vector<double>& activations,
                                     const std::vector<std::optional<double>>& probabilities,
                                     const at::Tensor& images) const;
    const std::vector<std::int64_t>& units() const { return units_; }

  private:
    bool has_best(std::size_t row) const;

    std::vector<std::int64_t> units_;
    std::vector<double>
        best_activation_;  // -infinity until a row's first activation that is not NaN
    // [B, C, H, W] on the images' device, row i meaningful once has_best(i):
    // one tensor rather than one per row, so that a step's update is one operation at any batch.
    at::Tensor best_images_;
    std::vector<int> skipped_;
};

}  // namespace dgnam
