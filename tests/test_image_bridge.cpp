#include <gtest/gtest.h>

#include "dgnam/error.h"
#include "dgnam/image_bridge.h"
#include "test_support.h"

namespace dgnam {
namespace {

PixelSpace caffe_bgr() {
    return PixelSpace::caffe_imagenet();
}
PixelSpace torchvision_rgb() {
    return PixelSpace::torchvision_imagenet();
}

TEST(ImageBridge, CentreCropOffsetsMatchThePaper) {
    ImageBridge to_caffenet(caffe_bgr(), {3, 256, 256}, caffe_bgr(), {3, 227, 227});
    EXPECT_EQ(to_caffenet.crop_top(), 14);
    EXPECT_EQ(to_caffenet.crop_left(), 14);
    EXPECT_FALSE(to_caffenet.converts_values());
    ImageBridge to_googlenet(caffe_bgr(), {3, 256, 256}, caffe_bgr(), {3, 224, 224});
    EXPECT_EQ(to_googlenet.crop_top(), 16);
}

TEST(ImageBridge, CropTakesTheCentreRegionUnchangedInTheSameSpace) {
    ImageBridge bridge(caffe_bgr(), {3, 256, 256}, caffe_bgr(), {3, 227, 227});
    auto image = at::arange(3 * 256 * 256).to(at::kFloat).view({1, 3, 256, 256});
    auto crop = bridge.to_classifier(image);
    ASSERT_EQ(crop.sizes(), (at::IntArrayRef{1, 3, 227, 227}));
    EXPECT_EQ(crop[0][0][0][0].item<float>(), image[0][0][14][14].item<float>());
    EXPECT_EQ(crop[0][2][226][226].item<float>(), image[0][2][240][240].item<float>());
}

TEST(ImageBridge, ConvertsBetweenSpacesAndBack) {
    ImageBridge bridge(caffe_bgr(), {3, 8, 8}, torchvision_rgb(), {3, 6, 6});
    EXPECT_TRUE(bridge.converts_values());
    // A pure red pixel: BGR 0-255 mean-subtracted -> RGB unit -> normalised.
    auto image = at::zeros({1, 3, 8, 8});
    image.select(1, 0).fill_(0.0 - 104.0);    // blue channel
    image.select(1, 1).fill_(0.0 - 117.0);    // green
    image.select(1, 2).fill_(255.0 - 123.0);  // red
    auto c = bridge.to_classifier(image);
    EXPECT_NEAR(c[0][0][0][0].item<double>(), (1.0 - 0.485) / 0.229, 1e-4);  // R
    EXPECT_NEAR(c[0][1][0][0].item<double>(), (0.0 - 0.456) / 0.224, 1e-4);  // G
    EXPECT_NEAR(c[0][2][0][0].item<double>(), (0.0 - 0.406) / 0.225, 1e-4);  // B
    auto pasted = bridge.paste_back(image, c);
    EXPECT_TRUE(at::allclose(pasted, image, 1e-4, 1e-3));
}

TEST(ImageBridge, PasteBackChangesOnlyTheCrop) {
    ImageBridge bridge(test::identity_grey_space(), {1, 6, 6}, test::identity_grey_space(),
                       {1, 2, 2});
    auto image = at::zeros({1, 1, 6, 6});
    auto pasted = bridge.paste_back(image, at::ones({1, 1, 2, 2}));
    EXPECT_EQ(pasted.sum().item<float>(), 4.0f);
    EXPECT_EQ(pasted[0][0].slice(0, 2, 4).slice(1, 2, 4).sum().item<float>(), 4.0f);
}

TEST(ImageBridge, GreyGeneratorFeedsAnRgbClassifier) {
    PixelSpace grey = test::identity_grey_space();
    ImageBridge bridge(grey, {1, 4, 4}, torchvision_rgb(), {3, 4, 4});
    auto c = bridge.to_classifier(at::full({1, 1, 4, 4}, 0.5));
    EXPECT_NEAR(c[0][0][1][1].item<double>(), (0.5 - 0.485) / 0.229, 1e-5);
    EXPECT_NEAR(c[0][2][1][1].item<double>(), (0.5 - 0.406) / 0.225, 1e-5);
}

TEST(ImageBridge, RejectsAGeneratorSmallerThanTheInput) {
    try {
        ImageBridge(caffe_bgr(), {3, 128, 128}, caffe_bgr(), {3, 227, 227});
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("3x128x128"), std::string::npos) << e.what();
    }
}

TEST(PixelSpace, ReadsAndRejectsDescriptions) {
    auto s =
        PixelSpace::from_json({{"channels", "bgr"}, {"scale", 255}, {"mean", {1, 2, 3}}}, "m.json");
    EXPECT_EQ(s.order, ChannelOrder::BGR);
    EXPECT_EQ(s.mean[2], 3.0);
    EXPECT_EQ(s.stddev[0], 1.0);
    EXPECT_THROW(PixelSpace::from_json({{"channels", "cmyk"}}, "m.json"), Error);
    EXPECT_THROW(PixelSpace::from_json({{"mean", {1, 2}}}, "m.json"), Error);
    EXPECT_THROW(PixelSpace::from_json({{"std", {1, 0, 1}}}, "m.json"), Error);
    EXPECT_DOUBLE_EQ(caffe_bgr().stored_per_grey_level(), 1.0);
}

}  // namespace
}  // namespace dgnam
