#pragma once
// A PyTorch model saved with torch.jit.save, run without Python. TorchScript files carry code, so
// they are opened only when a user asks for one (never from a pack unless the user allows it).
//
// The contract (docs/torchscript.md; packaging/export_torchvision.py writes such files):
// - forward(x) maps one batch [N, ...input shape] to the model's output;
// - optionally, a method layer_outputs(x) -> Dict[str, Tensor] returns every layer a user may
//   pick, in forward order, keyed by the module hierarchy's names ("features.3", "layer2.1.conv1");
//   its last entry is the output. Without it the model has one layer, "output".
#include <ATen/Tensor.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dgnam/layered_network.h"

namespace dgnam {

class TorchScriptNet final : public LayeredNetwork {
  public:
    // `input_shape`: one sample without the batch dimension (TorchScript files do not record
    // it). Runs the model once on zeros to list the layers and their shapes, with frozen
    // weights. Throws dgnam::Error naming the file: not a TorchScript archive, a failing
    // forward for that shape, a layer_outputs that is not a dictionary of tensors.
    static TorchScriptNet load(const std::filesystem::path& path,
                               std::vector<std::int64_t> input_shape);

    TorchScriptNet(TorchScriptNet&&) noexcept;
    TorchScriptNet& operator=(TorchScriptNet&&) noexcept;
    ~TorchScriptNet() override;

    const std::vector<LayerInfo>& layers() const override;
    const std::vector<std::int64_t>& input_shape() const override;
    at::Tensor forward_to(const at::Tensor& input, const std::string& layer) const override;
    void to(const at::Device& device) override;
    // Frozen weights; transposed convolutions of the kinds conv_transpose_rewritable names, with
    // constant weights, run as plain ones on the CPU in a frozen copy of the model, checked at
    // load against the model's own output. bfloat16 is ignored.
    void set_execution_mode(const ExecutionMode& mode) override;
    // How many transposed convolutions run rewritten (0 on the straightforward form).
    int rewritten_transposed_convolutions() const;

    bool has_layer_outputs() const;
    std::int64_t parameter_count() const;

  private:
    struct Model;
    explicit TorchScriptNet(std::unique_ptr<Model> model);
    std::unique_ptr<Model> model_;
};

}  // namespace dgnam
