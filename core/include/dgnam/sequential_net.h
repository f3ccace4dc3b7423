#pragma once
// A feed-forward network described as a list of named layers (the model pack's JSON), run with
// ATen's functional operators. Loaded weights are frozen: they never require gradients, so a
// backward pass computes input gradients only. `dgnam train` builds the same nets with fresh
// weights and switches gradients on for its own parameters.
#include <ATen/Tensor.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dgnam/conv_transpose_rewrite.h"
#include "dgnam/layer_info.h"
#include "dgnam/layered_network.h"
#include "dgnam/safetensors.h"

namespace dgnam {

class SequentialNet final : public LayeredNetwork {
  public:
    // `layers`: JSON array of {"name", "type", ...parameters}. Weights are looked up as
    // "<name>.weight", "<name>.bias" (and running_mean/running_var for batch_norm); a residual
    // block's inner layers as "<block>.main.<name>..." and "<block>.shortcut.<name>...". Every
    // tensor's presence, dtype and shape is checked; leftovers are an error too. `source` names
    // the file for messages. Throws dgnam::Error.
    SequentialNet(const nlohmann::json& layers, std::vector<std::int64_t> input_shape,
                  const TensorMap& weights, const std::string& source);

    // Fresh weights from `seed`, initialised as PyTorch initialises its layers by default
    // (uniform in +-1/sqrt(fan_in)).
    static SequentialNet initialised(const nlohmann::json& layers,
                                     std::vector<std::int64_t> input_shape, std::uint64_t seed);

    const std::vector<LayerInfo>& layers() const override { return infos_; }
    const std::vector<std::int64_t>& input_shape() const override { return input_shape_; }
    at::Tensor forward_to(const at::Tensor& input, const std::string& layer) const override;
    // -1 when absent.
    int index_of(const std::string& layer) const;
    // Runs layers [0, last] on a batch; `last` = -1 runs all.
    at::Tensor forward(const at::Tensor& input, int last = -1) const;
    void to(const at::Device& device) override;
    // Frozen weights stop requiring gradients; `dgnam train` switches them on itself.
    void set_execution_mode(const ExecutionMode& mode) override;
    std::int64_t parameter_count() const;

    // Training: dropout active, and the trainable tensors (weights and biases, sharing storage
    // with the net) for an optimiser. Gradients are switched on by the caller.
    void set_training(bool training);
    std::vector<at::Tensor> parameters() const;
    // Every tensor under the name it has in a weights file.
    TensorMap state() const;
    // Copies `saved` (as state() names it) into the net's tensors in place, so that an optimiser
    // holding parameters() keeps them: a resumed training run. Throws dgnam::Error naming
    // `source` and the tensor when one is missing or has another shape.
    void assign_state(const TensorMap& saved, const std::string& source);

    // The layer types this class understands, for help texts.
    static std::vector<std::string> supported_types();

    // Supplies a layer's tensor: (file name of the tensor, expected shape, required, fan_in).
    using WeightProvider = std::function<at::Tensor(
        const std::string&, const std::vector<std::int64_t>&, bool, std::int64_t)>;

  private:
    struct Layer {
        std::string name;
        std::string key;  // prefix of its tensors' names
        std::string type;
        nlohmann::json params;
        at::Tensor weight, bias, running_mean, running_var;
        std::shared_ptr<SequentialNet> main, shortcut;    // residual blocks only
        std::optional<TransposedConvolution> transposed;  // transposed convolutions only
    };
    SequentialNet(const nlohmann::json& layers, std::vector<std::int64_t> input_shape,
                  const std::string& prefix, const std::string& source,
                  const WeightProvider& provide);
    at::Tensor run_layer(const Layer& layer, const at::Tensor& x) const;

    std::vector<std::int64_t> input_shape_;
    std::vector<Layer> layers_;
    std::vector<LayerInfo> infos_;
    bool training_ = false;
    bool bfloat16_ = false;  // ExecutionMode::bfloat16
};

}  // namespace dgnam
