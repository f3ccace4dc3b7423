#pragma once
// What is maximised: one unit of one layer. For a fully connected layer the unit is one value;
// for a convolutional layer it is a channel at one spatial position (the centre by default, as
// in the paper's hidden-unit script) or the channel's spatial mean. Optionally negated.
#include <ATen/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dgnam/layer_info.h"

namespace dgnam {

enum class SpatialMode { Centre, Mean, Position };

struct Objective {
    std::string layer;  // "" = the classifier's output layer
    SpatialMode spatial = SpatialMode::Centre;
    std::int64_t y = -1, x = -1;  // used with SpatialMode::Position
    bool negate = false;          // minimise instead
};

// activations: [B, C] or [B, C, H, W]; units: one per batch row. Returns [B], differentiable.
// Throws dgnam::Error for a unit or position outside the layer.
at::Tensor objective_values(const at::Tensor& activations, const std::vector<std::int64_t>& units,
                            const Objective& objective);

// Checks units and position against the layer's shape; throws dgnam::Error naming the value.
void validate_objective(const LayerInfo& layer, const std::vector<std::int64_t>& units,
                        const Objective& objective);

// The objective read off a layer's output: differentiable values to maximise (negated when asked)
// and, per row, the raw activation and the target probability (output layer only).
struct Readout {
    at::Tensor values;  // [B]
    std::vector<double> activations;
    std::vector<std::optional<double>> probabilities;
};
Readout read_objective(const at::Tensor& layer_output, const std::vector<std::int64_t>& units,
                       const Objective& objective, bool is_output_layer);

const char* to_string(SpatialMode mode);
SpatialMode spatial_mode_from_string(const std::string& text);

}  // namespace dgnam
