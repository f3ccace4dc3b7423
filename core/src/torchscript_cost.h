#pragma once
// The multiply-adds of a TorchScript model's layers. Its layers are code, not a list with weight
// shapes (as the pack's and Caffe's are), so the count comes from the operators one forward calls:
// LibTorch's RecordFunction hooks see each convolution and matrix product with its operands, and
// the order of the calls places each one before the first layer output it could feed. The batch
// split of a gallery and `dgnam bench`'s GFLOP/s need the figure.
#include <ATen/Tensor.h>
#include <ATen/record_function.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dgnam/layer_info.h"

namespace dgnam {

// Counts, while it lives, the operators this thread calls. RecordFunction's hooks are plain
// function pointers, so they find the count through a thread-local pointer that the constructor
// sets and the destructor restores; while a count made inside another lives, only it counts.
class OperatorCostCount {
  public:
    OperatorCostCount();
    ~OperatorCostCount();
    OperatorCostCount(const OperatorCostCount&) = delete;
    OperatorCostCount& operator=(const OperatorCostCount&) = delete;

    // Multiply-adds for each of `layers` (outputs of the counted forward, in forward order): those
    // of the convolutions and matrix products called after the previous layer's output was made,
    // up to and including the call that made this one's. Calls after the last layer's output count
    // towards it. All rows of the batch: divide by its size for a sample's.
    std::vector<std::int64_t> by_layer(
        const std::vector<std::pair<std::string, at::Tensor>>& layers) const;

  private:
    // The multiply-adds of a convolution (multiply_adds() once its output is known) or of a
    // product (`per_output` for each value of its output); what a hook carries from a call's
    // start to its end.
    struct Cost {
        bool known = false;
        std::optional<WeightedOp> convolution;
        std::vector<std::int64_t> weight_shape;
        std::int64_t in_values = 0, per_output = 0;
        std::int64_t given(std::int64_t out_values) const;
    };
    static Cost cost_of(const at::RecordFunction& fn);
    struct CallCost;
    static std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn);
    static void on_end(const at::RecordFunction& fn, at::ObserverContext* context);

    struct Costed {
        std::int64_t multiply_adds = 0;
        std::int64_t top_level_call = 0;  // the index of the outermost call it ran inside
    };
    std::vector<Costed> costed_;
    // The storage of each tensor an outermost call returned -> the first such call's index.
    std::unordered_map<const void*, std::int64_t> first_made_by_;
    std::int64_t depth_ = 0;         // calls in progress
    std::int64_t costed_depth_ = 0;  // convolutions and products in progress (nested ones call
                                     // each other: conv2d -> convolution -> _convolution)
    std::int64_t top_level_calls_ = 0;
    OperatorCostCount* outer_;
    at::CallbackHandle handle_ = 0;
};

}  // namespace dgnam
