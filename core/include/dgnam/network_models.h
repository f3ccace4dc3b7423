#pragma once
// Classifier and generator backed by a LayeredNetwork: the model pack's own layer lists
// (SequentialNet) or a Caffe network.
#include <memory>

#include "dgnam/classifier.h"
#include "dgnam/generator.h"
#include "dgnam/layered_network.h"
#include "dgnam/sequential_net.h"

namespace dgnam {

class NetworkClassifier final : public Classifier {
  public:
    // Throws dgnam::Error when output_layer is not a layer of the net, or the labels do not
    // match its size.
    NetworkClassifier(std::string id, std::string name, std::unique_ptr<LayeredNetwork> net,
                      ImageSpec input, std::string output_layer, std::vector<std::string> labels);
    NetworkClassifier(std::string id, std::string name, SequentialNet net, ImageSpec input,
                      std::string output_layer, std::vector<std::string> labels);

    const std::string& id() const override { return id_; }
    const std::string& name() const override { return name_; }
    const std::vector<LayerInfo>& layers() const override { return net_->layers(); }
    const std::string& output_layer() const override { return output_layer_; }
    const std::vector<std::string>& labels() const override { return labels_; }
    const ImageSpec& input() const override { return input_; }
    at::Tensor forward_to(const at::Tensor& input, const std::string& layer) const override;
    void to(const at::Device& device) override { net_->to(device); }
    void set_execution_mode(const ExecutionMode& mode) override { net_->set_execution_mode(mode); }

  private:
    std::string id_, name_;
    std::unique_ptr<LayeredNetwork> net_;
    ImageSpec input_;
    std::string output_layer_;
    std::vector<std::string> labels_;
};

class NetworkGenerator final : public Generator {
  public:
    // Throws dgnam::Error when the net's input is not a code vector [D], its output is not
    // [C, H, W] matching `output`, or the bounds do not have D entries with lower <= upper.
    NetworkGenerator(std::unique_ptr<LayeredNetwork> net, ImageSpec output, CodeBounds bounds);
    NetworkGenerator(SequentialNet net, ImageSpec output, CodeBounds bounds);

    std::int64_t code_size() const override { return net_->input_shape().at(0); }
    const CodeBounds& bounds() const override { return bounds_; }
    const ImageSpec& output() const override { return output_; }
    at::Tensor generate(const at::Tensor& code) const override {
        return net_->forward_to(code, "");
    }
    void to(const at::Device& device) override { net_->to(device); }
    void set_execution_mode(const ExecutionMode& mode) override { net_->set_execution_mode(mode); }
    std::int64_t multiply_adds() const override {
        std::int64_t n = 0;
        for (const auto& l : net_->layers())
            n += l.multiply_adds;
        return n;
    }

  private:
    std::unique_ptr<LayeredNetwork> net_;
    ImageSpec output_;
    CodeBounds bounds_;
};

}  // namespace dgnam
