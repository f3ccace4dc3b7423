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

// One step's results of every part, in order, as the batch's.
StepResult merge_step(std::vector<StepResult>& per_part, double milliseconds) {
    StepResult all = std::move(per_part.front());
    std::vector<at::Tensor> images{all.images};
    for (std::size_t i = 1; i < per_part.size(); ++i) {
        auto& rows = per_part[i].rows;
        all.rows.insert(all.rows.end(), std::make_move_iterator(rows.begin()),
                        std::make_move_iterator(rows.end()));
        images.push_back(per_part[i].images);
    }
    if (images.size() > 1)
        all.images = at::cat(images);
    all.milliseconds = milliseconds;
    return all;
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
    milliseconds_per_step_ = 1000.0 * seconds_since(started);
    return merge_step(results, milliseconds_per_step_);
}

std::vector<StepResult> SplitBatch::steps(int count) {
    const auto started = std::chrono::steady_clock::now();
    // All parts stand at the same iteration with the same parameters, so they take as many.
    std::vector<std::vector<StepResult>> results(parts_.size());
    threads_.run([&](int i) {
        const auto part = static_cast<std::size_t>(i);
        results[part] = parts_[part]->steps(count);
    });
    const auto taken = results.front().size();
    std::vector<StepResult> out;
    if (taken == 0)
        return out;
    milliseconds_per_step_ = 1000.0 * seconds_since(started) / static_cast<double>(taken);
    for (std::size_t k = 0; k < taken; ++k) {
        std::vector<StepResult> per_part;
        for (auto& part : results)
            per_part.push_back(std::move(part.at(k)));
        out.push_back(merge_step(per_part, milliseconds_per_step_));
    }
    return out;
}

int SplitBatch::steps_per_call() const {
    if (!(milliseconds_per_step_ > 0.0))
        return 1;  // the first call measures the pace
    return std::max(1, static_cast<int>(kMeetingInterval / milliseconds_per_step_));
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
