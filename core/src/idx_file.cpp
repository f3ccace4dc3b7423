#include "dgnam/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>

#include "dgnam/error.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 31;  // 2 GiB, far above any IDX data set
constexpr std::size_t kFirstChunk = std::size_t{1} << 20;
constexpr std::size_t kMaxChunk = std::size_t{1} << 26;  // gzread takes and returns an int

std::string hex_byte(std::uint8_t b) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02X", static_cast<unsigned>(b));
    return text;
}

const char* idx_type_name(std::uint8_t type) {
    switch (type) {
        case 0x08:
            return "unsigned byte";
        case 0x09:
            return "signed byte";
        case 0x0B:
            return "16-bit integer";
        case 0x0C:
            return "32-bit integer";
        case 0x0D:
            return "32-bit float";
        case 0x0E:
            return "64-bit float";
    }
    return "unknown type";
}

class GzReader {
  public:
    explicit GzReader(const fs::path& path) : path_(path) {
        std::error_code ec;
        const auto status = fs::status(path, ec);
        if (status.type() == fs::file_type::not_found)
            throw fail("file not found");
        if (fs::is_directory(status))
            throw fail("is a folder, not an IDX file");
        file_ = gzopen(path.c_str(), "rb");
        if (!file_)
            throw fail("cannot open the file (" + std::system_category().message(errno) + ")");
        gzbuffer(file_, 1 << 17);
    }
    ~GzReader() {
        if (file_)
            gzclose(file_);
    }
    GzReader(const GzReader&) = delete;
    GzReader& operator=(const GzReader&) = delete;

    // Reads up to n bytes; fewer only at the end of the data. Throws on a corrupt or cut-short
    // gzip stream and on read errors.
    std::size_t read(std::uint8_t* out, std::size_t n) {
        std::size_t total = 0;
        while (total < n) {
            const auto want = static_cast<unsigned>(std::min(n - total, kMaxChunk));
            const int got = gzread(file_, out + total, want);
            check_stream(got < 0);
            if (got <= 0)
                break;
            total += static_cast<std::size_t>(got);
        }
        return total;
    }

    Error fail(const std::string& what) const { return Error(path_.string() + ": " + what); }

  private:
    void check_stream(bool failed) {
        int code = Z_OK;
        const char* message = gzerror(file_, &code);
        if (code == Z_BUF_ERROR)
            throw fail("the gzip stream is cut short (the file is truncated); download it again");
        if (code == Z_ERRNO)
            throw fail("cannot read the file (" + std::system_category().message(errno) + ")");
        if (failed || code != Z_OK) {
            // zlib's message starts with the path, which fail() already gives.
            std::string detail = message ? message : "";
            const std::string prefix = path_.string() + ": ";
            if (detail.compare(0, prefix.size(), prefix) == 0)
                detail.erase(0, prefix.size());
            throw fail("corrupt gzip data (" + detail + "); download the file again");
        }
    }

    fs::path path_;
    gzFile file_ = nullptr;
};

}  // namespace

IdxArray read_idx_gz(const fs::path& path) {
    GzReader in(path);
    std::uint8_t header[4];
    const auto header_bytes = in.read(header, sizeof header);
    if (header_bytes < sizeof header)
        throw in.fail("too short for an IDX header (" + std::to_string(header_bytes) +
                      " of 4 bytes); is it an IDX file?");
    if (header[0] != 0 || header[1] != 0)
        throw in.fail("not an IDX file: it starts with " + hex_byte(header[0]) + " " +
                      hex_byte(header[1]) + " instead of two zero bytes");
    if (header[2] != 0x08)
        throw in.fail("IDX type " + hex_byte(header[2]) + " (" + idx_type_name(header[2]) +
                      ") is not supported; only unsigned bytes (0x08) are");
    const int dims = header[3];
    if (dims < 1 || dims > 4)
        throw in.fail("the IDX header gives " + std::to_string(dims) +
                      " dimensions; 1 to 4 are supported");

    IdxArray array;
    std::uint64_t total = 1;
    for (int d = 0; d < dims; ++d) {
        std::uint8_t be[4];
        if (in.read(be, sizeof be) < sizeof be)
            throw in.fail("the IDX header is cut short in its dimension sizes");
        const std::uint64_t size = (std::uint64_t{be[0]} << 24) | (std::uint64_t{be[1]} << 16) |
                                   (std::uint64_t{be[2]} << 8) | std::uint64_t{be[3]};
        if (size == 0)
            throw in.fail("dimension " + std::to_string(d) + " of the IDX array is 0");
        array.shape.push_back(static_cast<std::int64_t>(size));
        // Both factors are below 2^32 and total stays at most 2^31, so this cannot overflow.
        total *= size;
        if (total > kMaxBytes)
            throw in.fail("the IDX header describes an array over 2 GiB (" +
                          joined_sizes(array.shape, " x ") + (d + 1 < dims ? " x ..." : "") +
                          " bytes); the file is corrupt or not an IDX file");
    }

    // Grow as data arrives so that a lying header in a small file costs no large allocation.
    const auto expected = static_cast<std::size_t>(total);
    while (array.data.size() < expected) {
        const std::size_t have = array.data.size();
        const std::size_t chunk = std::min(expected - have, std::max(kFirstChunk, have));
        array.data.resize(have + chunk);
        const std::size_t got = in.read(array.data.data() + have, chunk);
        if (got < chunk)
            throw in.fail("the data ends after " + std::to_string(have + got) + " of " +
                          std::to_string(expected) + " bytes (" + joined_sizes(array.shape, " x ") +
                          "); the file is truncated, download it again");
    }
    std::uint8_t extra;
    if (in.read(&extra, 1) != 0)
        throw in.fail("more data follows the " + std::to_string(expected) + " bytes (" +
                      joined_sizes(array.shape, " x ") +
                      ") the IDX header describes; the file is corrupt or not an IDX file");
    return array;
}

}  // namespace dgnam
