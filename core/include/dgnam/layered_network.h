#pragma once
// A network whose named layers can be browsed and read: what every model source (the pack's own
// layer lists, Caffe files) gives the classifier and generator wrappers.
#include <ATen/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dgnam/execution_mode.h"
#include "dgnam/layer_info.h"

namespace dgnam {

class LayeredNetwork {
  public:
    virtual ~LayeredNetwork() = default;

    // The layers a user can pick, in forward order; the last one is the network's output.
    virtual const std::vector<LayerInfo>& layers() const = 0;
    // The input of one sample, without the batch dimension.
    virtual const std::vector<std::int64_t>& input_shape() const = 0;
    // The named layer's output for a batch, differentiable with respect to the input; only the
    // layers it depends on run. Throws dgnam::Error for a layer that is not in layers().
    virtual at::Tensor forward_to(const at::Tensor& input, const std::string& layer) const = 0;
    virtual void to(const at::Device& device) = 0;
    // Sources that cannot change how they run (TorchScript runs as its file says) ignore it.
    virtual void set_execution_mode(const ExecutionMode&) {}

  protected:
    LayeredNetwork() = default;
    LayeredNetwork(const LayeredNetwork&) = default;
    LayeredNetwork& operator=(const LayeredNetwork&) = default;
    LayeredNetwork(LayeredNetwork&&) = default;
    LayeredNetwork& operator=(LayeredNetwork&&) = default;
};

}  // namespace dgnam
