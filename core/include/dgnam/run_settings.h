#pragma once
// The unit a front end shows, the settings it runs that unit with, and what a change of those
// settings means for the run in progress. Both front ends build their runs here, so the studio
// and dgnam-live cannot disagree on what a slider does.
#include <cstdint>
#include <optional>
#include <string>

#include "dgnam/image.h"
#include "dgnam/worker.h"

namespace dgnam {

// Which unit the user picked: classifier id ("" = the pack's default), layer and unit number.
struct UnitRef {
    std::string classifier;
    std::string layer;
    std::int64_t unit = -1;

    bool valid() const { return unit >= 0 && !layer.empty(); }
    bool operator==(const UnitRef& o) const {
        return classifier == o.classifier && layer == o.layer && unit == o.unit;
    }
    bool operator!=(const UnitRef& o) const { return !(*this == o); }
};

struct RunSettings {
    OptimizerParams params;
    Method method = Method::Dgn;
    SpatialMode spatial = SpatialMode::Centre;  // conv layers: the centre position or the mean
    InitialCode::Kind initial = InitialCode::Kind::Random;
    // DGN-AM starts from this picture's code instead (a file, or a real example clicked).
    std::optional<Image8> start_image;
};

bool operator==(const RunSettings& a, const RunSettings& b);
inline bool operator!=(const RunSettings& a, const RunSettings& b) {
    return !(a == b);
}

// The request that optimises `unit` alone with `settings`.
RunRequest make_run_request(const UnitRef& unit, const RunSettings& settings);

enum class SettingsEffect {
    None,      // nothing changed
    NextStep,  // Worker::set_params: the running optimisation picks them up at its next step
    Restart,   // the run has to start again
};

// What going from `before` to `after` needs. `run_active`: a run is still going (running or
// paused); a finished run is started again so that a change is never silently lost.
SettingsEffect settings_effect(const RunSettings& before, const RunSettings& after,
                               bool run_active);

}  // namespace dgnam
