#include "dgnam/split_batch.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>

#include "dgnam/error.h"
#include "dgnam/seconds_since.h"

namespace dgnam {
namespace {

std::vector<std::unique_ptr<ActivationMaximizer>> checked(
    std::vector<std::unique_ptr<ActivationMaximizer>> parts) {
    if (parts.empty())
        throw Error("a split batch needs at least one part");
    for (const auto& part : parts)
        if (!part)
            throw Error("a split batch was given an empty part");
    return parts;
}

}  // namespace

SplitBatch::SplitBatch(std::vector<std::unique_ptr<ActivationMaximizer>> parts)
    : parts_(checked(std::move(parts))), threads_(static_cast<int>(parts_.size())) {}

StepResult SplitBatch::step() {
    const auto started = std::chrono::steady_clock::now();
    std::vector<StepResult> results(parts_.size());
    threads_.run([&](int i) {
        const auto part = static_cast<std::size_t>(i);
        results[part] = parts_[part]->step();
    });
    StepResult merged = std::move(results.front());
    std::vector<at::Tensor> images{merged.images};
    for (std::size_t i = 1; i < results.size(); ++i) {
        auto& rows = results[i].rows;
        merged.rows.insert(merged.rows.end(), std::make_move_iterator(rows.begin()),
                           std::make_move_iterator(rows.end()));
        images.push_back(results[i].images);
    }
    if (images.size() > 1)
        merged.images = at::cat(images);
    merged.milliseconds = 1000.0 * seconds_since(started);
    return merged;
}

std::vector<RowOutcome> SplitBatch::evaluate() {
    std::vector<std::vector<RowOutcome>> outcomes(parts_.size());
    threads_.run([&](int i) {
        const auto part = static_cast<std::size_t>(i);
        outcomes[part] = parts_[part]->evaluate();
    });
    std::vector<RowOutcome> merged;
    for (auto& part : outcomes)
        merged.insert(merged.end(), std::make_move_iterator(part.begin()),
                      std::make_move_iterator(part.end()));
    return merged;
}

at::Tensor SplitBatch::current_images() {
    std::vector<at::Tensor> images(parts_.size());
    threads_.run([&](int i) {
        const auto part = static_cast<std::size_t>(i);
        images[part] = parts_[part]->current_images();
    });
    return images.size() > 1 ? at::cat(images) : images.front();
}

const PixelSpace& SplitBatch::image_space() const {
    return parts_.front()->image_space();
}

int SplitBatch::iteration() const {
    return parts_.front()->iteration();
}

const OptimizerParams& SplitBatch::params() const {
    return parts_.front()->params();
}

void SplitBatch::set_params(const OptimizerParams& params) {
    params.validate();  // before any part changes, so that all parts keep the same parameters
    for (auto& part : parts_)
        part->set_params(params);
}

int batch_parts(std::int64_t rows, double flop_per_row, const at::Device& device, int threads) {
    if (!device.is_cpu() || threads < 2 || rows < 2 || !(flop_per_row > 0) ||
        flop_per_row * static_cast<double>(rows) >= kSplitBelowFlop)
        return 1;
    return static_cast<int>(std::min<std::int64_t>(threads, rows));
}

}  // namespace dgnam
