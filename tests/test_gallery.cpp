#include "dgnam/gallery.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "dgnam/error.h"
#include "dgnam/png_io.h"
#include "test_support.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

dgnam::Image8 solid(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    dgnam::Image8 image(width, height);
    for (std::size_t i = 0; i < image.rgb.size(); i += 3) {
        image.rgb[i] = r;
        image.rgb[i + 1] = g;
        image.rgb[i + 2] = b;
    }
    return image;
}

dgnam::GalleryItem item(std::string layer, std::int64_t unit, std::optional<std::string> label,
                        dgnam::Image8 image) {
    dgnam::GalleryItem result;
    result.layer = std::move(layer);
    result.unit = unit;
    result.label = std::move(label);
    result.image = std::move(image);
    result.activation = 12.5 + static_cast<double>(unit);
    result.seed = 1000 + static_cast<std::uint64_t>(unit);
    result.iterations = 200;
    return result;
}

std::vector<dgnam::GalleryItem> sample_items() {
    std::vector<dgnam::GalleryItem> items;
    items.push_back(item("fc8", 1, "goldfish", solid(8, 8, 250, 120, 0)));
    items.back().probability = 0.75;
    items.push_back(item("fc8", 945, "<b>bell pepper</b> & co", solid(5, 7, 0, 200, 30)));
    items.back().probability = 0.5;
    items.push_back(item("conv5/relu", 3, std::nullopt, solid(4, 4, 20, 20, 240)));
    return items;
}

const json kGalleryModel = {{"name", "CaffeNet <test>"}, {"generator", "fc6"}};
const json kGalleryParams = {{"iterations", 200}, {"learning_rate", 0.05}, {"note", "a<b"}};

std::map<std::string, std::string> folder_snapshot(const fs::path& folder) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
        if (entry.is_regular_file()) {
            files[fs::relative(entry.path(), folder).string()] =
                dgnam::test::read_bytes(entry.path());
        }
    }
    return files;
}

bool is_background(const dgnam::Image8& image, int x, int y) {
    const std::uint8_t* p = image.pixel(x, y);
    return p[0] == 255 && p[1] == 255 && p[2] == 255;
}

int ink_pixels(const dgnam::Image8& image, int x0, int y0, int x1, int y1) {
    int count = 0;
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            count += is_background(image, x, y) ? 0 : 1;
        }
    }
    return count;
}

void expect_pixel(const dgnam::Image8& image, int x, int y, std::vector<std::uint8_t> rgb) {
    const std::uint8_t* p = image.pixel(x, y);
    EXPECT_EQ(std::vector<std::uint8_t>(p, p + 3), rgb) << "at " << x << "," << y;
}

}  // namespace

TEST(Gallery, FileNameReplacesUnsafeCharacters) {
    EXPECT_EQ(dgnam::gallery_file_name(item("fc8", 0, {}, {})), "images/fc8_0.png");
    EXPECT_EQ(dgnam::gallery_file_name(item("conv5/relu 1", 7, {}, {})),
              "images/conv5_relu_1_7.png");
    EXPECT_EQ(dgnam::gallery_file_name(item("../../etc", 2, {}, {})), "images/.._.._etc_2.png");
    EXPECT_EQ(dgnam::gallery_file_name(item("caf\xc3\xa9.x-y", -1, {}, {})),
              "images/caf__.x-y_-1.png");
}

