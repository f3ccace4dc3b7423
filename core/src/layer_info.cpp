#include "dgnam/layer_info.h"

namespace dgnam {

std::int64_t multiply_adds(WeightedOp op, const std::vector<std::int64_t>& weight_shape,
                           std::int64_t in_values, std::int64_t out_values) {
    if (weight_shape.empty() || weight_shape.front() == 0)
        return 0;
    std::int64_t weights = 1;
    for (auto d : weight_shape)
        weights *= d;
    switch (op) {
        case WeightedOp::Convolution:
            return out_values * (weights / weight_shape.front());
        case WeightedOp::TransposedConvolution:
            return in_values * (weights / weight_shape.front());
        case WeightedOp::Product:
            return weights;
    }
    return 0;
}

const char* to_string(LayerKind kind) {
    switch (kind) {
        case LayerKind::Convolution:
            return "convolution";
        case LayerKind::FullyConnected:
            return "fully-connected";
        case LayerKind::Other:
            break;
    }
    return "other";
}

LayerKind kind_of_type(const std::string& type) {
    // The pack's own names, Caffe's and PyTorch's module names.
    if (type == "conv2d" || type == "conv_transpose2d" || type == "Convolution" ||
        type == "Deconvolution" || type == "Conv2d" || type == "ConvTranspose2d")
        return LayerKind::Convolution;
    if (type == "linear" || type == "InnerProduct" || type == "Linear")
        return LayerKind::FullyConnected;
    return LayerKind::Other;
}

}  // namespace dgnam
