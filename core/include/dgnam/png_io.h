#pragma once
// PNG encoding through stb_image_write and decoding through stb_image.
#include <filesystem>
#include <string>

#include "dgnam/image.h"

namespace dgnam {

std::string encode_png(const Image8& image);
// Atomic write (see atomic_file.h); throws dgnam::Error naming the path.
void write_png(const std::filesystem::path& path, const Image8& image);
// Any PNG stb_image reads, converted to RGB; throws dgnam::Error naming the path.
Image8 read_png(const std::filesystem::path& path);

}  // namespace dgnam