// Layout: each cell is the image plus a 4 px margin all round, with a caption line of 12 px
// (font scale 1 below 192 px cells) and another 4 px margin under the image.
TEST(Gallery, ContactSheetHasGridSizeImagesAndCaptions) {
    const std::vector<dgnam::GalleryItem> items = sample_items();
    const dgnam::Image8 sheet = dgnam::make_contact_sheet(items, 2, 96);
    const int box_w = 96 + 8;
    const int box_h = 96 + 12 + 12;
    ASSERT_EQ(sheet.width, 2 * box_w);
    ASSERT_EQ(sheet.height, 2 * box_h);

    expect_pixel(sheet, 4, 4, {250, 120, 0});
    expect_pixel(sheet, 4 + 95, 4 + 95, {250, 120, 0});
    expect_pixel(sheet, box_w + 4, 4, {0, 200, 30});
    expect_pixel(sheet, 4, box_h + 4, {20, 20, 240});
    EXPECT_TRUE(is_background(sheet, 0, 0));
    EXPECT_TRUE(is_background(sheet, 4 + 96, 4));

    for (int i = 0; i < 3; ++i) {
        const int left = (i % 2) * box_w;
        const int caption_top = (i / 2) * box_h + 4 + 96;
        EXPECT_GT(ink_pixels(sheet, left, caption_top, left + box_w, (i / 2 + 1) * box_h), 10)
            << "caption of item " << i;
    }
    // The fourth slot of the grid is empty.
    EXPECT_EQ(ink_pixels(sheet, box_w, box_h, 2 * box_w, 2 * box_h), 0);
}

TEST(Gallery, ContactSheetUsesLargerFontForLargeCells) {
    const dgnam::Image8 sheet = dgnam::make_contact_sheet(sample_items(), 5, 200);
    EXPECT_EQ(sheet.width, 3 * (200 + 8));
    EXPECT_EQ(sheet.height, 200 + 24 + 12);
}

TEST(Gallery, ContactSheetScalesNearestNeighbour) {
    dgnam::Image8 image(2, 2);
    image.rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 10, 10};
    const dgnam::Image8 sheet = dgnam::make_contact_sheet({item("x", 0, {}, image)}, 1, 4);
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 4; ++x) {
            const std::uint8_t* expected = image.pixel(x / 2, y / 2);
            expect_pixel(sheet, 4 + x, 4 + y, {expected[0], expected[1], expected[2]});
        }
    }
}

TEST(Gallery, ContactSheetSurvivesNonAsciiAndLongCaptions) {
    const std::vector<dgnam::GalleryItem> items{
        item("fc8", 1, "caf\xc3\xa9\n\t\x7f" + std::string(200, 'W'), solid(3, 3, 0, 0, 0))};
    const dgnam::Image8 sheet = dgnam::make_contact_sheet(items, 1, 32);
    EXPECT_EQ(sheet.width, 40);
    EXPECT_GT(ink_pixels(sheet, 0, 4 + 32, 40, sheet.height), 10);
}

TEST(Gallery, ContactSheetRejectsBadArguments) {
    EXPECT_THROW(dgnam::make_contact_sheet(sample_items(), 0), dgnam::Error);
    EXPECT_THROW(dgnam::make_contact_sheet(sample_items(), 2, 0), dgnam::Error);
    EXPECT_THROW(dgnam::make_contact_sheet({item("x", 0, {}, {})}, 2), dgnam::Error);
    EXPECT_TRUE(dgnam::make_contact_sheet({}, 3).empty());
}

TEST(Gallery, WritesEveryFile) {
    dgnam::test::ScratchFolder temp;
    const fs::path folder = temp.path() / "export";
    const std::vector<dgnam::GalleryItem> items = sample_items();
    dgnam::write_gallery(folder, kGalleryModel, kGalleryParams, items);

    for (const dgnam::GalleryItem& it : items) {
        const fs::path png = folder / dgnam::gallery_file_name(it);
        ASSERT_TRUE(fs::is_regular_file(png)) << png;
        EXPECT_EQ(dgnam::read_png(png), it.image);
    }
    EXPECT_EQ(dgnam::read_png(folder / "contact_sheet.png"),
              dgnam::make_contact_sheet(items, dgnam::GalleryOptions{}.contact_sheet_columns));
    EXPECT_TRUE(fs::is_regular_file(folder / "index.html"));
    EXPECT_TRUE(fs::is_regular_file(folder / "gallery.json"));
    // Nothing else, in particular no temporary files.
    EXPECT_EQ(folder_snapshot(folder).size(), items.size() + 3);
}

