// libFuzzer target: a deploy description (text protobuf) built into a network with random
// weights: parsing, the V1 conversion, every layer's shape checks and the first forward pass.
// Any bytes end in a network or a dgnam::Error, never a crash, a hang or another exception.
#include "dgnam/caffe_net.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return dgnam::fuzz::read_as_file(
        "deploy.prototxt", data, size,
        [&](const std::filesystem::path& path) { dgnam::CaffeNet::with_random_weights(path, 0); });
}
