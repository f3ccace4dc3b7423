#include "dgnam/run_settings.h"

namespace dgnam {
namespace {

bool same_params(const OptimizerParams& a, const OptimizerParams& b) {
    return a.lr_start == b.lr_start && a.lr_end == b.lr_end && a.iterations == b.iterations &&
           a.l2 == b.l2 && a.clip_scale == b.clip_scale && a.seed == b.seed &&
           a.jitter == b.jitter && a.blur_sigma == b.blur_sigma && a.blur_every == b.blur_every;
}

bool same_start(const RunSettings& a, const RunSettings& b) {
    if (a.initial != b.initial || a.start_image.has_value() != b.start_image.has_value())
        return false;
    return !a.start_image || *a.start_image == *b.start_image;
}

}  // namespace

bool operator==(const RunSettings& a, const RunSettings& b) {
    return a.method == b.method && a.spatial == b.spatial && same_start(a, b) &&
           same_params(a.params, b.params);
}

RunRequest make_run_request(const UnitRef& unit, const RunSettings& settings) {
    RunRequest request;
    request.classifier = unit.classifier;
    request.objective.layer = unit.layer;
    request.objective.spatial = settings.spatial;
    request.units = {unit.unit};
    request.method = settings.method;
    request.params = settings.params;
    request.initial.kind = settings.initial;
    if (settings.method == Method::Dgn)
        request.start_image = settings.start_image;
    return request;
}

SettingsEffect settings_effect(const RunSettings& before, const RunSettings& after,
                               bool run_active) {
    if (before == after)
        return SettingsEffect::None;
    // The seed and the starting point decide the first code, and the method and objective what
    // is optimised: changing them half-way would mix two runs.
    if (before.method != after.method || before.spatial != after.spatial ||
        before.params.seed != after.params.seed || !same_start(before, after) || !run_active)
        return SettingsEffect::Restart;
    return SettingsEffect::NextStep;
}

}  // namespace dgnam
