#pragma once
// A Caffe network (deploy .prototxt + .caffemodel) run natively on LibTorch, without Caffe:
// the paper's fc6 generator, CaffeNet, GoogLeNet and other model-zoo files. Both the current
// `layer` and the legacy V1 `layers` encodings are read. Weights are frozen.
#include <ATen/Tensor.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dgnam/layered_network.h"

namespace dgnam {

class CaffeNet final : public LayeredNetwork {
  public:
    // Weights are matched to the description's layers by name; layers of the weights file that
    // the deploy network lacks (training-only ones) are ignored. Throws dgnam::Error naming the
    // file, the layer and the problem: a syntax error, an unsupported layer type, a missing or
    // misshapen parameter blob, a blob nobody produces, more or fewer than one input.
    static CaffeNet load(const std::filesystem::path& prototxt,
                         const std::filesystem::path& caffemodel);
    // The described network with random weights (normal, variance 2 / fan-in; zero biases):
    // paper-scale architectures for tests and benchmarks without their trained files.
    static CaffeNet with_random_weights(const std::filesystem::path& prototxt, std::uint64_t seed);

    CaffeNet(CaffeNet&&) noexcept;
    CaffeNet& operator=(CaffeNet&&) noexcept;
    ~CaffeNet() override;

    // Every layer with an output except Input, Split and Dropout (the identity at test time),
    // with its first output's shape for one sample.
    const std::vector<LayerInfo>& layers() const override;
    const std::vector<std::int64_t>& input_shape() const override;
    // "" = the last layer. In-place layers (ReLU after fc6) are separate entries: "fc6" is the
    // value before the ReLU, "relu6" after it, as Caffe's forward(end=...) gives them.
    at::Tensor forward_to(const at::Tensor& input, const std::string& layer) const override;
    void to(const at::Device& device) override;
    void set_execution_mode(const ExecutionMode& mode) override;

    const std::string& name() const;
    const std::string& input_blob() const;
    // Fields of the description the project's schema skips (with their lines).
    const std::vector<std::string>& warnings() const;
    std::int64_t parameter_count() const;
    // The layer a classifier's scores come from: the one a final Softmax reads (fc8, not
    // prob), because DGN-AM maximises pre-softmax scores; else the last layer.
    const std::string& default_output_layer() const;
    // Writes the weights as a binary .caffemodel (current encoding, one entry per layer with
    // parameters). Throws dgnam::Error naming the file when it cannot be written.
    void write_caffemodel(const std::filesystem::path& path) const;

    // The layer types load() accepts.
    static std::vector<std::string> supported_types();

  private:
    struct Graph;
    static CaffeNet build(const std::filesystem::path& prototxt,
                          const std::filesystem::path* caffemodel, std::uint64_t seed);
    explicit CaffeNet(std::unique_ptr<Graph> graph);
    std::unique_ptr<Graph> graph_;
    bool bfloat16_ = false;  // ExecutionMode::bfloat16
};

}  // namespace dgnam
