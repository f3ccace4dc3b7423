#include "dgnam/objective.h"

#include <ATen/ATen.h>

#include "dgnam/error.h"

namespace dgnam {

void validate_objective(const LayerInfo& layer, const std::vector<std::int64_t>& units,
                        const Objective& objective) {
    if (units.empty())
        throw Error("no unit chosen for layer \"" + layer.name + "\"");
    for (auto u : units)
        if (u < 0 || u >= layer.units())
            throw Error("unit " + std::to_string(u) + " is out of range for layer \"" + layer.name +
                        "\", which has units 0 to " + std::to_string(layer.units() - 1));
    if (layer.is_spatial() && objective.spatial == SpatialMode::Position) {
        const auto h = layer.shape[1], w = layer.shape[2];
        if (objective.y < 0 || objective.y >= h || objective.x < 0 || objective.x >= w)
            throw Error("position (" + std::to_string(objective.y) + ", " +
                        std::to_string(objective.x) + ") lies outside layer \"" + layer.name +
                        "\" of " + std::to_string(h) + "x" + std::to_string(w));
    }
}

at::Tensor objective_values(const at::Tensor& activations, const std::vector<std::int64_t>& units,
                            const Objective& objective) {
    const auto b = activations.size(0);
    if (static_cast<std::int64_t>(units.size()) != b)
        throw Error("objective: " + std::to_string(units.size()) + " units for a batch of " +
                    std::to_string(b));
    auto index = at::tensor(units, at::TensorOptions().dtype(at::kLong)).to(activations.device());
    auto rows = at::arange(b, index.options());
    at::Tensor per_unit;
    if (activations.dim() == 2) {
        per_unit = activations.index({rows, index});
    } else if (activations.dim() == 4) {
        auto channels = activations.index({rows, index});  // [B, H, W]
        switch (objective.spatial) {
            case SpatialMode::Mean:
                per_unit = channels.mean({1, 2});
                break;
            case SpatialMode::Position:
                per_unit = channels.select(1, objective.y).select(1, objective.x);
                break;
            case SpatialMode::Centre:
                per_unit =
                    channels.select(1, activations.size(2) / 2).select(1, activations.size(3) / 2);
                break;
        }
    } else {
        throw Error("objective: a layer output of " + std::to_string(activations.dim()) +
                    " dimensions cannot be maximised");
    }
    return objective.negate ? -per_unit : per_unit;
}

Readout read_objective(const at::Tensor& layer_output, const std::vector<std::int64_t>& units,
                       const Objective& objective, bool is_output_layer) {
    Readout r;
    r.values = objective_values(layer_output, units, objective);
    auto raw = (objective.negate ? -r.values : r.values).detach().to(at::kCPU).to(at::kDouble);
    r.activations.assign(raw.data_ptr<double>(), raw.data_ptr<double>() + raw.numel());
    r.probabilities.assign(units.size(), std::nullopt);
    if (is_output_layer && layer_output.dim() == 2) {
        const auto probs =
            at::softmax(layer_output.detach(), 1).to(at::kCPU).to(at::kDouble).contiguous();
        const auto p = probs.accessor<double, 2>();  // not probs[i][u]: three operations a row
        for (std::size_t i = 0; i < units.size(); ++i)
            r.probabilities[i] = p[static_cast<std::int64_t>(i)][units[i]];
    }
    return r;
}

const char* to_string(SpatialMode mode) {
    switch (mode) {
        case SpatialMode::Centre:
            return "centre";
        case SpatialMode::Mean:
            return "mean";
        case SpatialMode::Position:
            return "position";
    }
    return "centre";
}

SpatialMode spatial_mode_from_string(const std::string& text) {
    if (text == "centre" || text == "center")
        return SpatialMode::Centre;
    if (text == "mean")
        return SpatialMode::Mean;
    if (text == "position")
        return SpatialMode::Position;
    throw Error("unknown spatial mode \"" + text + "\"; use centre, mean or position");
}

}  // namespace dgnam
