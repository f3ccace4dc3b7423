#include "dgnam/safetensors.h"

#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "dgnam/error.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

std::string le64(std::uint64_t value) {
    std::string bytes;
    for (int i = 0; i < 8; ++i) {
        bytes.push_back(static_cast<char>(value >> (8 * i)));
    }
    return bytes;
}

std::string f32_bytes(std::initializer_list<float> values) {
    std::string bytes;
    for (const float v : values) {
        char raw[4];
        std::memcpy(raw, &v, 4);  // the test host is little-endian, as the format
        bytes.append(raw, 4);
    }
    return bytes;
}

// A safetensors file as the format defines it: length, JSON header, data.
std::string safetensors_bytes(const std::string& header, const std::string& data = "") {
    return le64(header.size()) + header + data;
}

std::string raw_bytes(const at::Tensor& tensor) {
    const at::Tensor c = tensor.contiguous();
    return std::string(static_cast<const char*>(c.data_ptr()), c.nbytes());
}

void expect_same(const at::Tensor& actual, const at::Tensor& expected) {
    EXPECT_EQ(actual.scalar_type(), expected.scalar_type());
    EXPECT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(actual.is_contiguous());
    EXPECT_EQ(raw_bytes(actual), raw_bytes(expected));
}

std::string read_error(const fs::path& path) {
    try {
        dgnam::read_safetensors(path);
    } catch (const dgnam::Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "reading " << path << " did not throw";
    return "";
}

std::string write_error(const fs::path& path, const dgnam::TensorMap& tensors) {
    try {
        dgnam::write_safetensors(path, tensors);
    } catch (const dgnam::Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "writing " << path << " did not throw";
    return "";
}

}  // namespace

TEST(Safetensors, ReadsHandBuiltFile) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "hand.safetensors";
    const std::string header =
        R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("b":{"dtype":"U8","shape":[1,3],"data_offsets":[8,11]}})";
    dgnam::test::write_bytes(
        path, safetensors_bytes(header, f32_bytes({1.5f, -2.0f}) + std::string("\x01\x02\xff")));

    const dgnam::SafetensorsFile file = dgnam::read_safetensors(path);
    ASSERT_EQ(file.tensors.size(), 2u);
    const at::Tensor w = file.tensors.at("w");
    EXPECT_EQ(w.scalar_type(), at::kFloat);
    EXPECT_EQ(w.sizes(), at::IntArrayRef({2}));
    EXPECT_EQ(w[0].item<float>(), 1.5f);
    EXPECT_EQ(w[1].item<float>(), -2.0f);
    const at::Tensor b = file.tensors.at("b");
    EXPECT_EQ(b.scalar_type(), at::kByte);
    EXPECT_EQ(b.sizes(), at::IntArrayRef({1, 3}));
    EXPECT_EQ(b[0][2].item<std::uint8_t>(), 255);
    EXPECT_EQ(file.metadata, (dgnam::TensorMetadata{{"format", "pt"}}));
}

// The expected bytes are those the reference (Python/Rust) writer produces for the same input:
// compact JSON with keys dtype, shape, data_offsets, padded with spaces to 8 bytes.
TEST(Safetensors, WriterBytesMatchTheFormatExactly) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "attn.safetensors";
    const at::Tensor attn = at::arange(6, at::kFloat).reshape({1, 1, 2, 3});
    dgnam::write_safetensors(path, {{"attn0", attn}});

    const std::string header =
        R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})";
    ASSERT_EQ(header.size(), 65u);
    const std::string expected =
        le64(72) + header + std::string(7, ' ') + f32_bytes({0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f});
    EXPECT_EQ(dgnam::test::read_bytes(path), expected);
}

TEST(Safetensors, WriterPutsMetadataFirst) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "meta.safetensors";
    dgnam::write_safetensors(path, {{"x", at::ones({1}, at::kByte)}}, {{"format", "pt"}});
    const std::string header =
        R"({"__metadata__":{"format":"pt"},"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})";
    const std::size_t padded = (header.size() + 7) / 8 * 8;
    const std::string expected =
        le64(padded) + header + std::string(padded - header.size(), ' ') + "\x01";
    EXPECT_EQ(dgnam::test::read_bytes(path), expected);
}

