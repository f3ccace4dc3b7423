#include "dgnam/layer_info.h"

namespace dgnam {

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
