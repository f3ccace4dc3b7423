#include "dgnam/pixel_am.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>

#include <chrono>
#include <cmath>

#include "dgnam/gradient_step.h"
#include "dgnam/seconds_since.h"

namespace dgnam {
namespace {

// Separable Gaussian blur of every channel; zero padding is the mean image in a normalised space.
at::Tensor gaussian_blur(const at::Tensor& images, double sigma) {
    const auto radius = static_cast<std::int64_t>(std::ceil(2.0 * sigma));
    auto offsets = at::arange(-radius, radius + 1, images.options()).to(at::kFloat);
    auto kernel = at::exp(-(offsets * offsets) / (2.0 * sigma * sigma));
    kernel = (kernel / kernel.sum()).to(images.device());
    const auto c = images.size(1);
    auto horizontal = kernel.view({1, 1, 1, -1}).repeat({c, 1, 1, 1});
    auto vertical = kernel.view({1, 1, -1, 1}).repeat({c, 1, 1, 1});
    const std::vector<std::int64_t> stride{1, 1}, dilation{1, 1};
    auto x = at::conv2d(images, horizontal, at::Tensor(), stride,
                        std::vector<std::int64_t>{0, radius}, dilation, c);
    return at::conv2d(x, vertical, at::Tensor(), stride, std::vector<std::int64_t>{radius, 0},
                      dilation, c);
}

}  // namespace

PixelAm::PixelAm(const Classifier& classifier, Objective objective, std::vector<std::int64_t> units,
                 OptimizerParams params, at::Device device)
    : classifier_(classifier),
      objective_(std::move(objective)),
      params_(params),
      device_(device),
      jitter_rng_(at::make_generator<at::CPUGeneratorImpl>(params.seed + 1)),
      records_(units) {
    params_.validate();
    if (objective_.layer.empty())
        objective_.layer = classifier_.output_layer();
    validate_objective(classifier_.layer(objective_.layer), units, objective_);
    is_output_layer_ = objective_.layer == classifier_.output_layer();

    const auto& input = classifier_.input();
    const auto& space = input.space;
    const auto c = input.shape[0];
    lower_ = space.from_unit(at::zeros({1, c, 1, 1})).to(device_);
    upper_ = space.from_unit(at::ones({1, c, 1, 1})).to(device_);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(params_.seed);
    auto noise = at::randn(input.shape, gen).unsqueeze(0) * 0.05;
    auto start = space.from_unit(space.to_unit(at::zeros_like(noise)) + noise);
    image_ = start.repeat({static_cast<std::int64_t>(units.size()), 1, 1, 1}).to(device_);
}

void PixelAm::set_params(const OptimizerParams& params) {
    params.validate();
    params_ = params;
}

const PixelSpace& PixelAm::image_space() const {
    return classifier_.input().space;
}

StepResult PixelAm::step() {
    const auto started = std::chrono::steady_clock::now();
    StepResult result;
    result.iteration = iteration_;
    result.iterations = params_.iterations;
    result.step_size = params_.step_size(iteration_);
    const auto& units = records_.units();

    std::int64_t dy = 0, dx = 0;
    if (params_.jitter > 0) {
        auto shift = at::randint(-params_.jitter, params_.jitter + 1, {2}, jitter_rng_);
        dy = shift[0].item<std::int64_t>();
        dx = shift[1].item<std::int64_t>();
    }
    at::Tensor x = image_.roll({dy, dx}, {2, 3}).detach().requires_grad_(true);
    Readout readout = read_objective(classifier_.forward_to(x, objective_.layer), units, objective_,
                                     is_output_layer_);
    at::Tensor g = torch::autograd::grad({readout.values.sum()}, {x})[0].roll({-dy, -dx}, {2, 3});
    // The step is in grey levels, so lr = 8 moves a pixel by 8/255 of the range on average.
    RowScales scales = normalised_step_scales(
        g, result.step_size * classifier_.input().space.stored_per_grey_level());
    at::Tensor updated = apply_row_scales(image_, g, scales.scale);
    if (params_.l2 > 0 && params_.l2 < 1)
        updated = updated * params_.l2;
    if (params_.blur_sigma > 0 && (iteration_ + 1) % params_.blur_every == 0)
        updated = gaussian_blur(updated, params_.blur_sigma);
    updated = at::max(at::min(updated, upper_), lower_);

    std::vector<std::string> reasons(units.size());
    for (std::size_t i = 0; i < units.size(); ++i)
        if (!scales.skip_reasons[i].empty())
            reasons[i] = "image step: " + scales.skip_reasons[i];
    auto keep_rows = records_.record_step(result, readout, reasons, device_, 4);
    records_.observe(readout.activations, image_.detach());
    result.images = image_.detach();
    image_ = at::where(keep_rows, image_, updated).detach();
    ++iteration_;
    result.milliseconds = 1000.0 * seconds_since(started);
    return result;
}

std::vector<RowOutcome> PixelAm::evaluate() {
    at::NoGradGuard no_grad;
    Readout readout = read_objective(classifier_.forward_to(image_, objective_.layer),
                                     records_.units(), objective_, is_output_layer_);
    records_.observe(readout.activations, image_);
    return records_.outcomes(readout.activations, readout.probabilities, image_);
}

at::Tensor PixelAm::current_images() {
    return image_.to(at::kCPU);
}

}  // namespace dgnam
