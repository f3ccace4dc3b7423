#pragma once
// Zoom and pan of one image inside a view, shared by both graphical front ends.
//
// View coordinates are framebuffer pixels (device pixels on high-DPI screens), origin at the
// view's top-left corner, y down; image coordinates are image pixels, origin at the image's
// top-left corner, y down. view = image * zoom + pan.

namespace dgnam::view {

struct Point {
    double x = 0.0;
    double y = 0.0;
};

// clip = image_pixel * scale + offset, per axis: what image.vert calls u_image_to_clip.
struct ClipTransform {
    float scale_x = 1.0f;
    float scale_y = 1.0f;
    float offset_x = 0.0f;
    float offset_y = 0.0f;
};

class ViewTransform {
  public:
    static constexpr double kMinZoom = 1.0 / 16.0;
    static constexpr double kMaxZoom = 256.0;
    // fit() leaves this fraction of the view free around the image, so its border shows.
    static constexpr double kFitMargin = 0.04;

    // Centres the image at the largest zoom that fits (less the margin) and stays "fitted":
    // update_sizes() refits until the user zooms or pans.
    void fit(int image_w, int image_h, int view_w, int view_h);

    // The image or the view changed size (or neither: then nothing changes). While fitted,
    // refits; otherwise keeps the image point at the view's centre where it was.
    void update_sizes(int image_w, int image_h, int view_w, int view_h);

    // Multiplies the zoom by factor (clamped to kMinZoom..kMaxZoom) keeping the image point
    // under the cursor (view coordinates) where it is.
    void zoom_at(double factor, double cursor_x, double cursor_y);

    // Moves the image by (dx, dy) view pixels.
    void pan_by(double dx, double dy);

    Point image_to_view(Point image_point) const;
    Point view_to_image(Point view_point) const;

    // What the vertex shader needs for a viewport of view_w x view_h pixels.
    ClipTransform image_to_clip(int view_w, int view_h) const;

    double zoom() const { return zoom_; }  // view pixels per image pixel
    Point pan() const { return pan_; }     // view position of the image's top-left corner
    bool fitted() const { return fitted_; }

  private:
    double zoom_ = 1.0;
    Point pan_;
    bool fitted_ = true;
    // The sizes update_sizes() last saw, to tell what changed.
    int image_w_ = 0;
    int image_h_ = 0;
    int view_w_ = 0;
    int view_h_ = 0;
};

}  // namespace dgnam::view
