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

    bool is_spatial() const { return shape.size() == 3; }
    std::int64_t units() const { return shape.empty() ? 0 : shape.front(); }
};

const char* to_string(LayerKind kind);
LayerKind kind_of_type(const std::string& type);

}  // namespace dgnam
