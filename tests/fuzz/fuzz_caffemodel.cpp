// libFuzzer target: a binary .caffemodel loaded against a fixed small deploy description (the
// one its seeds were encoded for: convolution, LRN, pooling, a transposed convolution and an
// inner product), so that blob matching and shape checks see the fuzzer's weights.
#include "dgnam/caffe_net.h"
#include "fuzz_input.h"

namespace {

const char kDeploy[] = R"(name: "fuzz"
layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 1 dim: 8 dim: 8 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
        convolution_param { num_output: 2 kernel_size: 3 pad: 1 } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "norm" type: "LRN" bottom: "conv" top: "norm" lrn_param { local_size: 3 } }
layer { name: "pool" type: "Pooling" bottom: "norm" top: "pool"
        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "up" type: "Deconvolution" bottom: "pool" top: "up"
        convolution_param { num_output: 1 kernel_size: 4 stride: 2 pad: 1 } }
layer { name: "fc" type: "InnerProduct" bottom: "up" top: "fc" inner_product_param { num_output: 3 } }
)";

std::filesystem::path deploy_file() {
    static const auto path = [] {
        return dgnam::fuzz::scratch().write(
            "deploy.prototxt", reinterpret_cast<const std::uint8_t*>(kDeploy), sizeof(kDeploy) - 1);
    }();
    return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto deploy = deploy_file();
    return dgnam::fuzz::read_as_file(
        "weights.caffemodel", data, size,
        [&](const std::filesystem::path& path) { dgnam::CaffeNet::load(deploy, path); });
}
