// libFuzzer target: a pack's manifest.json, loaded beside the bundled pack's own weight and
// bound files (linked in once), with the default trust (no TorchScript). Any bytes end in a pack
// or a dgnam::Error, never a crash, a hang or another exception.
#include <filesystem>

#include "dgnam/model_pack.h"
#include "fuzz_input.h"

namespace {

// The bundled pack's data files, linked into the scratch folder once.
const std::filesystem::path& pack_folder() {
    static const auto folder = [] {
        const auto& scratch = dgnam::fuzz::scratch().path();
        for (const auto& entry : std::filesystem::directory_iterator(DGNAM_FUZZ_BUNDLED_PACK))
            if (entry.path().filename() != "manifest.json")
                std::filesystem::create_symlink(entry.path(), scratch / entry.path().filename());
        return scratch;
    }();
    return folder;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto& folder = pack_folder();
    return dgnam::fuzz::read_as_file(
        "manifest.json", data, size,
        [&](const std::filesystem::path&) { dgnam::load_model_pack(folder); });
}
