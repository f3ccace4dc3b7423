// The frames a run shows: the same bytes as DisplayMapping::to_rgb8, in buffers that are reused
// once nobody holds them and never written while someone does.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <limits>

#include "dgnam/frame_images.h"

namespace dgnam {
namespace {

TEST(FrameImages, GiveTheBytesOfTheDisplayMapping) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    DisplayMapping range;
    range.mode = DisplayMapping::Mode::Range;
    range.low = -120.0;
    range.high = 120.0;
    PixelSpace grey;
    grey.channels = 1;
    grey.scale = 255.0;
    grey.mean = {72.93};
    grey.stddev = {1.0};
    struct Case {
        DisplayMapping display;
        PixelSpace space;
        at::Tensor image;
    };
    for (const auto& c :
         {Case{{}, PixelSpace::caffe_imagenet(), at::randn({3, 9, 7}, gen) * 90.0},
          Case{range, PixelSpace::caffe_imagenet(), at::randn({3, 5, 6}, gen) * 150.0},
          Case{{}, grey, at::randn({1, 8, 8}, gen) * 100.0},
          Case{{}, PixelSpace::torchvision_imagenet(), at::randn({3, 4, 4}, gen)}}) {
        auto image = c.image.clone();
        image.view({-1})[0] = nan;
        image.view({-1})[1] = inf;
        image.view({-1})[2] = -inf;
        const Image8 expected = c.display.to_rgb8(image, c.space);
        FrameImages frames(c.display, c.space);
        const auto actual = frames.convert(image);
        ASSERT_EQ(actual->width, expected.width);
        ASSERT_EQ(actual->height, expected.height);
        EXPECT_EQ(actual->rgb, expected.rgb);
        // The same values through the tensor arithmetic of PixelSpace::to_unit.
        auto unit = c.display.mode == DisplayMapping::Mode::Space
                        ? c.space.to_unit(image.unsqueeze(0))[0]
                        : (image.flip({0}) - c.display.low) / (c.display.high - c.display.low);
        unit = at::nan_to_num(unit, 0.0, 1.0, 0.0).clamp(0.0, 1.0).expand({3, -1, -1});
        const auto bytes = (unit * 255.0).round().to(at::kByte).permute({1, 2, 0}).contiguous();
        EXPECT_EQ(std::vector<std::uint8_t>(bytes.data_ptr<std::uint8_t>(),
                                            bytes.data_ptr<std::uint8_t>() + bytes.numel()),
                  actual->rgb);
    }
}

TEST(FrameImages, ReuseBuffersNobodyHoldsAndNeverWriteAHeldOne) {
    FrameImages frames({}, PixelSpace::torchvision_imagenet());
    // A run of many steps whose frames are dropped as the next arrives: a handful of buffers.
    for (int step = 0; step < 1000; ++step) {
        const auto frame = frames.convert(at::full({3, 16, 16}, 0.01 * (step % 50)));
        ASSERT_EQ(frame->width, 16);
    }
    EXPECT_LE(frames.buffers_made(), 2u);

    // A front end that keeps a frame keeps its pixels: later frames go elsewhere.
    const auto kept = frames.convert(at::full({3, 16, 16}, -5.0));  // black after the mapping
    const auto kept_bytes = kept->rgb;
    std::vector<std::shared_ptr<const Image8>> later;
    for (int step = 0; step < 10; ++step)
        later.push_back(frames.convert(at::full({3, 16, 16}, 5.0)));  // white
    for (const auto& frame : later)
        EXPECT_NE(frame.get(), kept.get());
    EXPECT_EQ(kept->rgb, kept_bytes);
    EXPECT_EQ(kept->rgb[0], 0);
    EXPECT_EQ(later.back()->rgb[0], 255);

    // A new size gets a buffer of that size.
    const auto wide = frames.convert(at::zeros({3, 4, 32}));
    EXPECT_EQ(wide->width, 32);
    EXPECT_EQ(wide->height, 4);
    EXPECT_EQ(wide->rgb.size(), 32u * 4u * 3u);
}

TEST(FrameImages, FramesMayOutliveTheirMaker) {
    std::shared_ptr<const Image8> frame;
    {
        FrameImages frames({}, PixelSpace::torchvision_imagenet());
        frame = frames.convert(at::full({3, 2, 2}, 5.0));
    }
    EXPECT_EQ(frame->rgb[0], 255);
    frame.reset();  // its buffer goes back to a list the frame itself keeps alive
}

}  // namespace
}  // namespace dgnam
