#pragma once
// Caffe's layer types run with ATen's functional operators, one small class per type. Private
// to the core; CaffeNet wires them into a graph.
#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "caffe.pb.h"
#include "dgnam/execution_mode.h"

namespace dgnam::caffe_layers {

// A parameter blob from a weights file. Old files give 4-D legacy shapes (num, channels, height,
// width) that only have to agree in element count.
struct Blob {
    at::Tensor values;
    bool legacy_shape = false;
};

class Op {
  public:
    virtual ~Op() = default;
    virtual std::vector<at::Tensor> run(const std::vector<at::Tensor>& bottoms) const = 0;
    void to(const at::Device& device);
    std::int64_t parameter_count() const;
    // Frozen weights stop requiring gradients; Deconvolution also picks its form.
    virtual void set_execution_mode(const ExecutionMode& mode);

  protected:
    // After the weights were moved or (un)frozen: ops that prepare something from them redo it.
    virtual void weights_changed() {}
    std::vector<at::Tensor> weights_;  // the layer's frozen parameters
};

// The layer types make_op accepts, for messages.
const std::vector<std::string>& supported_types();

struct BuiltOp {
    std::unique_ptr<Op> op;
    std::vector<at::Tensor> blobs;  // the parameter blobs it took, in Caffe's order and shapes
};

// Builds the op of `layer`. `bottoms` are example inputs of the layer (batch 1), from which the
// expected blob shapes follow; `input_batch` is the batch size the deploy file declares for the
// network's input (a Reshape that names it keeps the running batch). With `random`, parameter
// blobs are drawn instead of taken from `blobs`: weights normal with variance 2 / fan-in, biases
// and means 0, scales and variances 1. Throws dgnam::Error with the problem (the caller adds the
// file and the layer's name).
BuiltOp make_op(const dgnam_caffe::LayerParameter& layer, const std::vector<at::Tensor>& bottoms,
                std::vector<Blob> blobs, std::int64_t input_batch, at::Generator* random = nullptr);

}  // namespace dgnam::caffe_layers
