#include "dgnam/row_records.h"

#include <ATen/ATen.h>

#include <limits>

namespace dgnam {
namespace {

// [B, 1, ...] (`dims` dimensions) bool mask on `device`, true where `rows` is 1.
at::Tensor row_mask(const std::vector<std::uint8_t>& rows, const at::Device& device,
                    std::int64_t dims) {
    std::vector<std::int64_t> shape(dims, 1);
    shape[0] = -1;
    return at::tensor(rows).to(at::kBool).to(device).view(shape);
}

}  // namespace

RowRecords::RowRecords(std::vector<std::int64_t> units)
    : units_(std::move(units)),
      best_activation_(units_.size(), -std::numeric_limits<double>::infinity()),
      skipped_(units_.size(), 0) {}

bool RowRecords::has_best(std::size_t row) const {
    return best_activation_[row] > -std::numeric_limits<double>::infinity();
}

void RowRecords::observe(const std::vector<double>& activations, const at::Tensor& images) {
    std::vector<std::uint8_t> improved(units_.size(), 0);
    std::size_t count = 0;
    for (std::size_t i = 0; i < units_.size(); ++i) {
        if (activations[i] > best_activation_[i]) {  // false for NaN: such a row keeps its best
            best_activation_[i] = activations[i];
            improved[i] = 1;
            ++count;
        }
    }
    if (count == 0)
        return;
    const auto current = images.detach();
    // A copy: the caller's tensor may be changed in place by its next step.
    if (count == units_.size() || !best_images_.defined()) {
        best_images_ = current.clone();  // rows not improved yet are not meaningful
        return;
    }
    best_images_ =
        at::where(row_mask(improved, current.device(), current.dim()), current, best_images_);
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
    return row_mask(keep, device, dims);
}

std::vector<RowOutcome> RowRecords::outcomes(
    const std::vector<double>& activations, const std::vector<std::optional<double>>& probabilities,
    const at::Tensor& images) const {
    std::vector<RowOutcome> out(units_.size());
    auto cpu = images.detach().to(at::kCPU);
    const auto best = best_images_.defined() ? best_images_.to(at::kCPU) : cpu;
    for (std::size_t i = 0; i < units_.size(); ++i) {
        out[i].unit = units_[i];
        out[i].activation = activations[i];
        out[i].probability = probabilities[i];
        out[i].image = cpu[i].clone();
        out[i].best_activation = best_activation_[i];
        out[i].best_image = has_best(i) ? best[i].clone() : out[i].image;
        out[i].skipped_steps = skipped_[i];
    }
    return out;
}

}  // namespace dgnam
