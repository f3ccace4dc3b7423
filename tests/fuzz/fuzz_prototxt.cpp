// libFuzzer target: a deploy description (text protobuf) built into a network with random
// weights: parsing, the V1 conversion, every layer's shape checks and the first forward pass.
// Any bytes end in a network or a dgnam::Error, never a crash, a hang or another exception.
#include "dgnam/caffe_net.h"
#include "dgnam/error.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto file = dgnam::fuzz::scratch().write("deploy.prototxt", data, size);
    try {
        dgnam::CaffeNet::with_random_weights(file, 0);
    } catch (const dgnam::Error&) {
    }
    return 0;
}
