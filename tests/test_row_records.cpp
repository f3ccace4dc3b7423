#include <gtest/gtest.h>

#include <limits>

#include "dgnam/row_records.h"

namespace dgnam {
namespace {

// Row r of step s: every pixel s * 10 + r, so that each stored image names its step.
at::Tensor step_images(int step) {
    return (at::arange(3).to(at::kFloat) + 10.0f * step)
        .view({3, 1, 1, 1})
        .expand({3, 1, 2, 2})
        .contiguous();
}

double pixel(const at::Tensor& image) {
    return image.flatten()[0].item<double>();
}

TEST(RowRecords, EachRowKeepsTheImageOfItsHighestActivation) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    RowRecords records({4, 7, 9});
    // Row 0 improves at steps 1 and 3, row 1 only at step 1, row 2 never reads a number.
    const std::vector<std::vector<double>> activations{
        {1.0, 5.0, nan}, {0.5, 4.0, nan}, {2.0, 3.0, nan}};
    at::Tensor images;
    for (int step = 1; step <= 3; ++step) {
        images = step_images(step);
        records.observe(activations[static_cast<std::size_t>(step - 1)], images);
        images.fill_(-1.0f);  // the caller reuses its tensor: the records must hold their own copy
    }
    const auto last = step_images(3);
    const auto out =
        records.outcomes({2.0, 3.0, nan}, {std::nullopt, std::nullopt, std::nullopt}, last);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].unit, 4);
    EXPECT_DOUBLE_EQ(out[0].best_activation, 2.0);
    EXPECT_DOUBLE_EQ(pixel(out[0].best_image), 30.0);  // step 3, row 0
    EXPECT_DOUBLE_EQ(out[1].best_activation, 5.0);
    EXPECT_DOUBLE_EQ(pixel(out[1].best_image), 11.0);  // step 1, row 1
    EXPECT_DOUBLE_EQ(pixel(out[2].best_image), 32.0);  // no best: the current image
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(out[i].best_image.sizes(), at::IntArrayRef({1, 2, 2})) << "row " << i;
        EXPECT_DOUBLE_EQ(pixel(out[i].image), 30.0 + static_cast<double>(i)) << "row " << i;
    }
}

TEST(RowRecords, ARowFirstReadAfterOthersGetsItsOwnImage) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    RowRecords records({0, 1, 2});
    records.observe({1.0, nan, 1.0}, step_images(1));
    records.observe({0.0, 2.0, 0.0}, step_images(2));  // only row 1, after the batch was stored
    const auto out = records.outcomes({0.0, 2.0, 0.0}, {std::nullopt, std::nullopt, std::nullopt},
                                      step_images(2));
    EXPECT_DOUBLE_EQ(pixel(out[0].best_image), 10.0);
    EXPECT_DOUBLE_EQ(pixel(out[1].best_image), 21.0);
    EXPECT_DOUBLE_EQ(pixel(out[2].best_image), 12.0);
}

}  // namespace
}  // namespace dgnam
