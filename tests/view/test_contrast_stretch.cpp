// Contrast stretch: percentiles of known images and the smoothing of successive ranges.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "dgnam/error.h"
#include "dgnam/view/contrast_stretch.h"

namespace {

using dgnam::Image8;
using dgnam::view::kFixedRange;
using dgnam::view::percentile_range;
using dgnam::view::PercentileRange;
using dgnam::view::SmoothedStretch;

// A 256 x 100 image whose every row holds the values 0..255 in all three channels.
Image8 full_ramp() {
    Image8 image(256, 100);
    for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < image.width; ++x) {
            std::uint8_t* p = image.pixel(x, y);
            p[0] = p[1] = p[2] = static_cast<std::uint8_t>(x);
        }
    }
    return image;
}

TEST(PercentileRange, RampGivesItsPercentiles) {
    const Image8 ramp = full_ramp();
    // 76800 values, 300 of each: the 2nd percentile is sorted value floor(0.02 * 76799) = 1535,
    // which is 5; the 98th is sorted value 75263, which is 250.
    const PercentileRange range = percentile_range(ramp, 2.0, 98.0);
    EXPECT_DOUBLE_EQ(range.low, 5.0 / 255.0);
    EXPECT_DOUBLE_EQ(range.high, 250.0 / 255.0);
    const PercentileRange all = percentile_range(ramp, 0.0, 100.0);
    EXPECT_DOUBLE_EQ(all.low, 0.0);
    EXPECT_DOUBLE_EQ(all.high, 1.0);
}

TEST(PercentileRange, OutliersBeyondThePercentilesAreIgnored) {
    // 1000 values: 10 at 0, 980 at 100..139, 10 at 255.
    Image8 image(1000, 1);
    for (int x = 0; x < 1000; ++x) {
        std::uint8_t value = static_cast<std::uint8_t>(100 + x % 40);
        if (x < 10) {
            value = 0;
        } else if (x >= 990) {
            value = 255;
        }
        std::uint8_t* p = image.pixel(x, 0);
        p[0] = p[1] = p[2] = value;
    }
    const PercentileRange range = percentile_range(image, 2.0, 98.0);
    EXPECT_GE(range.low * 255.0, 100.0 - 1e-9);
    EXPECT_LE(range.high * 255.0, 139.0 + 1e-9);
    EXPECT_LT(range.low, range.high);
}

TEST(PercentileRange, CountsAllChannels) {
    // Red 10, green 20, blue 30 everywhere: the values are a third each.
    Image8 image(10, 10);
    for (int y = 0; y < 10; ++y) {
        for (int x = 0; x < 10; ++x) {
            std::uint8_t* p = image.pixel(x, y);
            p[0] = 10;
            p[1] = 20;
            p[2] = 30;
        }
    }
    const PercentileRange range = percentile_range(image, 2.0, 98.0);
    EXPECT_DOUBLE_EQ(range.low, 10.0 / 255.0);
    EXPECT_DOUBLE_EQ(range.high, 30.0 / 255.0);
}

TEST(PercentileRange, FlatAndEmptyImagesGiveTheFixedRange) {
    Image8 flat(8, 8);
    for (std::uint8_t& v : flat.rgb) {
        v = 77;
    }
    EXPECT_EQ(percentile_range(flat), kFixedRange);
    EXPECT_EQ(percentile_range(Image8{}), kFixedRange);
}

TEST(PercentileRange, RejectsPercentilesOutOfOrder) {
    const Image8 ramp = full_ramp();
    EXPECT_THROW(percentile_range(ramp, 50.0, 50.0), dgnam::Error);
    EXPECT_THROW(percentile_range(ramp, -1.0, 50.0), dgnam::Error);
    EXPECT_THROW(percentile_range(ramp, 10.0, 101.0), dgnam::Error);
}

TEST(SmoothedStretch, FirstUpdateIsTakenAsIs) {
    SmoothedStretch smoothed;
    EXPECT_FALSE(smoothed.has_range());
    EXPECT_EQ(smoothed.current(), kFixedRange);
    const PercentileRange first{0.2, 0.6};
    EXPECT_EQ(smoothed.update(first), first);
    EXPECT_TRUE(smoothed.has_range());
}

TEST(SmoothedStretch, UpdateMixesOldAndNewByTheWeight) {
    SmoothedStretch smoothed(0.75);
    smoothed.update({0.0, 1.0});
    const PercentileRange next = smoothed.update({0.4, 0.6});
    EXPECT_NEAR(next.low, 0.1, 1e-12);
    EXPECT_NEAR(next.high, 0.9, 1e-12);
}

TEST(SmoothedStretch, DefaultSettlesWithinASecondAtThirtyFrames) {
    SmoothedStretch smoothed;
    smoothed.update({0.0, 1.0});
    const PercentileRange target{0.3, 0.5};
    PercentileRange range;
    for (int frame = 0; frame < 30; ++frame) {
        range = smoothed.update(target);
    }
    // Less than 1% of the first range's distance is left after one second at 30 fps.
    EXPECT_NEAR(range.low, target.low, 0.01 * 0.3);
    EXPECT_NEAR(range.high, target.high, 0.01 * 0.5);
    for (int frame = 0; frame < 300; ++frame) {
        range = smoothed.update(target);
    }
    EXPECT_NEAR(range.low, target.low, 1e-9);
    EXPECT_NEAR(range.high, target.high, 1e-9);
}

TEST(SmoothedStretch, ResetMakesTheNextUpdateExact) {
    SmoothedStretch smoothed;
    smoothed.update({0.0, 1.0});
    smoothed.update({0.5, 0.6});
    smoothed.reset();
    EXPECT_FALSE(smoothed.has_range());
    const PercentileRange fresh{0.25, 0.75};
    EXPECT_EQ(smoothed.update(fresh), fresh);
}

TEST(SmoothedStretch, RejectsWeightsOutsideZeroToOne) {
    EXPECT_THROW(SmoothedStretch(1.0), dgnam::Error);
    EXPECT_THROW(SmoothedStretch(-0.1), dgnam::Error);
    EXPECT_THROW(SmoothedStretch(std::nan("")), dgnam::Error);
    EXPECT_NO_THROW(SmoothedStretch(0.0));
}

}  // namespace
