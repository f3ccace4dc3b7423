#pragma once
// A feed-forward network described as a list of named layers (the model pack's JSON), run with
// ATen's functional operators and frozen weights: parameters never require gradients, so a
// backward pass computes input gradients only.
#include <ATen/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "dgnam/layer_info.h"
#include "dgnam/safetensors.h"

namespace dgnam {

class SequentialNet {
public:
    // `layers`: JSON array of {"name", "type", ...parameters}. Weights are looked up as
    // "<name>.weight", "<name>.bias" (and running_mean/running_var for batch_norm). Every tensor's
    // presence, dtype and shape is checked; leftovers are an error too. `source` names the file
    // for messages. Throws dgnam::Error.
    SequentialNet(const nlohmann::json& layers, std::vector<std::int64_t> input_shape,
                  const TensorMap& weights, const std::string& source);

    const std::vector<LayerInfo>& layers() const { return infos_; }
    const std::vector<std::int64_t>& input_shape() const { return input_shape_; }
    // -1 when absent.
    int index_of(const std::string& layer) const;
    // Runs layers [0, last] on a batch; `last` = -1 runs all.
    at::Tensor forward(const at::Tensor& input, int last = -1) const;
    void to(const at::Device& device);
    std::int64_t parameter_count() const;

    // The layer types this class understands, for help texts.
    static std::vector<std::string> supported_types();

private:
    struct Layer {
        std::string name;
        std::string type;
        nlohmann::json params;
        at::Tensor weight, bias, running_mean, running_var;
    };
    at::Tensor run_layer(const Layer& layer, const at::Tensor& x) const;

    std::vector<std::int64_t> input_shape_;
    std::vector<Layer> layers_;
    std::vector<LayerInfo> infos_;
};

}  // namespace dgnam
