// Exports and weight files written onto a real full disk and a real read-only file system: a
// small tmpfs mounted by the test (root only; skipped elsewhere). The error names the file and
// the cause, and the files written before stay as they were.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/safetensors.h"
#include "test_support.h"

namespace dgnam {
namespace {
namespace fs = std::filesystem;

// A tmpfs of `bytes` mounted on a scratch folder for the test's lifetime.
class SmallDisk {
  public:
    explicit SmallDisk(std::size_t bytes) {
        const std::string options = "size=" + std::to_string(bytes);
        if (::mount("tmpfs", folder_.path().c_str(), "tmpfs", 0, options.c_str()) == 0)
            mounted_ = true;
        else
            why_not_ = std::strerror(errno);
    }
    ~SmallDisk() {
        if (mounted_)
            ::umount2(folder_.path().c_str(), MNT_DETACH);
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;

    bool mounted() const { return mounted_; }
    const std::string& why_not() const { return why_not_; }
    const fs::path& path() const { return folder_.path(); }
    void make_read_only() {
        ASSERT_EQ(
            ::mount("tmpfs", folder_.path().c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr), 0)
            << std::strerror(errno);
    }
    // Leaves about `bytes` free.
    void fill_leaving(std::size_t bytes) {
        const auto space = fs::space(path());
        if (space.available <= bytes)
            return;
        std::ofstream(path() / "filler", std::ios::binary)
            << std::string(space.available - bytes, 'f');
    }

  private:
    test::ScratchFolder folder_;
    bool mounted_ = false;
    std::string why_not_;
};

#define REQUIRE_SMALL_DISK(disk) \
    if (!(disk).mounted())       \
    GTEST_SKIP() << "cannot mount a tmpfs here (" << (disk).why_not() << "); needs root"

// Each file's size and hash, so that a failed comparison prints something readable.
std::map<std::string, std::pair<std::size_t, std::size_t>> snapshot(const fs::path& folder) {
    std::map<std::string, std::pair<std::size_t, std::size_t>> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder))
        if (entry.is_regular_file() && entry.path().filename() != "filler") {
            std::ifstream in(entry.path(), std::ios::binary);
            const std::string bytes(std::istreambuf_iterator<char>(in), {});
            files[fs::relative(entry.path(), folder).string()] = {bytes.size(),
                                                                  std::hash<std::string>{}(bytes)};
        }
    return files;
}

std::vector<GalleryItem> noisy_items(int count, int size, std::uint8_t seed) {
    std::vector<GalleryItem> items;
    for (int u = 0; u < count; ++u) {
        GalleryItem item;
        item.layer = "fc8";
        item.unit = u;
        item.label = "unit " + std::to_string(u);
        item.image = Image8(size, size);
        // Noise does not compress, so the PNGs take about size * size * 3 bytes each.
        std::uint32_t state = 2654435761u * (u + 1) + seed;
        for (auto& v : item.image.rgb) {
            state = state * 1664525u + 1013904223u;
            v = static_cast<std::uint8_t>(state >> 24);
        }
        items.push_back(std::move(item));
    }
    return items;
}

using test::error_of;

const nlohmann::json kModel = {{"pack", "test"}};
const nlohmann::json kParams = {{"seed", 0}};

TEST(FilesystemFaults, AGalleryExportOntoAFullDiskFailsAndKeepsThePreviousGallery) {
    SmallDisk disk(1 << 20);
    REQUIRE_SMALL_DISK(disk);
    const fs::path gallery = disk.path() / "gallery";
    write_gallery(gallery, kModel, kParams, noisy_items(3, 32, 1));
    const auto before = snapshot(gallery);
    disk.fill_leaving(64 * 1024);

    GalleryOptions replace;
    replace.overwrite = true;
    // About 120 KB of PNGs onto 64 KB of free space.
    const std::string message =
        error_of([&] { write_gallery(gallery, kModel, kParams, noisy_items(10, 64, 2), replace); });
    EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
    EXPECT_NE(message.find("Nothing in '" + gallery.string() + "' was changed"), std::string::npos)
        << message;
    EXPECT_EQ(snapshot(gallery), before) << "the previous gallery changed";
    EXPECT_EQ(read_gallery_index(gallery / "gallery.json").items.size(), 3u);

    // Once there is room again, the same export goes through.
    fs::remove(disk.path() / "filler");
    write_gallery(gallery, kModel, kParams, noisy_items(10, 64, 2), replace);
    EXPECT_EQ(read_gallery_index(gallery / "gallery.json").items.size(), 10u);
}

TEST(FilesystemFaults, AGalleryExportOntoAReadOnlyFileSystemFailsAndKeepsTheGallery) {
    SmallDisk disk(1 << 20);
    REQUIRE_SMALL_DISK(disk);
    const fs::path gallery = disk.path() / "gallery";
    write_gallery(gallery, kModel, kParams, noisy_items(2, 16, 3));
    const auto before = snapshot(gallery);
    disk.make_read_only();

    GalleryOptions replace;
    replace.overwrite = true;
    const std::string message =
        error_of([&] { write_gallery(gallery, kModel, kParams, noisy_items(4, 16, 4), replace); });
    EXPECT_NE(message.find("Read-only file system"), std::string::npos) << message;
    EXPECT_NE(message.find("Nothing in '" + gallery.string() + "' was changed"), std::string::npos)
        << message;
    EXPECT_EQ(snapshot(gallery), before);
}

TEST(FilesystemFaults, WeightsWrittenOntoAFullDiskKeepThePreviousFile) {
    SmallDisk disk(1 << 20);
    REQUIRE_SMALL_DISK(disk);
    const fs::path file = disk.path() / "generator.safetensors";
    write_safetensors(file, {{"w", at::arange(16, at::kFloat)}});
    const auto before = snapshot(disk.path());
    disk.fill_leaving(32 * 1024);

    // 256 KB onto 32 KB of free space.
    const std::string message = error_of([&] {
        write_safetensors(file, {{"w", at::ones({64 * 1024}, at::kFloat)}});
    });
    EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_EQ(snapshot(disk.path()), before);
    EXPECT_TRUE(read_safetensors(file).tensors.at("w").equal(at::arange(16, at::kFloat)));
}

}  // namespace
}  // namespace dgnam
