// ViewTransform: fit, zoom around the cursor, pan, clamping and the mappings.
#include <gtest/gtest.h>

#include "dgnam/view/view_transform.h"

namespace {

using dgnam::view::ClipTransform;
using dgnam::view::Point;
using dgnam::view::ViewTransform;

constexpr double kTol = 1e-9;

void expect_near(Point a, Point b, double tol = kTol) {
    EXPECT_NEAR(a.x, b.x, tol);
    EXPECT_NEAR(a.y, b.y, tol);
}

TEST(ViewTransform, FitCentresAtLargestZoomWithMargin) {
    ViewTransform t;
    t.fit(100, 50, 800, 600);  // width limits: 800 / 100 = 8 before the margin
    const double expected = 8.0 * (1.0 - 2.0 * ViewTransform::kFitMargin);
    EXPECT_NEAR(t.zoom(), expected, kTol);
    EXPECT_TRUE(t.fitted());
    // The image's centre sits at the view's centre.
    expect_near(t.image_to_view({50.0, 25.0}), {400.0, 300.0});
    // It fits: both corners inside the view.
    const Point top_left = t.image_to_view({0.0, 0.0});
    const Point bottom_right = t.image_to_view({100.0, 50.0});
    EXPECT_GT(top_left.x, 0.0);
    EXPECT_GT(top_left.y, 0.0);
    EXPECT_LT(bottom_right.x, 800.0);
    EXPECT_LT(bottom_right.y, 600.0);
}

TEST(ViewTransform, FitUsesTheTighterAxis) {
    ViewTransform t;
    t.fit(100, 100, 800, 200);  // height limits: 2
    EXPECT_NEAR(t.zoom(), 2.0 * (1.0 - 2.0 * ViewTransform::kFitMargin), kTol);
}

TEST(ViewTransform, ZoomAtKeepsThePointUnderTheCursor) {
    ViewTransform t;
    t.fit(64, 48, 640, 480);
    const Point cursor{123.0, 321.0};
    const Point under_cursor = t.view_to_image(cursor);
    const double before = t.zoom();
    t.zoom_at(1.5, cursor.x, cursor.y);
    EXPECT_NEAR(t.zoom(), before * 1.5, kTol);
    expect_near(t.view_to_image(cursor), under_cursor);
    t.zoom_at(0.25, cursor.x, cursor.y);
    expect_near(t.view_to_image(cursor), under_cursor);
    EXPECT_FALSE(t.fitted());
}

TEST(ViewTransform, ZoomIsClampedAndStillKeepsTheCursorPoint) {
    ViewTransform t;
    t.fit(10, 10, 100, 100);
    const Point cursor{30.0, 70.0};
    const Point under_cursor = t.view_to_image(cursor);
    t.zoom_at(1e9, cursor.x, cursor.y);
    EXPECT_DOUBLE_EQ(t.zoom(), ViewTransform::kMaxZoom);
    expect_near(t.view_to_image(cursor), under_cursor, 1e-6);
    t.zoom_at(1e-12, cursor.x, cursor.y);
    EXPECT_DOUBLE_EQ(t.zoom(), ViewTransform::kMinZoom);
    expect_near(t.view_to_image(cursor), under_cursor, 1e-6);
}

TEST(ViewTransform, FitIsClampedForHugeAndTinyImages) {
    ViewTransform t;
    t.fit(1, 1, 4000, 4000);
    EXPECT_DOUBLE_EQ(t.zoom(), ViewTransform::kMaxZoom);
    t.fit(100000, 100000, 100, 100);
    EXPECT_DOUBLE_EQ(t.zoom(), ViewTransform::kMinZoom);
}

TEST(ViewTransform, MeaninglessZoomFactorsAreIgnored) {
    ViewTransform t;
    t.fit(10, 10, 100, 100);
    const double before = t.zoom();
    t.zoom_at(0.0, 5.0, 5.0);
    t.zoom_at(-2.0, 5.0, 5.0);
    EXPECT_DOUBLE_EQ(t.zoom(), before);
    EXPECT_TRUE(t.fitted());
}

TEST(ViewTransform, PanMovesTheImageAndEndsFitting) {
    ViewTransform t;
    t.fit(10, 10, 100, 100);
    const Point before = t.image_to_view({3.0, 4.0});
    t.pan_by(7.5, -2.0);
    expect_near(t.image_to_view({3.0, 4.0}), {before.x + 7.5, before.y - 2.0});
    EXPECT_FALSE(t.fitted());
}

TEST(ViewTransform, MappingsRoundTrip) {
    ViewTransform t;
    t.fit(37, 91, 613, 411);
    t.zoom_at(2.7, 100.0, 50.0);
    t.pan_by(-13.25, 8.5);
    for (const Point p : {Point{0.0, 0.0}, Point{36.5, 90.25}, Point{-4.0, 200.0}}) {
        expect_near(t.view_to_image(t.image_to_view(p)), p, 1e-9);
        expect_near(t.image_to_view(t.view_to_image(p)), p, 1e-9);
    }
}

TEST(ViewTransform, ResizeRefitsWhileFitted) {
    ViewTransform t;
    t.update_sizes(100, 100, 200, 200);  // a new transform starts fitted
    EXPECT_NEAR(t.zoom(), 2.0 * (1.0 - 2.0 * ViewTransform::kFitMargin), kTol);
    t.update_sizes(100, 100, 400, 300);
    EXPECT_NEAR(t.zoom(), 3.0 * (1.0 - 2.0 * ViewTransform::kFitMargin), kTol);
    expect_near(t.image_to_view({50.0, 50.0}), {200.0, 150.0});
}

TEST(ViewTransform, ResizeAfterZoomKeepsZoomAndTheCentrePoint) {
    ViewTransform t;
    t.fit(100, 100, 200, 200);
    t.zoom_at(2.0, 60.0, 80.0);
    const double zoom = t.zoom();
    const Point centre_point = t.view_to_image({100.0, 100.0});
    t.update_sizes(100, 100, 300, 500);
    EXPECT_DOUBLE_EQ(t.zoom(), zoom);
    EXPECT_FALSE(t.fitted());
    expect_near(t.view_to_image({150.0, 250.0}), centre_point);
}

TEST(ViewTransform, FitBeforeTheViewHasASizeWaitsForOne) {
    ViewTransform t;
    t.fit(100, 100, 0, 0);
    EXPECT_TRUE(t.fitted());
    t.update_sizes(100, 100, 100, 100);
    EXPECT_NEAR(t.zoom(), 1.0 - 2.0 * ViewTransform::kFitMargin, kTol);
}

TEST(ViewTransform, ClipTransformMapsTheViewCornersToClipCorners) {
    ViewTransform t;
    t.fit(20, 10, 300, 200);
    t.zoom_at(3.0, 10.0, 20.0);
    const ClipTransform clip = t.image_to_clip(300, 200);
    const auto to_clip = [&](Point image) {
        return Point{image.x * clip.scale_x + clip.offset_x,
                     image.y * clip.scale_y + clip.offset_y};
    };
    // Image points that land on the view's top-left and bottom-right corners.
    expect_near(to_clip(t.view_to_image({0.0, 0.0})), {-1.0, 1.0}, 1e-5);
    expect_near(to_clip(t.view_to_image({300.0, 200.0})), {1.0, -1.0}, 1e-5);
    expect_near(to_clip(t.view_to_image({150.0, 100.0})), {0.0, 0.0}, 1e-5);
}

}  // namespace