TEST(Safetensors, EmptyFileIsEightBytesOfHeader) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "empty.safetensors";
    dgnam::write_safetensors(path, {});
    EXPECT_EQ(dgnam::test::read_bytes(path), le64(8) + "{}      ");
    const dgnam::SafetensorsFile file = dgnam::read_safetensors(path);
    EXPECT_TRUE(file.tensors.empty());
    EXPECT_TRUE(file.metadata.empty());
}

TEST(Safetensors, RoundTripsEveryDtype) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "all.safetensors";
    const at::Tensor base = at::arange(-6, 6, at::kDouble).reshape({3, 4}) * 1.25;
    dgnam::TensorMap tensors;
    for (const at::ScalarType type : {at::kFloat, at::kDouble, at::kHalf, at::kBFloat16, at::kLong,
                                      at::kInt, at::kShort, at::kChar, at::kByte, at::kBool}) {
        tensors.emplace(std::string("t_") + c10::toString(type), base.to(type));
    }
    tensors.emplace("scalar", at::scalar_tensor(3.5, at::kFloat));
    tensors.emplace("empty", at::empty({0, 3}, at::kFloat));
    tensors.emplace("big_values", at::tensor({INT64_MIN, INT64_MAX}, at::kLong));
    dgnam::write_safetensors(path, tensors);

    const dgnam::SafetensorsFile file = dgnam::read_safetensors(path);
    ASSERT_EQ(file.tensors.size(), tensors.size());
    for (const auto& [name, tensor] : tensors) {
        SCOPED_TRACE(name);
        ASSERT_EQ(file.tensors.count(name), 1u);
        expect_same(file.tensors.at(name), tensor);
    }
}

TEST(Safetensors, RoundTripsMetadata) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "meta.safetensors";
    const dgnam::TensorMetadata metadata{{"format", "pt"},
                                         {"note", "quotes \" and \\ and\nnewline"},
                                         {"unicode", "caf\xc3\xa9 \xe2\x9c\x93"},
                                         {"", "empty key"}};
    dgnam::write_safetensors(path, {{"x", at::zeros({2})}}, metadata);
    EXPECT_EQ(dgnam::read_safetensors(path).metadata, metadata);
}

TEST(Safetensors, WriterAcceptsNonContiguousTensors) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "views.safetensors";
    const at::Tensor matrix = at::arange(12, at::kFloat).reshape({3, 4});
    const at::Tensor transposed = matrix.t();
    const at::Tensor strided = matrix.slice(1, 1, 4, 2);  // columns 1 and 3
    ASSERT_FALSE(transposed.is_contiguous());
    ASSERT_FALSE(strided.is_contiguous());
    dgnam::write_safetensors(path, {{"t", transposed}, {"s", strided}, {"row", matrix[2]}});

    const dgnam::SafetensorsFile file = dgnam::read_safetensors(path);
    expect_same(file.tensors.at("t"), transposed.contiguous());
    expect_same(file.tensors.at("s"), strided.contiguous());
    expect_same(file.tensors.at("row"), matrix[2].contiguous());
}

// Larger elements come first so that each tensor starts at a multiple of its element size, as
// in files written by the reference library.
TEST(Safetensors, WriterAlignsEveryTensor) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "mixed.safetensors";
    dgnam::write_safetensors(path, {{"a_byte", at::ones({3}, at::kByte)},
                                    {"b_double", at::ones({1}, at::kDouble)},
                                    {"c_half", at::ones({3}, at::kHalf)},
                                    {"d_float", at::ones({1}, at::kFloat)},
                                    {"e_long", at::ones({2}, at::kLong)}});
    const std::string bytes = dgnam::test::read_bytes(path);
    std::uint64_t header_size = 0;
    std::memcpy(&header_size, bytes.data(), 8);
    EXPECT_EQ(header_size % 8, 0u);
    const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
    const std::vector<std::pair<std::string, std::uint64_t>> expected_begin{
        {"e_long", 0}, {"b_double", 16}, {"d_float", 24}, {"c_half", 28}, {"a_byte", 34}};
    for (const auto& [name, begin] : expected_begin) {
        EXPECT_EQ(header.at(name).at("data_offsets")[0].get<std::uint64_t>(), begin) << name;
    }
    EXPECT_EQ(bytes.size(), 8 + header_size + 37);
}

