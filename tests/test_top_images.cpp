#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <vector>

#include "dgnam/error.h"
#include "dgnam/top_images.h"
#include "test_support.h"

namespace dgnam {
namespace {

using test::error_of;

// Six 28x28 grey images; image i has grey level kCorner[i] at (0, 0) and kMiddle[i] at (5, 7),
// zero elsewhere. Labels are 10 * i + 1.
const std::vector<std::uint8_t> kCorner = {10, 200, 50, 200, 0, 255};
const std::vector<std::uint8_t> kMiddle = {40, 0, 255, 30, 90, 0};

LabelledImages six_images() {
    LabelledImages data;
    data.images = at::zeros({6, 1, 28, 28}, at::TensorOptions().dtype(at::kByte));
    data.labels = at::empty({6}, at::TensorOptions().dtype(at::kLong));
    for (int i = 0; i < 6; ++i) {
        data.images[i][0][0][0] = kCorner[i];
        data.images[i][0][5][7] = kMiddle[i];
        data.labels[i] = 10 * i + 1;
    }
    return data;
}

// Unit 0 reads the corner, unit 1 the middle pixel, unit 2 their difference, in the identity
// grey space where a stored value is grey level / 255.
std::unique_ptr<NetworkClassifier> corner_classifier() {
    auto weight = at::zeros({3, 28 * 28});
    weight[0][0] = 1.0;
    weight[1][5 * 28 + 7] = 1.0;
    weight[2][0] = 1.0;
    weight[2][5 * 28 + 7] = -1.0;
    return test::linear_classifier(weight, 28, 28);
}

std::vector<std::int64_t> indices(const std::vector<TopImage>& top) {
    std::vector<std::int64_t> out;
    for (const auto& t : top)
        out.push_back(t.index);
    return out;
}

TEST(TopImages, OrderValuesAndLabels) {
    const auto c = corner_classifier();
    const auto data = six_images();
    const auto top = top_activating_images(*c, "fc", 0, Objective{}, data, 3);
    ASSERT_EQ(top.size(), 3u);
    // 255 first, then the two 200s with the lower index first.
    EXPECT_EQ(indices(top), (std::vector<std::int64_t>{5, 1, 3}));
    EXPECT_NEAR(top[0].activation, 1.0, 1e-6);
    EXPECT_NEAR(top[1].activation, 200.0 / 255.0, 1e-6);
    EXPECT_NEAR(top[2].activation, 200.0 / 255.0, 1e-6);
    EXPECT_EQ(top[0].label, 51);
    EXPECT_EQ(top[1].label, 11);
    EXPECT_EQ(top[2].label, 31);

    const auto middle = top_activating_images(*c, "fc", 1, Objective{}, data, 2);
    EXPECT_EQ(indices(middle), (std::vector<std::int64_t>{2, 4}));
    EXPECT_NEAR(middle[1].activation, 90.0 / 255.0, 1e-6);

    // The difference unit goes negative; "" means the output layer.
    const auto diff = top_activating_images(*c, "", 2, Objective{}, data, 6);
    EXPECT_EQ(indices(diff), (std::vector<std::int64_t>{5, 1, 3, 0, 4, 2}));
    EXPECT_NEAR(diff[5].activation, (50.0 - 255.0) / 255.0, 1e-6);
}

TEST(TopImages, TiesKeepTheLowerIndexAcrossBatches) {
    const auto c = corner_classifier();
    auto data = six_images();
    data.images.zero_();  // every activation is 0
    for (int batch : {1, 2, 4, 256}) {
        const auto top = top_activating_images(*c, "fc", 0, Objective{}, data, 4, batch);
        EXPECT_EQ(indices(top), (std::vector<std::int64_t>{0, 1, 2, 3})) << "batch " << batch;
    }
    // Equal values split over batches of two: 200 at indices 1 and 3.
    const auto split = top_activating_images(*c, "fc", 0, Objective{}, six_images(), 3, 2);
    EXPECT_EQ(indices(split), (std::vector<std::int64_t>{5, 1, 3}));
}

TEST(TopImages, KLargerThanTheDataSetReturnsEveryImage) {
    const auto c = corner_classifier();
    const auto top = top_activating_images(*c, "fc", 0, Objective{}, six_images(), 100, 4);
    EXPECT_EQ(indices(top), (std::vector<std::int64_t>{5, 1, 3, 2, 0, 4}));
    for (std::size_t i = 1; i < top.size(); ++i)
        EXPECT_GE(top[i - 1].activation, top[i].activation);
}

TEST(TopImages, NegatedObjectiveRanksTheLowestFirstAndReportsRawActivations) {
    const auto c = corner_classifier();
    Objective negated;
    negated.negate = true;
    const auto top = top_activating_images(*c, "fc", 2, negated, six_images(), 2);
    EXPECT_EQ(indices(top), (std::vector<std::int64_t>{2, 4}));
    EXPECT_NEAR(top[0].activation, (50.0 - 255.0) / 255.0, 1e-6);
    EXPECT_NEAR(top[1].activation, -90.0 / 255.0, 1e-6);
}

TEST(TopImages, ProgressReportsEachBatchAndCancels) {
    const auto c = corner_classifier();
    std::vector<double> seen;
    const auto all =
        top_activating_images(*c, "fc", 0, Objective{}, six_images(), 3, 2, [&](double f) {
            seen.push_back(f);
            return true;
        });
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_NEAR(seen[0], 1.0 / 3.0, 1e-12);
    EXPECT_NEAR(seen[1], 2.0 / 3.0, 1e-12);
    EXPECT_DOUBLE_EQ(seen[2], 1.0);
    EXPECT_EQ(all.size(), 3u);

    // Stop after the first batch (images 0 and 1): what was found so far, best first.
    int calls = 0;
    const auto partial = top_activating_images(*c, "fc", 0, Objective{}, six_images(), 3, 2,
                                               [&](double) { return ++calls < 1; });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(indices(partial), (std::vector<std::int64_t>{1, 0}));
}

TEST(TopImages, ConvolutionalLayerHonoursTheSpatialMode) {
    // conv: a 1x1 convolution with weight 2 (the image doubled); fc: one unit summing pixels.
    const nlohmann::json layers = {
        {{"name", "conv"}, {"type", "conv2d"}, {"out", 1}, {"kernel", 1}, {"bias", false}},
        {{"name", "fc"}, {"type", "linear"}, {"out", 1}, {"bias", false}}};
    SequentialNet net(
        layers, {1, 28, 28},
        {{"conv.weight", at::full({1, 1, 1, 1}, 2.0)}, {"fc.weight", at::ones({1, 28 * 28})}},
        "test conv");
    NetworkClassifier c("C", "conv", std::move(net),
                        ImageSpec{{1, 28, 28}, test::identity_grey_space()}, "fc", {});
    auto data = six_images();
    for (int i = 0; i < 6; ++i)
        data.images[i][0][14][14] = 6 * (i % 3);  // 0, 6, 12, 0, 6, 12

    // Centre (14, 14): images 2 and 5 (12), then 1 and 4 (6).
    const auto centre = top_activating_images(c, "conv", 0, Objective{}, data, 4);
    EXPECT_EQ(indices(centre), (std::vector<std::int64_t>{2, 5, 1, 4}));
    EXPECT_NEAR(centre[0].activation, 2.0 * 12.0 / 255.0, 1e-6);

    Objective at_middle;
    at_middle.spatial = SpatialMode::Position;
    at_middle.y = 5;
    at_middle.x = 7;
    const auto middle = top_activating_images(c, "conv", 0, at_middle, data, 2);
    EXPECT_EQ(indices(middle), (std::vector<std::int64_t>{2, 4}));
    EXPECT_NEAR(middle[0].activation, 2.0, 1e-6);

    Objective mean;
    mean.spatial = SpatialMode::Mean;
    const auto averaged = top_activating_images(c, "conv", 0, mean, data, 1);
    ASSERT_EQ(averaged.size(), 1u);
    EXPECT_EQ(averaged[0].index, 2);  // 50 + 255 + 12 is the largest sum of grey levels
    EXPECT_NEAR(averaged[0].activation, 2.0 * (50.0 + 255.0 + 12.0) / 255.0 / 784.0, 1e-6);

    Objective outside = at_middle;
    outside.y = 28;
    EXPECT_NE(error_of([&] {
                  top_activating_images(c, "conv", 0, outside, data, 1);
              }).find("position (28, 7)"),
              std::string::npos);
}

TEST(TopImages, Errors) {
    const auto c = corner_classifier();
    const auto data = six_images();
    const Objective o;
    EXPECT_NE(error_of([&] {
                  top_activating_images(*c, "fc9", 0, o, data, 1);
              }).find("unknown layer \"fc9\""),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  top_activating_images(*c, "fc", 3, o, data, 1);
              }).find("unit 3 is out of range"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  top_activating_images(*c, "fc", -1, o, data, 1);
              }).find("unit -1 is out of range"),
              std::string::npos);
    EXPECT_NE(error_of([&] { top_activating_images(*c, "fc", 0, o, data, 0); }).find("k is 0"),
              std::string::npos);
    EXPECT_NE(error_of([&] {
                  top_activating_images(*c, "fc", 0, o, data, 1, 0);
              }).find("batch size is 0"),
              std::string::npos);

    LabelledImages rgb{at::zeros({2, 3, 28, 28}, at::TensorOptions().dtype(at::kByte)),
                       at::zeros({2}, at::TensorOptions().dtype(at::kLong))};
    const auto channels = error_of([&] { top_activating_images(*c, "fc", 0, o, rgb, 1); });
    EXPECT_NE(channels.find("1-channel images; these have 3 channels"), std::string::npos)
        << channels;

    const auto small = test::linear_classifier(at::ones({2, 64}), 8, 8);
    const auto size = error_of([&] { top_activating_images(*small, "fc", 0, o, data, 1); });
    EXPECT_NE(size.find("takes 8x8 images; these are 28x28"), std::string::npos) << size;

    LabelledImages floats{data.images.to(at::kFloat), data.labels};
    EXPECT_NE(error_of([&] { top_activating_images(*c, "fc", 0, o, floats, 1); }).find("uint8"),
              std::string::npos);
    LabelledImages few_labels{data.images, data.labels.slice(0, 0, 5)};
    EXPECT_NE(error_of([&] {
                  top_activating_images(*c, "fc", 0, o, few_labels, 1);
              }).find("one label per image"),
              std::string::npos);
}

