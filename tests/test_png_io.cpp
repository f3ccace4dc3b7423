#include "dgnam/png_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "dgnam/error.h"
#include "test_support.h"

// The declarations only; core's png_io.cpp holds the implementation. Used here to make PNGs
// that are not 8-bit RGB.
#include <stb/stb_image_write.h>

namespace fs = std::filesystem;

namespace {

dgnam::Image8 pattern(int width, int height) {
    dgnam::Image8 image(width, height);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::uint8_t* p = image.pixel(x, y);
            p[0] = static_cast<std::uint8_t>(x * 37 + y);
            p[1] = static_cast<std::uint8_t>(y * 53 + 7);
            p[2] = static_cast<std::uint8_t>((x ^ y) * 11);
        }
    }
    return image;
}

void append(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
}

}  // namespace

TEST(PngIo, EncodeProducesPngSignature) {
    const std::string png = dgnam::encode_png(pattern(3, 2));
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(PngIo, RoundTripIsPixelExact) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "pattern.png";
    const dgnam::Image8 image = pattern(17, 9);
    dgnam::write_png(path, image);
    EXPECT_EQ(dgnam::read_png(path), image);
    EXPECT_EQ(dgnam::test::read_bytes(path), dgnam::encode_png(image));
}

TEST(PngIo, OnePixelRoundTrip) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "dot.png";
    dgnam::Image8 image(1, 1);
    image.rgb = {255, 0, 128};
    dgnam::write_png(path, image);
    EXPECT_EQ(dgnam::read_png(path), image);
}

TEST(PngIo, EmptyImageIsRejected) {
    EXPECT_THROW(dgnam::encode_png(dgnam::Image8{}), dgnam::Error);
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "empty.png";
    const std::string message =
        dgnam::test::error_of([&] { dgnam::write_png(path, dgnam::Image8(0, 5)); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(path));
}

TEST(PngIo, PixelDataNotMatchingSizeIsRejected) {
    dgnam::Image8 image(4, 4);
    image.rgb.resize(5);
    const std::string message = dgnam::test::error_of([&] { dgnam::encode_png(image); });
    EXPECT_NE(message.find("5 bytes instead of 48"), std::string::npos) << message;
}

TEST(PngIo, UnusableFolderGivesErrorNamingPath) {
    dgnam::test::ScratchFolder folder;
    const fs::path not_a_folder = folder.path() / "file";
    dgnam::test::write_bytes(not_a_folder, "keep");
    const fs::path path = not_a_folder / "x.png";
    const std::string message =
        dgnam::test::error_of([&] { dgnam::write_png(path, pattern(2, 2)); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(dgnam::test::read_bytes(not_a_folder), "keep");
}

TEST(PngIo, MissingFileErrorNamesPath) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "missing.png";
    const std::string message = dgnam::test::error_of([&] { dgnam::read_png(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(PngIo, GarbageErrorNamesPath) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "garbage.png";
    dgnam::test::write_bytes(path, "this is not a picture at all");
    const std::string message = dgnam::test::error_of([&] { dgnam::read_png(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(PngIo, TruncatedPngErrorNamesPath) {
    dgnam::test::ScratchFolder folder;
    const fs::path path = folder.path() / "cut.png";
    const std::string png = dgnam::encode_png(pattern(16, 16));
    dgnam::test::write_bytes(path, png.substr(0, png.size() / 2));
    const std::string message = dgnam::test::error_of([&] { dgnam::read_png(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(PngIo, GreyAndAlphaPngsAreReadAsRgb) {
    dgnam::test::ScratchFolder folder;
    const unsigned char grey[2] = {10, 200};
    std::string grey_png;
    ASSERT_NE(stbi_write_png_to_func(append, &grey_png, 2, 1, 1, grey, 2), 0);
    dgnam::test::write_bytes(folder.path() / "grey.png", grey_png);
    dgnam::Image8 expected_grey(2, 1);
    expected_grey.rgb = {10, 10, 10, 200, 200, 200};
    EXPECT_EQ(dgnam::read_png(folder.path() / "grey.png"), expected_grey);

    const unsigned char rgba[8] = {1, 2, 3, 255, 40, 50, 60, 0};
    std::string rgba_png;
    ASSERT_NE(stbi_write_png_to_func(append, &rgba_png, 2, 1, 4, rgba, 8), 0);
    dgnam::test::write_bytes(folder.path() / "rgba.png", rgba_png);
    dgnam::Image8 expected_rgb(2, 1);
    expected_rgb.rgb = {1, 2, 3, 40, 50, 60};
    EXPECT_EQ(dgnam::read_png(folder.path() / "rgba.png"), expected_rgb);
}
