#include "dgnam/dgn_am.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/autograd.h>

#include <chrono>

#include "dgnam/error.h"
#include "dgnam/gradient_step.h"
#include "dgnam/seconds_since.h"

namespace dgnam {
namespace {

at::Tensor initial_code(const InitialCode& init, std::int64_t rows, std::int64_t size,
                        std::uint64_t seed) {
    switch (init.kind) {
        case InitialCode::Kind::Random:
            return seeded_normal(size, seed).unsqueeze(0).repeat({rows, 1});
        case InitialCode::Kind::Zeros:
            return at::zeros({rows, size});
        case InitialCode::Kind::Given:
            break;
    }
    auto c = init.code.detach().to(at::kCPU).to(at::kFloat);
    if (c.dim() == 1 && c.size(0) == size)
        return c.unsqueeze(0).repeat({rows, 1});
    if (c.dim() == 2 && c.size(0) == rows && c.size(1) == size)
        return c.clone();
    throw Error("initial code has shape [" + std::to_string(c.dim() ? c.size(0) : 0) +
                (c.dim() == 2 ? ", " + std::to_string(c.size(1)) : std::string()) +
                "]; the generator takes codes of " + std::to_string(size) + " values");
}

}  // namespace

at::Tensor seeded_normal(std::int64_t size, std::uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    return at::randn({size}, gen);
}

DgnAm::DgnAm(const Generator& generator, const Classifier& classifier, Objective objective,
             std::vector<std::int64_t> units, OptimizerParams params, InitialCode initial,
             at::Device device)
    : generator_(generator),
      classifier_(classifier),
      objective_(std::move(objective)),
      params_(params),
      device_(device),
      bridge_(generator.output().space, generator.output().shape, classifier.input().space,
              classifier.input().shape),
      records_(units) {
    params_.validate();
    if (objective_.layer.empty())
        objective_.layer = classifier_.output_layer();
    validate_objective(classifier_.layer(objective_.layer), units, objective_);
    is_output_layer_ = objective_.layer == classifier_.output_layer();
    bounds_ = generator_.bounds().scaled(params_.clip_scale, device_);
    code_ = initial_code(initial, static_cast<std::int64_t>(units.size()), generator_.code_size(),
                         params_.seed)
                .to(device_);
}

void DgnAm::set_params(const OptimizerParams& params) {
    params.validate();
    if (params.clip_scale != params_.clip_scale)
        bounds_ = generator_.bounds().scaled(params.clip_scale, device_);
    params_ = params;
}

const PixelSpace& DgnAm::image_space() const {
    return generator_.output().space;
}

StepResult DgnAm::step() {
    const auto started = std::chrono::steady_clock::now();
    StepResult result;
    result.iteration = iteration_;
    result.iterations = params_.iterations;
    result.step_size = params_.step_size(iteration_);
    const auto& units = records_.units();

    // Image step: gradient of the unit's activation with respect to the cropped image.
    at::Tensor h = code_.detach().requires_grad_(true);
    at::Tensor x0 = generator_.generate(h);
    at::Tensor crop = bridge_.to_classifier(x0.detach()).requires_grad_(true);
    Readout readout = read_objective(classifier_.forward_to(crop, objective_.layer), units,
                                     objective_, is_output_layer_);
    at::Tensor g = torch::autograd::grad({readout.values.sum()}, {crop})[0];
    RowScales image_step = normalised_step_scales(g, result.step_size);
    at::Tensor x = apply_row_scales(crop.detach(), g, image_step.scale);

    // Code step: back-propagate the image change through G.
    at::Tensor difference = bridge_.paste_back(x0.detach(), x) - x0.detach();
    at::Tensor gh = torch::autograd::grad({x0}, {h}, {difference})[0];
    RowScales code_step = normalised_step_scales(gh, result.step_size);
    at::Tensor updated = apply_row_scales(code_.detach(), gh, code_step.scale);
    updated = at::max(at::min(updated, bounds_.upper), bounds_.lower);
    if (params_.l2 > 0 && params_.l2 < 1)
        updated = updated * params_.l2;

    std::vector<std::string> reasons(units.size());
    for (std::size_t i = 0; i < units.size(); ++i) {
        if (!image_step.skip_reasons[i].empty())
            reasons[i] = "image step: " + image_step.skip_reasons[i];
        else if (!code_step.skip_reasons[i].empty())
            reasons[i] = "code step: " + code_step.skip_reasons[i];
    }
    auto keep_rows = records_.record_step(result, readout, reasons, device_, 2);
    code_ = at::where(keep_rows, code_, updated).detach();
    records_.observe(readout.activations, x0.detach());
    result.images = x0.detach();
    ++iteration_;
    result.milliseconds = 1000.0 * seconds_since(started);
    return result;
}

std::vector<RowOutcome> DgnAm::evaluate() {
    at::NoGradGuard no_grad;
    at::Tensor images = generator_.generate(code_);
    Readout readout =
        read_objective(classifier_.forward_to(bridge_.to_classifier(images), objective_.layer),
                       records_.units(), objective_, is_output_layer_);
    records_.observe(readout.activations, images);
    return records_.outcomes(readout.activations, readout.probabilities, images);
}

at::Tensor DgnAm::current_images() {
    at::NoGradGuard no_grad;
    return generator_.generate(code_).to(at::kCPU);
}

}  // namespace dgnam