TEST(TopImages, EmptyDataSetFindsNothing) {
    const auto c = corner_classifier();
    LabelledImages none{at::zeros({0, 1, 28, 28}, at::TensorOptions().dtype(at::kByte)),
                        at::zeros({0}, at::TensorOptions().dtype(at::kLong))};
    EXPECT_TRUE(top_activating_images(*c, "fc", 0, Objective{}, none, 3).empty());
}

TEST(TopImages, LabelledImageToRgb8ReplicatesGrey) {
    const auto data = six_images();
    const auto image = labelled_image_to_rgb8(data, 2);
    ASSERT_EQ(image.width, 28);
    ASSERT_EQ(image.height, 28);
    for (int ch = 0; ch < 3; ++ch) {
        EXPECT_EQ(image.pixel(0, 0)[ch], 50);
        EXPECT_EQ(image.pixel(7, 5)[ch], 255);  // x = 7, y = 5
        EXPECT_EQ(image.pixel(5, 7)[ch], 0);
    }
    LabelledImages rgb{at::zeros({1, 3, 2, 2}, at::TensorOptions().dtype(at::kByte)),
                       at::zeros({1}, at::TensorOptions().dtype(at::kLong))};
    rgb.images[0][0][1][0] = 10;  // red at x = 0, y = 1
    rgb.images[0][2][1][0] = 30;  // blue
    const auto colour = labelled_image_to_rgb8(rgb, 0);
    EXPECT_EQ(colour.pixel(0, 1)[0], 10);
    EXPECT_EQ(colour.pixel(0, 1)[1], 0);
    EXPECT_EQ(colour.pixel(0, 1)[2], 30);
    const auto e = error_of([&] { labelled_image_to_rgb8(data, 6); });
    EXPECT_NE(e.find("image 6 is outside the data set of 6 images"), std::string::npos) << e;
    EXPECT_NE(error_of([&] { labelled_image_to_rgb8(data, -1); }).find("image -1"),
              std::string::npos);
}

}  // namespace
}  // namespace dgnam
