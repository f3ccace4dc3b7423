#include "live_settings.h"

namespace dgnam::live {
namespace {

bool same_params(const OptimizerParams& a, const OptimizerParams& b) {
    return a.lr_start == b.lr_start && a.lr_end == b.lr_end && a.iterations == b.iterations &&
           a.l2 == b.l2 && a.clip_scale == b.clip_scale && a.seed == b.seed &&
           a.jitter == b.jitter && a.blur_sigma == b.blur_sigma && a.blur_every == b.blur_every;
}

}  // namespace

bool operator==(const LiveSettings& a, const LiveSettings& b) {
    return a.method == b.method && a.spatial == b.spatial && same_params(a.params, b.params);
}

SettingsEffect settings_effect(const LiveSettings& before, const LiveSettings& after,
                               bool run_active) {
    if (before == after)
        return SettingsEffect::None;
    // The seed only decides the starting code, and the method and objective decide what is
    // optimised: changing them half-way would mix two runs.
    if (before.method != after.method || before.spatial != after.spatial ||
        before.params.seed != after.params.seed || !run_active)
        return SettingsEffect::Restart;
    return SettingsEffect::NextStep;
}

}  // namespace dgnam::live
