// libFuzzer target: any bytes given to the reader end in a value or a dgnam::Error, never a crash,
// a hang or another exception (whose message would not name the file).
#include "dgnam/bound_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return dgnam::fuzz::read_as_file("fc6.txt", data, size, [&](const std::filesystem::path& path) {
        dgnam::read_bound_file(path);
    });
}
