#include "dgnam/view/view_transform.h"

#include <algorithm>

namespace dgnam::view {

namespace {

double clamp_zoom(double zoom) {
    return std::clamp(zoom, ViewTransform::kMinZoom, ViewTransform::kMaxZoom);
}

}  // namespace

void ViewTransform::fit(int image_w, int image_h, int view_w, int view_h) {
    image_w_ = image_w;
    image_h_ = image_h;
    view_w_ = view_w;
    view_h_ = view_h;
    fitted_ = true;
    if (image_w <= 0 || image_h <= 0 || view_w <= 0 || view_h <= 0) {
        return;  // nothing to fit yet; the next update_sizes() with real sizes fits
    }
    const double room = 1.0 - 2.0 * kFitMargin;
    zoom_ = clamp_zoom(std::min(view_w * room / image_w, view_h * room / image_h));
    pan_ = {(view_w - image_w * zoom_) / 2.0, (view_h - image_h * zoom_) / 2.0};
}

void ViewTransform::update_sizes(int image_w, int image_h, int view_w, int view_h) {
    if (image_w == image_w_ && image_h == image_h_ && view_w == view_w_ && view_h == view_h_) {
        return;
    }
    if (fitted_) {
        fit(image_w, image_h, view_w, view_h);
        return;
    }
    // The point at the old view centre moves to the new centre; the zoom stays.
    pan_.x += (view_w - view_w_) / 2.0;
    pan_.y += (view_h - view_h_) / 2.0;
    image_w_ = image_w;
    image_h_ = image_h;
    view_w_ = view_w;
    view_h_ = view_h;
}

void ViewTransform::zoom_at(double factor, double cursor_x, double cursor_y) {
    if (!(factor > 0.0)) {
        return;  // a zero, negative or NaN factor has no meaning
    }
    const Point anchor = view_to_image({cursor_x, cursor_y});
    zoom_ = clamp_zoom(zoom_ * factor);
    pan_ = {cursor_x - anchor.x * zoom_, cursor_y - anchor.y * zoom_};
    fitted_ = false;
}

void ViewTransform::pan_by(double dx, double dy) {
    pan_.x += dx;
    pan_.y += dy;
    fitted_ = false;
}

Point ViewTransform::image_to_view(Point image_point) const {
    return {image_point.x * zoom_ + pan_.x, image_point.y * zoom_ + pan_.y};
}

Point ViewTransform::view_to_image(Point view_point) const {
    return {(view_point.x - pan_.x) / zoom_, (view_point.y - pan_.y) / zoom_};
}

ClipTransform ViewTransform::image_to_clip(int view_w, int view_h) const {
    // clip_x = 2 * view_x / view_w - 1; clip_y = 1 - 2 * view_y / view_h (clip y points up).
    const double w = std::max(view_w, 1);
    const double h = std::max(view_h, 1);
    ClipTransform t;
    t.scale_x = static_cast<float>(2.0 * zoom_ / w);
    t.scale_y = static_cast<float>(-2.0 * zoom_ / h);
    t.offset_x = static_cast<float>(2.0 * pan_.x / w - 1.0);
    t.offset_y = static_cast<float>(1.0 - 2.0 * pan_.y / h);
    return t;
}

}  // namespace dgnam::view
