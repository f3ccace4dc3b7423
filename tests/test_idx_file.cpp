#include <gtest/gtest.h>
#include <zlib.h>

#include <ATen/ATen.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "dgnam/error.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/idx_file.h"
#include "test_support.h"

namespace dgnam {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

using test::error_of;

// An IDX file's bytes: magic 0 0 type dims, big-endian sizes, then `data`.
Bytes idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& dims, const Bytes& data) {
    Bytes out = {0, 0, type, static_cast<std::uint8_t>(dims.size())};
    for (auto d : dims)
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<std::uint8_t>(d >> shift));
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

Bytes counting(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return b;
}

void write_gz(const fs::path& path, const Bytes& bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    if (!bytes.empty()) {
        ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
                  static_cast<int>(bytes.size()));
    }
    ASSERT_EQ(gzclose(f), Z_OK);
}

void write_plain(const fs::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

Bytes read_plain(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Expects read_idx_gz(path) to fail with a message naming the file and containing `part`.
void expect_idx_error(const fs::path& path, const std::string& part) {
    const auto e = error_of([&] { read_idx_gz(path); });
    EXPECT_NE(e.find(path.filename().string()), std::string::npos) << e;
    EXPECT_NE(e.find(part), std::string::npos) << e;
}

TEST(IdxFile, ReadsTheShapeAndTheExactBytes) {
    test::ScratchFolder folder;
    const auto data = counting(2 * 3 * 4);
    write_gz(folder / "a.gz", idx_bytes(0x08, {2, 3, 4}, data));
    const auto a = read_idx_gz(folder / "a.gz");
    EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3, 4}));
    EXPECT_EQ(a.data, data);
}

TEST(IdxFile, ReadsOneAndFourDimensions) {
    test::ScratchFolder folder;
    write_gz(folder / "one.gz", idx_bytes(0x08, {5}, {9, 8, 7, 6, 5}));
    const auto one = read_idx_gz(folder / "one.gz");
    EXPECT_EQ(one.shape, (std::vector<std::int64_t>{5}));
    EXPECT_EQ(one.data, (Bytes{9, 8, 7, 6, 5}));
    const auto data = counting(2 * 1 * 3 * 2);
    write_gz(folder / "four.gz", idx_bytes(0x08, {2, 1, 3, 2}, data));
    const auto four = read_idx_gz(folder / "four.gz");
    EXPECT_EQ(four.shape, (std::vector<std::int64_t>{2, 1, 3, 2}));
    EXPECT_EQ(four.data, data);
}

TEST(IdxFile, ReadsDataLargerThanOneReadChunk) {
    // Three million bytes cross the reader's first 1 MiB chunk and its growth steps.
    test::ScratchFolder folder;
    const auto data = counting(3000 * 1000);
    write_gz(folder / "big.gz", idx_bytes(0x08, {3000, 1000}, data));
    const auto big = read_idx_gz(folder / "big.gz");
    EXPECT_EQ(big.shape, (std::vector<std::int64_t>{3000, 1000}));
    EXPECT_EQ(big.data, data);
}

TEST(IdxFile, AcceptsAnUncompressedFile) {
    test::ScratchFolder folder;
    write_plain(folder / "plain-idx1-ubyte", idx_bytes(0x08, {3}, {1, 2, 255}));
    const auto a = read_idx_gz(folder / "plain-idx1-ubyte");
    EXPECT_EQ(a.shape, (std::vector<std::int64_t>{3}));
    EXPECT_EQ(a.data, (Bytes{1, 2, 255}));
}

TEST(IdxFile, MissingFileOrFolder) {
    test::ScratchFolder folder;
    expect_idx_error(folder / "absent-idx1-ubyte.gz", "not found");
    fs::create_directory(folder / "a-folder.gz");
    expect_idx_error(folder / "a-folder.gz", "folder");
}

TEST(IdxFile, EmptyAndShortFiles) {
    test::ScratchFolder folder;
    write_gz(folder / "empty.gz", {});
    expect_idx_error(folder / "empty.gz", "too short for an IDX header");
    write_gz(folder / "short.gz", {0, 0, 8});
    expect_idx_error(folder / "short.gz", "too short for an IDX header");
    write_gz(folder / "cut-dims.gz", {0, 0, 8, 2, 0, 0, 0, 3, 0, 0});
    expect_idx_error(folder / "cut-dims.gz", "cut short in its dimension sizes");
}