TEST(Gallery, GalleryJsonFollowsTheSchema) {
    dgnam::test::ScratchFolder temp;
    const std::vector<dgnam::GalleryItem> items = sample_items();
    dgnam::write_gallery(temp.path(), kGalleryModel, kGalleryParams, items);
    const json index = json::parse(dgnam::test::read_bytes(temp.path() / "gallery.json"));

    ASSERT_TRUE(index.is_object());
    EXPECT_EQ(index.size(), 3u);
    EXPECT_EQ(index.at("model"), kGalleryModel);
    EXPECT_EQ(index.at("params"), kGalleryParams);
    ASSERT_EQ(index.at("items").size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const json& entry = index.at("items")[i];
        EXPECT_EQ(entry.size(), 8u);
        EXPECT_EQ(entry.at("layer"), items[i].layer);
        EXPECT_EQ(entry.at("unit"), items[i].unit);
        EXPECT_EQ(entry.at("file"), dgnam::gallery_file_name(items[i]));
        EXPECT_EQ(entry.at("activation"), items[i].activation);
        EXPECT_EQ(entry.at("seed"), items[i].seed);
        EXPECT_EQ(entry.at("iterations"), items[i].iterations);
        if (items[i].label) {
            EXPECT_EQ(entry.at("label"), *items[i].label);
        } else {
            EXPECT_TRUE(entry.at("label").is_null());
        }
        if (items[i].probability) {
            EXPECT_EQ(entry.at("probability"), *items[i].probability);
        } else {
            EXPECT_TRUE(entry.at("probability").is_null());
        }
    }
    // Pretty-printed for people who open it.
    EXPECT_NE(dgnam::test::read_bytes(temp.path() / "gallery.json").find("\n  \"items\""),
              std::string::npos);
}

TEST(Gallery, IndexReadsBackEqual) {
    dgnam::test::ScratchFolder temp;
    std::vector<dgnam::GalleryItem> items = sample_items();
    items[0].seed = UINT64_MAX;
    items[1].unit = -5;
    dgnam::write_gallery(temp.path(), kGalleryModel, kGalleryParams, items);
    const dgnam::GalleryIndex index = dgnam::read_gallery_index(temp.path() / "gallery.json");

    EXPECT_EQ(index.model, kGalleryModel);
    EXPECT_EQ(index.params, kGalleryParams);
    ASSERT_EQ(index.items.size(), items.size());
    ASSERT_EQ(index.files.size(), items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        EXPECT_EQ(index.items[i].layer, items[i].layer);
        EXPECT_EQ(index.items[i].unit, items[i].unit);
        EXPECT_EQ(index.items[i].label, items[i].label);
        EXPECT_EQ(index.items[i].activation, items[i].activation);
        EXPECT_EQ(index.items[i].probability, items[i].probability);
        EXPECT_EQ(index.items[i].seed, items[i].seed);
        EXPECT_EQ(index.items[i].iterations, items[i].iterations);
        EXPECT_TRUE(index.items[i].image.empty());
        EXPECT_EQ(index.files[i], dgnam::gallery_file_name(items[i]));
    }
}

TEST(Gallery, SecondExportWithoutOverwriteIsRefusedAndChangesNothing) {
    dgnam::test::ScratchFolder temp;
    dgnam::write_gallery(temp.path(), kGalleryModel, kGalleryParams, sample_items());
    const auto before = folder_snapshot(temp.path());

    std::vector<dgnam::GalleryItem> other = sample_items();
    other[0].image = solid(8, 8, 1, 2, 3);
    other.push_back(item("fc7", 9, "new", solid(2, 2, 9, 9, 9)));
    const std::string message =
        dgnam::test::error_of([&] { dgnam::write_gallery(temp.path(), {}, {}, other); });
    EXPECT_NE(message.find(temp.path().string()), std::string::npos) << message;
    EXPECT_NE(message.find("--force"), std::string::npos) << message;
    EXPECT_EQ(folder_snapshot(temp.path()), before);
}

