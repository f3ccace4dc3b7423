#include "dgnam/png_io.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "dgnam/atomic_file.h"
#include "dgnam/error.h"

// stb is third-party code written for C; its warnings are not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wtype-limits"
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
#pragma GCC diagnostic pop

namespace dgnam {
namespace {

void check_image(const Image8& image) {
    if (image.empty()) {
        throw Error("Cannot encode an empty image (" + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + ") as PNG.");
    }
    // stb takes the row stride as an int.
    if (image.width > INT_MAX / 3) {
        throw Error("Cannot encode an image " + std::to_string(image.width) +
                    " pixels wide as PNG: it is too wide.");
    }
    const auto expected = static_cast<std::size_t>(image.width) * image.height * 3;
    if (image.rgb.size() != expected) {
        throw Error("Cannot encode a " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " image as PNG: it holds " +
                    std::to_string(image.rgb.size()) + " bytes instead of " +
                    std::to_string(expected) + ".");
    }
}

void append_to_string(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data),
                                               static_cast<std::size_t>(size));
}

std::string read_whole_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error("Could not open '" + path.string() + "': " + std::strerror(errno) + ".");
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        throw Error("Could not read '" + path.string() + "': " + std::strerror(errno) + ".");
    }
    return bytes;
}

struct StbiFree {
    void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

std::string encode_png(const Image8& image) {
    check_image(image);
    std::string png;
    const int ok = stbi_write_png_to_func(append_to_string, &png, image.width, image.height, 3,
                                          image.rgb.data(), image.width * 3);
    if (ok == 0) {
        throw Error("Could not encode a " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " image as PNG.");
    }
    return png;
}

void write_png(const std::filesystem::path& path, const Image8& image) {
    std::string png;
    try {
        png = encode_png(image);
    } catch (const Error& e) {
        throw Error("Could not write '" + path.string() + "': " + e.what());
    }
    write_file_atomically(path, png);
}

Image8 read_png(const std::filesystem::path& path) {
    const std::string bytes = read_whole_file(path);
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        throw Error("Could not read '" + path.string() + "': the file is too large for an image.");
    }
    int width = 0;
    int height = 0;
    int channels_in_file = 0;
    std::unique_ptr<stbi_uc, StbiFree> pixels(stbi_load_from_memory(
        reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &width,
        &height, &channels_in_file, 3));
    if (!pixels) {
        const char* reason = stbi_failure_reason();
        throw Error("Could not read '" + path.string() +
                    "' as an image: " + (reason != nullptr ? reason : "unknown error") + ".");
    }
    Image8 image(width, height);
    std::memcpy(image.rgb.data(), pixels.get(), image.rgb.size());
    return image;
}

}  // namespace dgnam
