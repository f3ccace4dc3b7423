#pragma once
// Reader and writer of the safetensors format (8-byte little-endian header length, a JSON header
// of {name: {dtype, shape, data_offsets}} plus optional "__metadata__", then raw little-endian
// data). No code is executed from a weights file, unlike pickle-based formats.
#include <ATen/Tensor.h>

#include <filesystem>
#include <map>
#include <string>

namespace dgnam {

using TensorMap = std::map<std::string, at::Tensor>;
using TensorMetadata = std::map<std::string, std::string>;

struct SafetensorsFile {
    TensorMap tensors;  // contiguous CPU tensors
    TensorMetadata metadata;
};

// Throws dgnam::Error naming the file and, where it applies, the tensor: truncated file, header
// larger than the file, unknown dtype, byte range outside the data section or not matching the
// shape, overlapping ranges.
SafetensorsFile read_safetensors(const std::filesystem::path& path);
// Writes atomically. Supported dtypes: float32, float64, float16, bfloat16, int64, int32, int16,
// int8, uint8, bool.
void write_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                       const TensorMetadata& metadata = {});

}  // namespace dgnam