TEST(Gallery, OverwriteReplacesTheGallery) {
    dgnam::test::ScratchFolder temp;
    dgnam::write_gallery(temp.path(), kGalleryModel, kGalleryParams, sample_items());
    std::vector<dgnam::GalleryItem> other{item("fc8", 1, "koi", solid(8, 8, 1, 2, 3))};
    dgnam::GalleryOptions options;
    options.overwrite = true;
    dgnam::write_gallery(temp.path(), {{"name", "second"}}, {}, other, options);

    EXPECT_EQ(dgnam::read_png(temp.path() / "images/fc8_1.png"), other[0].image);
    const dgnam::GalleryIndex index = dgnam::read_gallery_index(temp.path() / "gallery.json");
    ASSERT_EQ(index.items.size(), 1u);
    EXPECT_EQ(index.items[0].label, "koi");
    EXPECT_EQ(index.model.at("name"), "second");
}

TEST(Gallery, IndexHtmlIsSelfContainedAndEscaped) {
    dgnam::test::ScratchFolder temp;
    const std::vector<dgnam::GalleryItem> items = sample_items();
    dgnam::write_gallery(temp.path(), kGalleryModel, kGalleryParams, items);
    const std::string html = dgnam::test::read_bytes(temp.path() / "index.html");

    for (const dgnam::GalleryItem& it : items) {
        EXPECT_NE(html.find("src=\"" + dgnam::gallery_file_name(it) + "\""), std::string::npos)
            << dgnam::gallery_file_name(it);
    }
    EXPECT_NE(html.find("<title>DGN-AM gallery: CaffeNet &lt;test&gt;</title>"), std::string::npos);
    EXPECT_NE(html.find("&lt;b&gt;bell pepper&lt;/b&gt; &amp; co"), std::string::npos);
    EXPECT_EQ(html.find("<b>bell"), std::string::npos);
    EXPECT_NE(html.find("a&lt;b"), std::string::npos);
    EXPECT_NE(html.find("learning_rate"), std::string::npos);
    EXPECT_NE(html.find("image-rendering: pixelated"), std::string::npos);
    EXPECT_NE(html.find("<figure>"), std::string::npos);
    EXPECT_NE(html.find("goldfish"), std::string::npos);
    EXPECT_NE(html.find("0.75"), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(Gallery, EmptyGalleryHasIndexButNoContactSheet) {
    dgnam::test::ScratchFolder temp;
    dgnam::write_gallery(temp.path(), {}, {}, {});
    EXPECT_FALSE(fs::exists(temp.path() / "contact_sheet.png"));
    const dgnam::GalleryIndex index = dgnam::read_gallery_index(temp.path() / "gallery.json");
    EXPECT_TRUE(index.items.empty());
    EXPECT_TRUE(index.model.is_object());
    EXPECT_TRUE(index.params.is_object());
}

TEST(Gallery, InvalidItemsAreRefusedBeforeAnythingIsWritten) {
    dgnam::test::ScratchFolder temp;
    const fs::path folder = temp.path() / "never";
    std::vector<dgnam::GalleryItem> duplicate = sample_items();
    duplicate.push_back(duplicate[0]);
    std::string message =
        dgnam::test::error_of([&] { dgnam::write_gallery(folder, {}, {}, duplicate); });
    EXPECT_NE(message.find("images/fc8_1.png"), std::string::npos) << message;
    EXPECT_NE(message.find(folder.string()), std::string::npos) << message;

    std::vector<dgnam::GalleryItem> nan = sample_items();
    nan[1].activation = std::numeric_limits<double>::quiet_NaN();
    message = dgnam::test::error_of([&] { dgnam::write_gallery(folder, {}, {}, nan); });
    EXPECT_NE(message.find("unit 945"), std::string::npos) << message;

    std::vector<dgnam::GalleryItem> negative = sample_items();
    negative[0].iterations = -1;
    message = dgnam::test::error_of([&] { dgnam::write_gallery(folder, {}, {}, negative); });
    EXPECT_NE(message.find("unit 1 "), std::string::npos) << message;

    std::vector<dgnam::GalleryItem> empty_image = sample_items();
    empty_image[2].image = {};
    EXPECT_THROW(dgnam::write_gallery(folder, {}, {}, empty_image), dgnam::Error);
    EXPECT_THROW(dgnam::write_gallery(folder, json::array(), {}, sample_items()), dgnam::Error);
    EXPECT_FALSE(fs::exists(folder));
}

TEST(Gallery, UnusableFolderGivesErrorNamingIt) {
    dgnam::test::ScratchFolder temp;
    dgnam::test::write_bytes(temp.path() / "file", "x");
    const fs::path folder = temp.path() / "file" / "gallery";
    const std::string message =
        dgnam::test::error_of([&] { dgnam::write_gallery(folder, {}, {}, sample_items()); });
    EXPECT_NE(message.find(folder.string()), std::string::npos) << message;
    EXPECT_EQ(dgnam::test::read_bytes(temp.path() / "file"), "x");
}

// Each case edits one field of a valid gallery.json; the error must name the file and field.
TEST(Gallery, IndexReaderRejectsSchemaViolations) {
    dgnam::test::ScratchFolder temp;
    dgnam::write_gallery(temp.path(), kGalleryModel, kGalleryParams, sample_items());
    const fs::path path = temp.path() / "gallery.json";
    const json valid = json::parse(dgnam::test::read_bytes(path));

    const std::vector<std::pair<std::function<void(json&)>, std::string>> cases{
        {[](json& j) { j = json::array(); }, "top level"},
        {[](json& j) { j.erase("model"); }, "model is missing"},
        {[](json& j) { j["params"] = "fast"; }, "params must be an object"},
        {[](json& j) { j["items"] = json::object(); }, "items must be an array"},
        {[](json& j) { j["items"][1] = 5; }, "items[1] must be an object"},
        {[](json& j) { j["items"][0]["layer"] = 8; }, "items[0].layer"},
        {[](json& j) { j["items"][0].erase("unit"); }, "items[0].unit is missing"},
        {[](json& j) { j["items"][0]["unit"] = "7"; }, "items[0].unit"},
        {[](json& j) { j["items"][0]["unit"] = 7.5; }, "items[0].unit"},
        {[](json& j) { j["items"][2]["label"] = 3; }, "items[2].label"},
        {[](json& j) { j["items"][2]["label"] = json::array(); }, "items[2].label"},
        {[](json& j) { j["items"][0]["file"] = nullptr; }, "items[0].file"},
        {[](json& j) { j["items"][0]["file"] = ""; }, "items[0].file"},
        {[](json& j) { j["items"][0]["file"] = "/etc/passwd"; }, "items[0].file"},
        {[](json& j) { j["items"][0]["file"] = "images/../../x.png"; }, "items[0].file"},
        {[](json& j) { j["items"][0]["activation"] = "high"; }, "items[0].activation"},
        {[](json& j) { j["items"][0]["probability"] = "0.5"; }, "items[0].probability"},
        {[](json& j) { j["items"][0]["seed"] = -1; }, "items[0].seed"},
        {[](json& j) { j["items"][0]["seed"] = 1.5; }, "items[0].seed"},
        {[](json& j) { j["items"][0]["iterations"] = -3; }, "items[0].iterations"},
        {[](json& j) { j["items"][0]["iterations"] = 1e12; }, "items[0].iterations"},
        {[](json& j) { j["items"][0]["iterations"] = 10000000000LL; }, "items[0].iterations"},
    };
    for (const auto& [edit, field] : cases) {
        json broken = valid;
        edit(broken);
        dgnam::test::write_bytes(path, broken.dump());
        const std::string message = dgnam::test::error_of([&] { dgnam::read_gallery_index(path); });
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find(field), std::string::npos) << field << ": " << message;
    }

    dgnam::test::write_bytes(path, "{\"model\": ");
    EXPECT_NE(dgnam::test::error_of([&] { dgnam::read_gallery_index(path); }).find(path.string()),
              std::string::npos);
    const fs::path missing = temp.path() / "nowhere" / "gallery.json";
    EXPECT_NE(
        dgnam::test::error_of([&] { dgnam::read_gallery_index(missing); }).find(missing.string()),
        std::string::npos);
}
