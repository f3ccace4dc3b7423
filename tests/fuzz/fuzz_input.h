#pragma once
// The readers under fuzzing take paths, as the program gives them; each input is written to a
// file in a folder of this process's own, removed when the process ends.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "dgnam/error.h"

namespace dgnam::fuzz {

class ScratchFolder {
  public:
    ScratchFolder() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "dgnam-fuzz-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            std::abort();
        path_ = pattern;
    }
    ~ScratchFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Writes the fuzzer's bytes to `name` inside the folder and returns the file's path.
    std::filesystem::path write(const std::string& name, const std::uint8_t* data,
                                std::size_t size) const {
        const auto file = path_ / name;
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        if (!out)
            std::abort();
        return file;
    }

  private:
    std::filesystem::path path_;
};

// One folder per fuzzer process, made on first use (libFuzzer calls the target from one thread).
inline const ScratchFolder& scratch() {
    static const ScratchFolder folder;
    return folder;
}

// Writes the input to `file_name` in the scratch folder and gives its path to `read`. A
// dgnam::Error is the expected outcome for bad bytes; anything else escapes, and libFuzzer reports
// it as a crash.
template <typename Read>
int read_as_file(const char* file_name, const std::uint8_t* data, std::size_t size, Read read) {
    const auto file = scratch().write(file_name, data, size);
    try {
        read(file);
    } catch (const dgnam::Error&) {
    }
    return 0;
}

}  // namespace dgnam::fuzz
