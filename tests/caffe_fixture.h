#pragma once
// Caffe files for tests: deploy descriptions written as text, weights written as text and
// encoded into a binary .caffemodel by Debian's protoc (an encoder the project did not write).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dgnam::test {

// `count` values in [-1, 1) from a fixed sequence; printed exactly by blob_text.
std::vector<float> seeded_values(std::size_t count, std::uint32_t seed);

// A BlobProto in text format: `blobs { shape { dim: ... } data: ... }`; with `legacy`, the old
// num/channels/height/width fields (shape padded with leading 1s to four axes).
std::string blob_text(const std::vector<std::int64_t>& shape, const std::vector<float>& values,
                      bool legacy = false);

// Writes `text` (a NetParameter in text format) to `path` encoded by
// `protoc --encode=dgnam_caffe.NetParameter`; fails the test when protoc fails.
void encode_caffemodel(const std::string& text, const std::filesystem::path& path);

void write_text(const std::filesystem::path& path, const std::string& text);

}  // namespace dgnam::test