TEST(IdxFile, BadMagic) {
    test::ScratchFolder folder;
    write_gz(folder / "magic.gz", {0, 1, 8, 1, 0, 0, 0, 1, 42});
    expect_idx_error(folder / "magic.gz", "not an IDX file");
    write_gz(folder / "text.gz", {'h', 'e', 'l', 'l', 'o'});
    expect_idx_error(folder / "text.gz", "0x68 0x65");
}

TEST(IdxFile, UnsupportedTypeIsNamed) {
    test::ScratchFolder folder;
    write_gz(folder / "float.gz", idx_bytes(0x0D, {1}, {0, 0, 0, 0}));
    expect_idx_error(folder / "float.gz", "0x0D (32-bit float)");
    write_gz(folder / "int.gz", idx_bytes(0x0C, {1}, {0, 0, 0, 0}));
    expect_idx_error(folder / "int.gz", "32-bit integer");
    write_gz(folder / "odd.gz", idx_bytes(0x42, {1}, {0}));
    expect_idx_error(folder / "odd.gz", "0x42 (unknown type)");
}

TEST(IdxFile, DimensionCountMustBeOneToFour) {
    test::ScratchFolder folder;
    write_gz(folder / "zero-dims.gz", idx_bytes(0x08, {}, {1, 2, 3}));
    expect_idx_error(folder / "zero-dims.gz", "0 dimensions");
    write_gz(folder / "five-dims.gz", idx_bytes(0x08, {1, 1, 1, 1, 1}, {7}));
    expect_idx_error(folder / "five-dims.gz", "5 dimensions");
}

TEST(IdxFile, ZeroSizedDimension) {
    test::ScratchFolder folder;
    write_gz(folder / "zero.gz", idx_bytes(0x08, {3, 0, 2}, {}));
    expect_idx_error(folder / "zero.gz", "dimension 1 of the IDX array is 0");
}

TEST(IdxFile, TruncatedData) {
    test::ScratchFolder folder;
    write_gz(folder / "truncated.gz", idx_bytes(0x08, {2, 5}, counting(9)));
    expect_idx_error(folder / "truncated.gz", "ends after 9 of 10 bytes");
}

TEST(IdxFile, ExtraData) {
    test::ScratchFolder folder;
    write_gz(folder / "extra.gz", idx_bytes(0x08, {2, 5}, counting(11)));
    expect_idx_error(folder / "extra.gz", "more data follows the 10 bytes");
}

TEST(IdxFile, CorruptGzipStream) {
    test::ScratchFolder folder;
    write_gz(folder / "good.gz", idx_bytes(0x08, {100, 10}, counting(1000)));
    auto bytes = read_plain(folder / "good.gz");
    ASSERT_GT(bytes.size(), 30u);
    // Byte 10 starts the deflate data after the 10-byte gzip header: 0xFF makes it a final
    // block of the reserved type 3.
    auto bad_block = bytes;
    bad_block[10] = 0xFF;
    write_plain(folder / "bad-block.gz", bad_block);
    expect_idx_error(folder / "bad-block.gz", "corrupt gzip data (invalid block type)");
    // The CRC-32 in the trailer no longer matches the data.
    auto bad_crc = bytes;
    bad_crc[bad_crc.size() - 8] ^= 0x55;
    write_plain(folder / "bad-crc.gz", bad_crc);
    expect_idx_error(folder / "bad-crc.gz", "corrupt gzip data (incorrect data check)");
    // A gzip file cut in the middle of its compressed data.
    write_plain(folder / "cut.gz", Bytes(bytes.begin(), bytes.begin() + bytes.size() / 2));
    expect_idx_error(folder / "cut.gz", "cut short");
}

TEST(IdxFile, HugeHeaderInATinyFileFailsFast) {
    test::ScratchFolder folder;
    const auto start = std::chrono::steady_clock::now();
    // 4 x (2^32 - 1) bytes claimed by a file of 20 bytes before compression.
    write_gz(folder / "huge.gz",
             idx_bytes(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF}, {1, 2, 3, 4}));
    EXPECT_LT(fs::file_size(folder / "huge.gz"), 64u);
    expect_idx_error(folder / "huge.gz", "over 2 GiB");
    // Just over the limit: 2^31 + 2^16 bytes.
    write_gz(folder / "over.gz", idx_bytes(0x08, {32769, 65536}, {1}));
    expect_idx_error(folder / "over.gz", "over 2 GiB");
    // Under the limit (1.6 GB) but the file holds one byte: memory grows only with the data.
    write_gz(folder / "lying.gz", idx_bytes(0x08, {40000, 40000}, {1}));
    expect_idx_error(folder / "lying.gz", "ends after 1 of 1600000000 bytes");
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 2.0);
}

