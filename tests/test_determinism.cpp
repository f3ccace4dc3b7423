#include <gtest/gtest.h>

#include "dgnam/dgn_am.h"
#include "dgnam/display_mapping.h"
#include "test_support.h"

namespace dgnam {
namespace {

std::pair<at::Tensor, Image8> synthesize_once(const ModelPack& pack, std::uint64_t seed) {
    OptimizerParams p;
    p.iterations = 25;
    p.seed = seed;
    DgnAm am(*pack.generator, pack.classifier(), Objective{}, {1}, p, InitialCode::random(),
             at::kCPU);
    while (!am.done())
        am.step();
    const auto outcome = am.evaluate();
    return {am.code().clone(), pack.display.to_rgb8(outcome[0].image, am.image_space())};
}

TEST(Determinism, SameSeedGivesBitIdenticalImagesOnTheCpu) {
    test::ScratchFolder folder;
    test::write_tiny_pack(folder.path());
    const auto pack = load_model_pack(folder.path());
    const auto a = synthesize_once(pack, 0);
    const auto b = synthesize_once(pack, 0);
    EXPECT_TRUE(at::equal(a.first, b.first));
    EXPECT_EQ(a.second, b.second);
    const auto c = synthesize_once(pack, 1);
    EXPECT_FALSE(at::equal(a.first, c.first));
}

TEST(DisplayMapping, RangeModeMapsThePapersClipWindow) {
    DisplayMapping m;
    m.mode = DisplayMapping::Mode::Range;
    m.low = -120;
    m.high = 120;
    PixelSpace bgr;
    bgr.order = ChannelOrder::BGR;
    auto image = at::zeros({3, 1, 2});
    image[0][0][0] = 120.0;   // blue, saturated
    image[2][0][0] = -120.0;  // red, black
    image[1][0][1] = 500.0;   // green, clipped
    const auto rgb = m.to_rgb8(image, bgr);
    ASSERT_EQ(rgb.width, 2);
    EXPECT_EQ(rgb.pixel(0, 0)[0], 0);    // R
    EXPECT_EQ(rgb.pixel(0, 0)[1], 128);  // G = 0 -> middle grey
    EXPECT_EQ(rgb.pixel(0, 0)[2], 255);  // B
    EXPECT_EQ(rgb.pixel(1, 0)[1], 255);
}

TEST(DisplayMapping, SpaceModeInvertsNormalisationAndReplicatesGrey) {
    PixelSpace grey;
    grey.channels = 1;
    grey.mean = {0.5};
    grey.stddev = {0.5};
    auto image = at::tensor({-1.0f, 0.0f, 1.0f, std::nanf("")}).view({1, 1, 4});
    const auto rgb = DisplayMapping{}.to_rgb8(image, grey);
    EXPECT_EQ(rgb.pixel(0, 0)[0], 0);
    EXPECT_EQ(rgb.pixel(1, 0)[1], 128);
    EXPECT_EQ(rgb.pixel(2, 0)[2], 255);
    EXPECT_EQ(rgb.pixel(3, 0)[0], 0) << "NaN is shown as black";
}

}  // namespace
}  // namespace dgnam
