#pragma once
// What a front end shows of a network layer.
#include <cstdint>
#include <string>
#include <vector>

namespace dgnam {

enum class LayerKind {
    Convolution,     // output [C, H, W]; a unit is a channel (at a position or averaged)
    FullyConnected,  // output [N]; a unit is one value
    Other,           // activations, pooling, reshapes: shape says which of the above applies
};

struct LayerInfo {
    std::string name;
    std::string type;  // the layer's type as written in its model file
    LayerKind kind = LayerKind::Other;
    std::vector<std::int64_t> shape;  // output shape without the batch dimension
    // Multiply-adds per sample of the layer's convolution or matrix product (its own and those
    // of layers inside it); 0 for layers without one or where the source does not say. A
    // TorchScript layer's: those its model's code calls after the previous layer's output.
    std::int64_t multiply_adds = 0;

    bool is_spatial() const { return shape.size() == 3; }
    std::int64_t units() const { return shape.empty() ? 0 : shape.front(); }
};

// A layer with a weight tensor whose first axis is as in LibTorch: [out, in/groups, kh, kw] for a
// convolution, [in, out/groups, kh, kw] for a transposed one, [out, in] for a product.
enum class WeightedOp { Convolution, TransposedConvolution, Product };
// Multiply-adds per sample: each output value of a convolution reads weight.numel()/out weights,
// each input value of a transposed convolution writes weight.numel()/in of them.
std::int64_t multiply_adds(WeightedOp op, const std::vector<std::int64_t>& weight_shape,
                           std::int64_t in_values, std::int64_t out_values);

const char* to_string(LayerKind kind);
LayerKind kind_of_type(const std::string& type);

}  // namespace dgnam
