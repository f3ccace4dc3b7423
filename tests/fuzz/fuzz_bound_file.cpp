// libFuzzer target: any bytes given to the reader end in a value or a dgnam::Error, never a crash,
// a hang or another exception (whose message would not name the file).
#include "dgnam/bound_file.h"
#include "dgnam/error.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto file = dgnam::fuzz::scratch().write("fc6.txt", data, size);
    try {
        dgnam::read_bound_file(file);
    } catch (const dgnam::Error&) {
    }
    return 0;
}