TEST(Safetensors, ReplacesExistingFile) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "w.safetensors";
    dgnam::write_safetensors(path, {{"old", at::zeros({100})}});
    dgnam::write_safetensors(path, {{"new", at::ones({2})}});
    const dgnam::SafetensorsFile file = dgnam::read_safetensors(path);
    ASSERT_EQ(file.tensors.size(), 1u);
    expect_same(file.tensors.at("new"), at::ones({2}));
}

TEST(Safetensors, BoolBytesOtherThanOneReadAsTrue) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "bool.safetensors";
    dgnam::test::write_bytes(
        path, safetensors_bytes(R"({"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}})",
                                std::string("\x00\x01\x07", 3)));
    const at::Tensor m = dgnam::read_safetensors(path).tensors.at("m");
    EXPECT_EQ(m.scalar_type(), at::kBool);
    EXPECT_EQ(raw_bytes(m), std::string("\x00\x01\x01", 3));
}

TEST(Safetensors, EmptyRangesDoNotCountAsOverlap) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "zero.safetensors";
    dgnam::test::write_bytes(
        path, safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                R"("z":{"dtype":"F32","shape":[0,5],"data_offsets":[2,2]}})",
                                f32_bytes({7.0f})));
    const dgnam::SafetensorsFile file = dgnam::read_safetensors(path);
    EXPECT_EQ(file.tensors.at("z").sizes(), at::IntArrayRef({0, 5}));
}

TEST(Safetensors, WriterRejectsWhatTheFormatCannotHold) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "bad.safetensors";
    std::string message = write_error(path, {{"c", at::zeros({2}, at::kComplexFloat)}});
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("'c'"), std::string::npos) << message;
    message = write_error(path, {{"__metadata__", at::zeros({2})}});
    EXPECT_NE(message.find("__metadata__"), std::string::npos) << message;
    message = write_error(path, {{"undefined", at::Tensor()}});
    EXPECT_NE(message.find("'undefined'"), std::string::npos) << message;
    message = write_error(path, {{"bad\xff utf8", at::zeros({1})}});
    EXPECT_NE(message.find("UTF-8"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(path));
}

TEST(Safetensors, MissingFileAndFolderGiveErrorsNamingThem) {
    dgnam::test::ScratchFolder folder;
    const fs::path missing = folder.path() / "missing.safetensors";
    EXPECT_NE(read_error(missing).find(missing.string()), std::string::npos);
    EXPECT_NE(read_error(folder.path()).find(folder.path().string()), std::string::npos);
}

// Each case is a file a user might pick by mistake or an attacker might craft: the reader must
// report it, naming the file (and the tensor where one is at fault), and never crash or
// allocate from unchecked sizes.
struct Malformed {
    const char* name;
    std::string bytes;
    std::string expected_text;  // besides the file name
};

// Keeps test names and failure messages readable instead of a dump of the struct's bytes.
void PrintTo(const Malformed& m, std::ostream* os) {
    *os << m.name;
}

class SafetensorsMalformed : public testing::TestWithParam<Malformed> {};

TEST_P(SafetensorsMalformed, GivesErrorNamingFileAndProblem) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / (std::string(GetParam().name) + ".safetensors");
    dgnam::test::write_bytes(path, GetParam().bytes);
    const std::string message = read_error(path);
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(GetParam().expected_text), std::string::npos) << message;
}

const std::string kF32x2 = f32_bytes({1.0f, 2.0f});

