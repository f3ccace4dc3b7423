#include "dgnam/row_records.h"

#include <ATen/ATen.h>

#include <limits>

namespace dgnam {

RowRecords::RowRecords(std::vector<std::int64_t> units)
    : units_(std::move(units)),
      best_activation_(units_.size(), -std::numeric_limits<double>::infinity()),
      best_image_(units_.size()),
      skipped_(units_.size(), 0) {}

void RowRecords::observe(const std::vector<double>& activations, const at::Tensor& images) {
    for (std::size_t i = 0; i < units_.size(); ++i) {
        if (activations[i] > best_activation_[i]) {
            best_activation_[i] = activations[i];
            best_image_[i] = images[i].detach().to(at::kCPU).clone();
        }
    }
}

at::Tensor RowRecords::record_step(StepResult& result, const Readout& readout,
                                   const std::vector<std::string>& skip_reasons,
                                   const at::Device& device, std::int64_t dims) {
    std::vector<std::uint8_t> keep(units_.size(), 0);
    result.rows.resize(units_.size());
    for (std::size_t i = 0; i < units_.size(); ++i) {
        auto& row = result.rows[i];
        row.unit = units_[i];
        row.activation = readout.activations[i];
        row.probability = readout.probabilities[i];
        if (!skip_reasons[i].empty()) {
            row.skipped = true;
            row.skip_reason = skip_reasons[i];
            keep[i] = 1;
            ++skipped_[i];
        }
    }
    std::vector<std::int64_t> shape(dims, 1);
    shape[0] = -1;
    return at::tensor(keep).to(at::kBool).to(device).view(shape);
}

std::vector<RowOutcome> RowRecords::outcomes(
    const std::vector<double>& activations, const std::vector<std::optional<double>>& probabilities,
    const at::Tensor& images) const {
    std::vector<RowOutcome> out(units_.size());
    auto cpu = images.detach().to(at::kCPU);
    for (std::size_t i = 0; i < units_.size(); ++i) {
        out[i].unit = units_[i];
        out[i].activation = activations[i];
        out[i].probability = probabilities[i];
        out[i].image = cpu[i].clone();
        out[i].best_activation = best_activation_[i];
        out[i].best_image = best_image_[i].defined() ? best_image_[i] : out[i].image;
        out[i].skipped_steps = skipped_[i];
    }
    return out;
}

}  // namespace dgnam