// ---------------------------------------------------------------------------------------------
// Fashion-MNIST

constexpr const char* kInstall = "apt-get install dataset-fashion-mnist";

// A fake data set folder: `train_n` and `test_n` images of 28x28 whose pixels are the image's
// index, labels index % 10.
void write_fake_fashion(const fs::path& folder, std::uint32_t train_n, std::uint32_t test_n,
                        std::uint32_t train_labels_n) {
    auto images = [](std::uint32_t n) {
        Bytes data;
        for (std::uint32_t i = 0; i < n; ++i)
            data.insert(data.end(), 28 * 28, std::uint8_t(i));
        return idx_bytes(0x08, {n, 28, 28}, data);
    };
    auto labels = [](std::uint32_t n) {
        Bytes data;
        for (std::uint32_t i = 0; i < n; ++i)
            data.push_back(std::uint8_t(i % 10));
        return idx_bytes(0x08, {n}, data);
    };
    write_gz(folder / "train-images-idx3-ubyte.gz", images(train_n));
    write_gz(folder / "train-labels-idx1-ubyte.gz", labels(train_labels_n));
    write_gz(folder / "t10k-images-idx3-ubyte.gz", images(test_n));
    write_gz(folder / "t10k-labels-idx1-ubyte.gz", labels(test_n));
}

TEST(FashionMnist, RealDataSet) {
    const fs::path folder = "/usr/share/datasets/fashion-mnist";
    if (!fs::is_directory(folder))
        GTEST_SKIP() << folder << " is absent; " << kInstall;
    const auto data = load_fashion_mnist(folder);
    EXPECT_EQ(data.train.images.sizes(), (at::IntArrayRef{60000, 1, 28, 28}));
    EXPECT_EQ(data.test.images.sizes(), (at::IntArrayRef{10000, 1, 28, 28}));
    EXPECT_EQ(data.train.images.scalar_type(), at::kByte);
    EXPECT_EQ(data.train.labels.sizes(), (at::IntArrayRef{60000}));
    EXPECT_EQ(data.test.labels.sizes(), (at::IntArrayRef{10000}));
    EXPECT_EQ(data.train.labels.scalar_type(), at::kLong);
    EXPECT_EQ(data.train.labels.min().item<std::int64_t>(), 0);
    EXPECT_EQ(data.train.labels.max().item<std::int64_t>(), 9);
    const auto train_counts = at::bincount(data.train.labels);
    const auto test_counts = at::bincount(data.test.labels);
    ASSERT_EQ(train_counts.numel(), 10);
    ASSERT_EQ(test_counts.numel(), 10);
    for (int c = 0; c < 10; ++c) {
        EXPECT_EQ(train_counts[c].item<std::int64_t>(), 6000) << fashion_mnist_labels()[c];
        EXPECT_EQ(test_counts[c].item<std::int64_t>(), 1000) << fashion_mnist_labels()[c];
    }
    // The data set's well-known training mean, 0.2860 of full scale.
    const double mean = data.train.images.to(at::kDouble).mean().item<double>();
    EXPECT_NEAR(mean, 72.94, 0.1);
    // The first training image is an ankle boot.
    EXPECT_EQ(data.train.labels[0].item<std::int64_t>(), 9);
}

TEST(FashionMnist, LabelNames) {
    const auto& labels = fashion_mnist_labels();
    ASSERT_EQ(labels.size(), 10u);
    EXPECT_EQ(labels.front(), "T-shirt/top");
    EXPECT_EQ(labels[6], "Shirt");
    EXPECT_EQ(labels.back(), "Ankle boot");
}

TEST(FashionMnist, DefaultFolderHonoursTheEnvironment) {
    const char* old = std::getenv("DGNAM_FASHION_MNIST");
    const std::string saved = old ? old : "";
    unsetenv("DGNAM_FASHION_MNIST");
    EXPECT_EQ(default_fashion_mnist_folder(), fs::path("/usr/share/datasets/fashion-mnist"));
    setenv("DGNAM_FASHION_MNIST", "/tmp/elsewhere", 1);
    EXPECT_EQ(default_fashion_mnist_folder(), fs::path("/tmp/elsewhere"));
    if (old)
        setenv("DGNAM_FASHION_MNIST", saved.c_str(), 1);
    else
        unsetenv("DGNAM_FASHION_MNIST");
}