std::string one_tensor(const std::string& entry, const std::string& data = kF32x2) {
    return safetensors_bytes(R"({"t":)" + entry + "}", data);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SafetensorsMalformed,
    testing::Values(
        Malformed{"empty", "", "shorter than the 8-byte header length"},
        Malformed{"short", "abc", "shorter than the 8-byte header length"},
        Malformed{"header_past_end", le64(1000) + "{}", "the header claims 1000 bytes"},
        Malformed{"huge_header_length", le64(UINT64_MAX) + "{}", "the header claims"},
        Malformed{"not_json", safetensors_bytes("{not json"), "not valid JSON"},
        Malformed{"not_object", safetensors_bytes("[1,2]"), "not a JSON object"},
        Malformed{"entry_not_object", one_tensor("[]"), "tensor 't'"},
        Malformed{"missing_dtype", one_tensor(R"({"shape":[2],"data_offsets":[0,8]})"),
                  "tensor 't': \"dtype\" is missing"},
        Malformed{"unknown_dtype",
                  one_tensor(R"({"dtype":"F128","shape":[2],"data_offsets":[0,8]})"),
                  "tensor 't': dtype \"F128\""},
        Malformed{"dtype_not_string", one_tensor(R"({"dtype":4,"shape":[2],"data_offsets":[0,8]})"),
                  "tensor 't': \"dtype\""},
        Malformed{"shape_missing", one_tensor(R"({"dtype":"F32","data_offsets":[0,8]})"),
                  "tensor 't': \"shape\" is missing"},
        Malformed{"shape_negative",
                  one_tensor(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"),
                  "tensor 't': \"shape\" holds -2"},
        Malformed{"shape_fraction",
                  one_tensor(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,8]})"),
                  "tensor 't': \"shape\" holds 2.5"},
        Malformed{
            "shape_overflow",
            one_tensor(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})"),
            "tensor 't': the shape [4294967296,4294967296] is too large"},
        Malformed{"bytes_overflow",
                  one_tensor(R"({"dtype":"F64","shape":[2305843009213693952],)"
                             R"("data_offsets":[0,8]})"),
                  "tensor 't': its shape is too large"},
        Malformed{"offsets_missing", one_tensor(R"({"dtype":"F32","shape":[2]})"),
                  "tensor 't': \"data_offsets\" is missing"},
        Malformed{"offsets_three",
                  one_tensor(R"({"dtype":"F32","shape":[2],"data_offsets":[0,4,8]})"),
                  "tensor 't': \"data_offsets\""},
        Malformed{"offsets_negative",
                  one_tensor(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,0]})"),
                  "tensor 't': \"data_offsets\" [-8,0]"},
        Malformed{"offsets_reversed",
                  one_tensor(R"({"dtype":"F32","shape":[0],"data_offsets":[8,0]})"),
                  "tensor 't': data_offsets [8, 0] end before they begin"},
        Malformed{"offsets_past_data",
                  one_tensor(R"({"dtype":"F32","shape":[2],"data_offsets":[4,12]})"),
                  "tensor 't': data_offsets [4, 12] reach past the end of the data section"},
        Malformed{"truncated_data",
                  one_tensor(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})", "1234"),
                  "tensor 't': data_offsets [0, 8] reach past the end"},
        Malformed{"size_mismatch",
                  one_tensor(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"),
                  "tensor 't': data_offsets [0, 8] hold 8 bytes but its shape and dtype need 12"},
        Malformed{"overlap",
                  safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                    kF32x2),
                  "tensor 'b': its data overlaps that of tensor 'a'"},
        Malformed{"metadata_not_object", safetensors_bytes(R"({"__metadata__":[]})"),
                  "\"__metadata__\" is not an object"},
        Malformed{"metadata_not_string", safetensors_bytes(R"({"__metadata__":{"epoch":3}})"),
                  "metadata 'epoch' is not a string"}),
    [](const testing::TestParamInfo<Malformed>& info) { return std::string(info.param.name); });

// The length limit has to be checked on a file that really is that long; a sparse file costs no
// disk space.
TEST(Safetensors, HeaderOverHundredMegabytesIsRefused) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "huge.safetensors";
    dgnam::test::write_bytes(path, le64(100'000'001) + "{}");
    fs::resize_file(path, 100'000'100);
    const std::string message = read_error(path);
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("more than the 100000000 allowed"), std::string::npos) << message;
}
