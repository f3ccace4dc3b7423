#pragma once
// The IDX file format of MNIST and Fashion-MNIST, usually gzip-compressed: a big-endian header
// (two zero bytes, a type byte, a dimension count) and one big-endian uint32 per dimension,
// followed by the values in row-major order. Only unsigned bytes (type 0x08) are supported.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace dgnam {

struct IdxArray {
    std::vector<std::int64_t> shape;  // 1 to 4 dimensions, each > 0
    std::vector<std::uint8_t> data;   // product(shape) bytes, row-major
};

// Reads a gzip-compressed (or plain) IDX file of unsigned bytes. Throws dgnam::Error naming the
// file and the problem for a missing or unreadable file, a corrupt or truncated gzip stream, a
// malformed header, an array over 2^31 bytes, or data shorter or longer than the header says.
// The header is checked before any large allocation, and memory grows only as data arrives.
IdxArray read_idx_gz(const std::filesystem::path& path);

}  // namespace dgnam
