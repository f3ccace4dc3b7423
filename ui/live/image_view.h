#pragma once
// The live image, drawn with the shared shader programs (shaders/image.vert, image.frag) into
// one rectangle of the window, with zoom and pan through dgnam::view::ViewTransform and the
// optional percentile contrast stretch. Owns its GL objects; create and destroy it with the
// window's context current.
#include "dgnam/image.h"
#include "dgnam/view/contrast_stretch.h"
#include "dgnam/view/view_transform.h"
#include "gl_objects.h"

namespace dgnam::live {

// A rectangle in framebuffer pixels, origin at the window's top-left corner, y down.
struct PixelRect {
    int x = 0;
    int y = 0;
    int w = 0;
    int h = 0;
};

class ImageView {
  public:
    // Builds the shader program; throws std::runtime_error with the GL log when it fails.
    ImageView();

    // Uploads a new picture; a new size starts the contrast stretch afresh.
    void show(const Image8& image);
    bool has_image() const { return static_cast<bool>(texture_); }

    // Clears `area` and draws the image in it. `framebuffer_height` turns the area's top-left
    // origin into GL's bottom-left one.
    void draw(const PixelRect& area, int framebuffer_height);

    // Interaction, in framebuffer pixels relative to the area's top-left corner.
    void zoom_at(double factor, double x, double y);
    void pan_by(double dx, double dy);
    void fit();

    void set_stretch(bool percentile);
    bool stretch() const { return stretch_mode_ == view::StretchMode::Percentile; }
    bool pixel_grid = false;  // a thin grid between texels at high zoom (off, as in the studio)
    bool linear_filtering = false;  // nearest shows the generator's pixels as they are

  private:
    GlProgram program_;
    GlUnitQuad quad_;
    GlTexture texture_;
    view::ViewTransform transform_;
    view::StretchMode stretch_mode_ = view::StretchMode::Fixed;
    view::SmoothedStretch smoothed_;
    Image8 last_image_;  // kept for the stretch when the mode changes
    int area_w_ = 0;
    int area_h_ = 0;
};

}  // namespace dgnam::live
