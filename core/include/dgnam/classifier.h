#pragma once
// What the optimiser needs of a classifier: its layers in forward order, the labels of its
// output layer, its input size and normalisation, and a forward pass up to a named layer that
// gradients can flow back through.
#include <ATen/Tensor.h>

#include <string>
#include <vector>

#include "dgnam/execution_mode.h"
#include "dgnam/layer_info.h"
#include "dgnam/pixel_space.h"

namespace dgnam {

struct ImageSpec {
    std::vector<std::int64_t> shape;  // [C, H, W]
    PixelSpace space;
};

class Classifier {
  public:
    virtual ~Classifier() = default;

    virtual const std::string& id() const = 0;    // short name within a pack ("A")
    virtual const std::string& name() const = 0;  // human-readable
    virtual const std::vector<LayerInfo>& layers() const = 0;
    virtual const std::string& output_layer() const = 0;         // pre-softmax scores
    virtual const std::vector<std::string>& labels() const = 0;  // may be empty
    virtual const ImageSpec& input() const = 0;
    // input: [N, C, H, W] in input().space. Returns the named layer's output, differentiable with
    // respect to the input. Throws dgnam::Error for an unknown layer.
    virtual at::Tensor forward_to(const at::Tensor& input, const std::string& layer) const = 0;
    virtual void to(const at::Device& device) = 0;
    virtual void set_execution_mode(const ExecutionMode&) {}

    // Throws dgnam::Error naming the layer and the known layers when it is absent.
    const LayerInfo& layer(const std::string& name) const;
    // The label of `unit` on the output layer, if the classifier has labels.
    std::string label_of(const std::string& layer, std::int64_t unit) const;
};

}  // namespace dgnam
