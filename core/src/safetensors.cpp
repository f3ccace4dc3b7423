#include "dgnam/safetensors.h"

#include <ATen/ATen.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dgnam/atomic_file.h"
#include "dgnam/error.h"
#include "quoted_path.h"
#include "unique_fd.h"

// The format stores little-endian data and we copy it verbatim.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "safetensors.cpp copies raw little-endian data; big-endian hosts need byte swaps");

namespace dgnam {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;  // the reference library's limit
constexpr const char* kMetadataKey = "__metadata__";

struct Dtype {
    const char* name;
    at::ScalarType type;
    std::size_t size;
    // Position in the reference implementation's dtype list; its writer puts larger values first
    // so that every tensor starts at a multiple of its element size.
    int alignment_rank;
};

constexpr Dtype kDtypes[] = {
    {"BOOL", at::kBool, 1, 0}, {"U8", at::kByte, 1, 1},    {"I8", at::kChar, 1, 2},
    {"I16", at::kShort, 2, 5}, {"F16", at::kHalf, 2, 7},   {"BF16", at::kBFloat16, 2, 8},
    {"I32", at::kInt, 4, 9},   {"F32", at::kFloat, 4, 11}, {"F64", at::kDouble, 8, 12},
    {"I64", at::kLong, 8, 13},
};

const Dtype* dtype_by_name(const std::string& name) {
    for (const Dtype& d : kDtypes) {
        if (name == d.name) {
            return &d;
        }
    }
    return nullptr;
}

const Dtype* dtype_by_type(at::ScalarType type) {
    for (const Dtype& d : kDtypes) {
        if (type == d.type) {
            return &d;
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Reading

[[noreturn]] void invalid(const fs::path& path, const std::string& problem) {
    throw Error(quoted(path) + " is not a valid safetensors file: " + problem + ".");
}

[[noreturn]] void invalid_tensor(const fs::path& path, const std::string& tensor,
                                 const std::string& problem) {
    invalid(path, "tensor '" + tensor + "': " + problem);
}

// A weights file the user picked; it may be anything, so every number in it is checked before
// it sizes an allocation or a read.
class SafetensorsReader {
  public:
    explicit SafetensorsReader(fs::path path) : path_(std::move(path)), fd_(open_file()) {}

    SafetensorsFile read() {
        const std::uint64_t header_size = read_header_size();
        const json header = parse_header(header_size);
        data_start_ = 8 + header_size;
        data_size_ = file_size_ - data_start_;

        SafetensorsFile result;
        std::vector<Entry> entries;
        for (const auto& [name, value] : header.items()) {
            if (name == kMetadataKey) {
                result.metadata = parse_metadata(value);
            } else {
                entries.push_back(parse_entry(name, value));
            }
        }
        check_no_overlap(entries);
        for (const Entry& entry : entries) {
            result.tensors.emplace(entry.name, load(entry));
        }
        return result;
    }

  private:
    struct Entry {
        std::string name;
        const Dtype* dtype;
        std::vector<std::int64_t> shape;
        std::uint64_t begin;
        std::uint64_t end;
    };

    int open_file() {
        const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw Error("Could not open " + quoted(path_) + ": " + std::strerror(errno) +
                        "; check the path.");
        }
        UniqueFd owner(fd);
        struct stat info {};
        if (::fstat(fd, &info) != 0) {
            throw Error("Could not read " + quoted(path_) + ": " + std::strerror(errno) + ".");
        }
        if (!S_ISREG(info.st_mode)) {
            throw Error("Could not read " + quoted(path_) + ": it is not a regular file.");
        }
        file_size_ = static_cast<std::uint64_t>(info.st_size);
        return owner.release();
    }

    void read_exactly(std::uint64_t offset, void* buffer, std::uint64_t size) {
        auto* out = static_cast<char*>(buffer);
        while (size > 0) {
            const ssize_t got = ::pread(fd_.get(), out, size, static_cast<off_t>(offset));
            if (got < 0) {
                if (errno == EINTR) {
                    continue;
                }
                throw Error("Could not read " + quoted(path_) + ": " + std::strerror(errno) + ".");
            }
            if (got == 0) {
                invalid(path_, "the file ended early (was it truncated while being read?)");
            }
            out += got;
            offset += static_cast<std::uint64_t>(got);
            size -= static_cast<std::uint64_t>(got);
        }
    }

    std::uint64_t read_header_size() {
        if (file_size_ < 8) {
            invalid(path_, "it is " + std::to_string(file_size_) +
                               " bytes long, shorter than the 8-byte header length");
        }
        unsigned char le[8];
        read_exactly(0, le, sizeof le);
        std::uint64_t size = 0;
        for (int i = 7; i >= 0; --i) {
            size = (size << 8) | le[i];
        }
        if (size > file_size_ - 8) {
            invalid(path_, "the header claims " + std::to_string(size) + " bytes but only " +
                               std::to_string(file_size_ - 8) +
                               " follow (truncated, or not a safetensors file)");
        }
        if (size > kMaxHeaderBytes) {
            invalid(path_, "the header is " + std::to_string(size) + " bytes, more than the " +
                               std::to_string(kMaxHeaderBytes) + " allowed");
        }
        return size;
    }

    json parse_header(std::uint64_t size) {
        std::string text(size, '\0');
        read_exactly(8, text.data(), size);
        json header;
        try {
            header = json::parse(text);
        } catch (const json::exception& e) {
            invalid(path_, std::string("the header is not valid JSON (") + e.what() + ")");
        }
        if (!header.is_object()) {
            invalid(path_, "the header is not a JSON object");
        }
        return header;
    }

    TensorMetadata parse_metadata(const json& value) {
        if (!value.is_object()) {
            invalid(path_, "\"__metadata__\" is not an object");
        }
        TensorMetadata metadata;
        for (const auto& [key, item] : value.items()) {
            if (!item.is_string()) {
                invalid(path_, "metadata '" + key + "' is not a string");
            }
            metadata.emplace(key, item.get<std::string>());
        }
        return metadata;
    }

    static std::optional<std::uint64_t> as_unsigned(const json& value) {
        if (!value.is_number_unsigned()) {
            return std::nullopt;
        }
        return value.get<std::uint64_t>();
    }

    Entry parse_entry(const std::string& name, const json& value) {
        if (!value.is_object()) {
            invalid_tensor(path_, name, "its description is not an object");
        }
        Entry entry{name, parse_dtype(name, value), parse_shape(name, value), 0, 0};
        parse_offsets(entry, value);
        check_range(entry);
        return entry;
    }

    const Dtype* parse_dtype(const std::string& name, const json& value) {
        const auto it = value.find("dtype");
        if (it == value.end() || !it->is_string()) {
            invalid_tensor(path_, name, "\"dtype\" is missing or not a string");
        }
        const Dtype* dtype = dtype_by_name(it->get<std::string>());
        if (dtype == nullptr) {
            invalid_tensor(path_, name,
                           "dtype \"" + it->get<std::string>() + "\" is unknown or unsupported");
        }
        return dtype;
    }

    std::vector<std::int64_t> parse_shape(const std::string& name, const json& value) {
        const auto it = value.find("shape");
        if (it == value.end() || !it->is_array()) {
            invalid_tensor(path_, name, "\"shape\" is missing or not an array");
        }
        std::vector<std::int64_t> shape;
        // Strides multiply the sizes with 0 counted as 1, so that product must fit too.
        std::uint64_t product = 1;
        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        for (const json& dim : *it) {
            const auto size = as_unsigned(dim);
            if (!size) {
                invalid_tensor(path_, name,
                               "\"shape\" holds " + dim.dump() + ", not a non-negative integer");
            }
            if (__builtin_mul_overflow(product, std::max<std::uint64_t>(*size, 1), &product) ||
                product > kMax) {
                invalid_tensor(path_, name, "the shape " + it->dump() + " is too large");
            }
            shape.push_back(static_cast<std::int64_t>(*size));
        }
        return shape;
    }

    void parse_offsets(Entry& entry, const json& value) {
        const auto it = value.find("data_offsets");
        if (it == value.end() || !it->is_array() || it->size() != 2) {
            invalid_tensor(path_, entry.name, "\"data_offsets\" is missing or not [begin, end]");
        }
        const auto begin = as_unsigned((*it)[0]);
        const auto end = as_unsigned((*it)[1]);
        if (!begin || !end) {
            invalid_tensor(path_, entry.name,
                           "\"data_offsets\" " + it->dump() + " are not non-negative integers");
        }
        entry.begin = *begin;
        entry.end = *end;
    }

    void check_range(const Entry& entry) {
        std::uint64_t numel = 1;
        for (const std::int64_t dim : entry.shape) {
            numel *= static_cast<std::uint64_t>(dim);  // cannot overflow: checked in parse_shape
        }
        std::uint64_t bytes = 0;
        if (__builtin_mul_overflow(numel, entry.dtype->size, &bytes)) {
            invalid_tensor(path_, entry.name, "its shape is too large");
        }
        const std::string range =
            "[" + std::to_string(entry.begin) + ", " + std::to_string(entry.end) + "]";
        if (entry.begin > entry.end) {
            invalid_tensor(path_, entry.name, "data_offsets " + range + " end before they begin");
        }
        if (entry.end > data_size_) {
            invalid_tensor(path_, entry.name,
                           "data_offsets " + range + " reach past the end of the data section (" +
                               std::to_string(data_size_) + " bytes)");
        }
        if (entry.end - entry.begin != bytes) {
            invalid_tensor(path_, entry.name,
                           "data_offsets " + range + " hold " +
                               std::to_string(entry.end - entry.begin) +
                               " bytes but its shape and dtype need " + std::to_string(bytes));
        }
    }

    void check_no_overlap(std::vector<Entry>& entries) {
        std::sort(entries.begin(), entries.end(),
                  [](const Entry& a, const Entry& b) { return a.begin < b.begin; });
        const Entry* previous = nullptr;
        for (const Entry& entry : entries) {
            if (entry.begin == entry.end) {
                continue;  // an empty range shares no byte with anything
            }
            if (previous != nullptr && entry.begin < previous->end) {
                invalid_tensor(path_, entry.name,
                               "its data overlaps that of tensor '" + previous->name + "'");
            }
            previous = &entry;
        }
    }

    at::Tensor load(const Entry& entry) {
        // Booleans come in as bytes and are normalised, since a byte other than 0 or 1 in a bool
        // tensor is undefined behaviour in LibTorch.
        const bool is_bool = entry.dtype->type == at::kBool;
        at::Tensor tensor = at::empty(
            entry.shape, at::TensorOptions().dtype(is_bool ? at::kByte : entry.dtype->type));
        read_exactly(data_start_ + entry.begin, tensor.data_ptr(), entry.end - entry.begin);
        return is_bool ? tensor.ne(0) : tensor;
    }

    fs::path path_;
    std::uint64_t file_size_ = 0;  // declared before fd_: open_file() sets it
    UniqueFd fd_;
    std::uint64_t data_start_ = 0;
    std::uint64_t data_size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Writing

struct Prepared {
    std::string name;
    const Dtype* dtype;
    at::Tensor tensor;  // contiguous, on the CPU
};

std::vector<Prepared> prepare(const fs::path& path, const TensorMap& tensors) {
    std::vector<Prepared> prepared;
    for (const auto& [name, tensor] : tensors) {
        const std::string where = "Could not write " + quoted(path) + ": tensor '" + name + "' ";
        if (name == kMetadataKey) {
            throw Error(where + "has a name reserved for metadata; rename it.");
        }
        if (!tensor.defined()) {
            throw Error(where + "is undefined.");
        }
        const Dtype* dtype = dtype_by_type(tensor.scalar_type());
        if (dtype == nullptr) {
            throw Error(where + "has dtype " + std::string(c10::toString(tensor.scalar_type())) +
                        ", which is not supported; convert it to float32 first.");
        }
        prepared.push_back({name, dtype, tensor.detach().to(at::kCPU).contiguous()});
    }
    // Same order as the reference writer: larger alignment first, then by name. Every tensor
    // then starts at a multiple of its element size, which zero-copy readers rely on.
    std::stable_sort(prepared.begin(), prepared.end(), [](const Prepared& a, const Prepared& b) {
        return a.dtype->alignment_rank > b.dtype->alignment_rank;
    });
    return prepared;
}

std::string make_header(const fs::path& path, const std::vector<Prepared>& tensors,
                        const TensorMetadata& metadata) {
    // Insertion-ordered so that the keys come out as the reference writer orders them.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        header[kMetadataKey] = metadata;
    }
    std::uint64_t offset = 0;
    for (const Prepared& p : tensors) {
        const auto bytes = static_cast<std::uint64_t>(p.tensor.nbytes());
        nlohmann::ordered_json entry = nlohmann::ordered_json::object();
        entry["dtype"] = p.dtype->name;
        entry["shape"] = p.tensor.sizes().vec();
        entry["data_offsets"] = {offset, offset + bytes};
        header[p.name] = std::move(entry);
        offset += bytes;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::ordered_json::exception&) {
        throw Error("Could not write " + quoted(path) +
                    ": a tensor name or metadata string is not valid UTF-8.");
    }
    // Padding with spaces keeps the data section 8-byte aligned, as the format recommends.
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

}  // namespace

SafetensorsFile read_safetensors(const std::filesystem::path& path) {
    return SafetensorsReader(path).read();
}

void write_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                       const TensorMetadata& metadata) {
    const std::vector<Prepared> prepared = prepare(path, tensors);
    const std::string header = make_header(path, prepared, metadata);

    std::size_t data_bytes = 0;
    for (const Prepared& p : prepared) {
        data_bytes += p.tensor.nbytes();
    }
    std::string file;
    file.reserve(8 + header.size() + data_bytes);
    std::uint64_t header_size = header.size();
    for (int i = 0; i < 8; ++i) {
        file.push_back(static_cast<char>(header_size & 0xff));
        header_size >>= 8;
    }
    file += header;
    for (const Prepared& p : prepared) {
        if (p.tensor.nbytes() > 0) {
            file.append(static_cast<const char*>(p.tensor.data_ptr()), p.tensor.nbytes());
        }
    }
    write_file_atomically(path, file);
}

}  // namespace dgnam
