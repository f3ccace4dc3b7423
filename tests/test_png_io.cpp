#include "dgnam/png_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>

#include "dgnam/error.h"

// The declarations only; core's png_io.cpp holds the implementation. Used here to make PNGs
// that are not 8-bit RGB.
#include <stb/stb_image_write.h>

namespace fs = std::filesystem;

namespace {

class TempFolder {
  public:
    TempFolder() {
        std::random_device random;
        path_ = fs::temp_directory_path() /
                ("dgnam_png_" + std::to_string(::getpid()) + "_" + std::to_string(random()));
        fs::create_directories(path_);
    }
    ~TempFolder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

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

void write_plain(const fs::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_plain(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void append(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size);
}

std::string message_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const dgnam::Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no dgnam::Error was thrown";
    return "";
}

}  // namespace

TEST(PngIo, EncodeProducesPngSignature) {
    const std::string png = dgnam::encode_png(pattern(3, 2));
    ASSERT_GE(png.size(), 8u);
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(PngIo, RoundTripIsPixelExact) {
    TempFolder folder;
    const fs::path path = folder.path() / "pattern.png";
    const dgnam::Image8 image = pattern(17, 9);
    dgnam::write_png(path, image);
    EXPECT_EQ(dgnam::read_png(path), image);
    EXPECT_EQ(read_plain(path), dgnam::encode_png(image));
}

TEST(PngIo, OnePixelRoundTrip) {
    TempFolder folder;
    const fs::path path = folder.path() / "dot.png";
    dgnam::Image8 image(1, 1);
    image.rgb = {255, 0, 128};
    dgnam::write_png(path, image);
    EXPECT_EQ(dgnam::read_png(path), image);
}

TEST(PngIo, EmptyImageIsRejected) {
    EXPECT_THROW(dgnam::encode_png(dgnam::Image8{}), dgnam::Error);
    TempFolder folder;
    const fs::path path = folder.path() / "empty.png";
    const std::string message = message_of([&] { dgnam::write_png(path, dgnam::Image8(0, 5)); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(path));
}

TEST(PngIo, PixelDataNotMatchingSizeIsRejected) {
    dgnam::Image8 image(4, 4);
    image.rgb.resize(5);
    const std::string message = message_of([&] { dgnam::encode_png(image); });
    EXPECT_NE(message.find("5 bytes instead of 48"), std::string::npos) << message;
}

TEST(PngIo, UnusableFolderGivesErrorNamingPath) {
    TempFolder folder;
    const fs::path not_a_folder = folder.path() / "file";
    write_plain(not_a_folder, "keep");
    const fs::path path = not_a_folder / "x.png";
    const std::string message = message_of([&] { dgnam::write_png(path, pattern(2, 2)); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(read_plain(not_a_folder), "keep");
}

TEST(PngIo, MissingFileErrorNamesPath) {
    TempFolder folder;
    const fs::path path = folder.path() / "missing.png";
    const std::string message = message_of([&] { dgnam::read_png(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(PngIo, GarbageErrorNamesPath) {
    TempFolder folder;
    const fs::path path = folder.path() / "garbage.png";
    write_plain(path, "this is not a picture at all");
    const std::string message = message_of([&] { dgnam::read_png(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(PngIo, TruncatedPngErrorNamesPath) {
    TempFolder folder;
    const fs::path path = folder.path() / "cut.png";
    const std::string png = dgnam::encode_png(pattern(16, 16));
    write_plain(path, png.substr(0, png.size() / 2));
    const std::string message = message_of([&] { dgnam::read_png(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST(PngIo, GreyAndAlphaPngsAreReadAsRgb) {
    TempFolder folder;
    const unsigned char grey[2] = {10, 200};
    std::string grey_png;
    ASSERT_NE(stbi_write_png_to_func(append, &grey_png, 2, 1, 1, grey, 2), 0);
    write_plain(folder.path() / "grey.png", grey_png);
    dgnam::Image8 expected_grey(2, 1);
    expected_grey.rgb = {10, 10, 10, 200, 200, 200};
    EXPECT_EQ(dgnam::read_png(folder.path() / "grey.png"), expected_grey);

    const unsigned char rgba[8] = {1, 2, 3, 255, 40, 50, 60, 0};
    std::string rgba_png;
    ASSERT_NE(stbi_write_png_to_func(append, &rgba_png, 2, 1, 4, rgba, 8), 0);
    write_plain(folder.path() / "rgba.png", rgba_png);
    dgnam::Image8 expected_rgb(2, 1);
    expected_rgb.rgb = {1, 2, 3, 40, 50, 60};
    EXPECT_EQ(dgnam::read_png(folder.path() / "rgba.png"), expected_rgb);
}