TEST(FashionMnist, TinyFakeFolder) {
    test::ScratchFolder folder;
    write_fake_fashion(folder.path(), 12, 3, 12);
    const auto data = load_fashion_mnist(folder.path());
    EXPECT_EQ(data.train.images.sizes(), (at::IntArrayRef{12, 1, 28, 28}));
    EXPECT_EQ(data.test.images.sizes(), (at::IntArrayRef{3, 1, 28, 28}));
    EXPECT_EQ(data.train.images[11][0][27][27].item<std::uint8_t>(), 11);
    EXPECT_EQ(data.test.images[2][0][0][0].item<std::uint8_t>(), 2);
    EXPECT_EQ(data.train.labels[11].item<std::int64_t>(), 1);
    EXPECT_EQ(data.test.labels.scalar_type(), at::kLong);
}

TEST(FashionMnist, MismatchedCounts) {
    test::ScratchFolder folder;
    write_fake_fashion(folder.path(), 12, 3, 11);
    const auto e = error_of([&] { load_fashion_mnist(folder.path()); });
    EXPECT_NE(e.find("train-labels-idx1-ubyte.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("11 labels for the 12 images"), std::string::npos) << e;
}

TEST(FashionMnist, LabelOutOfRange) {
    test::ScratchFolder folder;
    write_fake_fashion(folder.path(), 2, 2, 2);
    write_gz(folder / "t10k-labels-idx1-ubyte.gz", idx_bytes(0x08, {2}, {3, 10}));
    const auto e = error_of([&] { load_fashion_mnist(folder.path()); });
    EXPECT_NE(e.find("t10k-labels-idx1-ubyte.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("label 10 of image 1"), std::string::npos) << e;
}

TEST(FashionMnist, ImagesOfTheWrongSize) {
    test::ScratchFolder folder;
    write_fake_fashion(folder.path(), 2, 2, 2);
    write_gz(folder / "train-images-idx3-ubyte.gz",
             idx_bytes(0x08, {2, 27, 28}, counting(2 * 27 * 28)));
    const auto e = error_of([&] { load_fashion_mnist(folder.path()); });
    EXPECT_NE(e.find("train-images-idx3-ubyte.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("[2, 27, 28]"), std::string::npos) << e;
    write_gz(folder / "train-images-idx3-ubyte.gz", idx_bytes(0x08, {2, 784}, counting(2 * 784)));
    EXPECT_NE(error_of([&] { load_fashion_mnist(folder.path()); }).find("[2, 784]"),
              std::string::npos);
}

TEST(FashionMnist, CorruptFileSaysHowToRestoreIt) {
    test::ScratchFolder folder;
    write_fake_fashion(folder.path(), 2, 2, 2);
    write_gz(folder / "t10k-images-idx3-ubyte.gz", idx_bytes(0x08, {2, 28, 28}, counting(100)));
    const auto e = error_of([&] { load_fashion_mnist(folder.path()); });
    EXPECT_NE(e.find("t10k-images-idx3-ubyte.gz"), std::string::npos) << e;
    EXPECT_NE(e.find("truncated"), std::string::npos) << e;
    EXPECT_NE(e.find("dataset-fashion-mnist"), std::string::npos) << e;
}

TEST(FashionMnist, MissingFolderOrFile) {
    test::ScratchFolder folder;
    const auto absent = folder / "no-such-folder";
    const auto e = error_of([&] { load_fashion_mnist(absent); });
    EXPECT_NE(e.find(absent.string()), std::string::npos) << e;
    EXPECT_NE(e.find(kInstall), std::string::npos) << e;
    write_fake_fashion(folder.path(), 2, 2, 2);
    fs::remove(folder / "t10k-labels-idx1-ubyte.gz");
    const auto f = error_of([&] { load_fashion_mnist(folder.path()); });
    EXPECT_NE(f.find((folder / "t10k-labels-idx1-ubyte.gz").string()), std::string::npos) << f;
    EXPECT_NE(f.find(kInstall), std::string::npos) << f;
}

}  // namespace
}  // namespace dgnam
