#pragma once
// The knobs the live front end offers, and what changing them means for the run in progress:
// most parameters reach the optimiser at its next step, but a new seed, method or conv
// objective only makes sense from a fresh start.
#include "dgnam/objective.h"
#include "dgnam/optimizer_params.h"

namespace dgnam::live {

struct LiveSettings {
    OptimizerParams params;
    Method method = Method::Dgn;
    SpatialMode spatial = SpatialMode::Centre;  // conv layers: the centre position or the mean
};

bool operator==(const LiveSettings& a, const LiveSettings& b);
inline bool operator!=(const LiveSettings& a, const LiveSettings& b) {
    return !(a == b);
}

enum class SettingsEffect {
    None,      // nothing changed
    NextStep,  // Worker::set_params: the running optimisation picks them up at its next step
    Restart,   // the run has to start again
};

// What going from `before` to `after` needs. `run_active`: a run is still going (running or
// paused); a finished run is started again so that a change is never silently lost.
SettingsEffect settings_effect(const LiveSettings& before, const LiveSettings& after,
                               bool run_active);

}  // namespace dgnam::live
