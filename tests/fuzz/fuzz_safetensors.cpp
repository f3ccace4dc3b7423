// libFuzzer target: any bytes given to the reader end in a value or a dgnam::Error, never a crash,
// a hang or another exception (whose message would not name the file).
#include "dgnam/error.h"
#include "dgnam/safetensors.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto file = dgnam::fuzz::scratch().write("weights.safetensors", data, size);
    try {
        dgnam::read_safetensors(file);
    } catch (const dgnam::Error&) {
    }
    return 0;
}
