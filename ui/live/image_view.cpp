#include "image_view.h"

#include "dgnam/view/shader_text.h"

namespace dgnam::live {
namespace {
constexpr float kGridStrength = 0.6f;     // the grid shows without hiding the texels
constexpr float kBackgroundGrey = 0.16f;  // tells the image's black border from the view
}  // namespace

ImageView::ImageView() : program_(view::image_vertex_shader(), view::image_fragment_shader()) {}

void ImageView::show(const Image8& image) {
    if (image.empty() ||
        image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        return;
    if (image.width != texture_.width() || image.height != texture_.height())
        smoothed_.reset();  // a new size is a new picture
    texture_.upload(image);
    if (stretch_mode_ == view::StretchMode::Percentile)
        smoothed_.update(view::percentile_range(image));
    last_image_ = image;
    transform_.update_sizes(image.width, image.height, area_w_, area_h_);
}

void ImageView::set_stretch(bool percentile) {
    const auto mode = percentile ? view::StretchMode::Percentile : view::StretchMode::Fixed;
    if (mode == stretch_mode_)
        return;
    stretch_mode_ = mode;
    smoothed_.reset();
    if (percentile && !last_image_.empty())
        smoothed_.update(view::percentile_range(last_image_));
}

void ImageView::draw(const PixelRect& area, int framebuffer_height) {
    if (area.w <= 0 || area.h <= 0)
        return;
    area_w_ = area.w;
    area_h_ = area.h;
    const GLint gl_y = framebuffer_height - (area.y + area.h);
    glViewport(area.x, gl_y, area.w, area.h);
    glEnable(GL_SCISSOR_TEST);
    glScissor(area.x, gl_y, area.w, area.h);
    glClearColor(kBackgroundGrey, kBackgroundGrey, kBackgroundGrey, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!texture_) {
        glDisable(GL_SCISSOR_TEST);
        return;
    }
    transform_.update_sizes(texture_.width(), texture_.height(), area.w, area.h);
    const view::ClipTransform clip = transform_.image_to_clip(area.w, area.h);
    const view::PercentileRange range =
        stretch_mode_ == view::StretchMode::Fixed ? view::kFixedRange : smoothed_.current();

    // Dear ImGui leaves blending on after its frame.
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_CULL_FACE);
    texture_.set_linear(linear_filtering);

    glUseProgram(program_.id());
    glUniform2f(program_.uniform("u_image_size"), static_cast<float>(texture_.width()),
                static_cast<float>(texture_.height()));
    glUniform4f(program_.uniform("u_image_to_clip"), clip.scale_x, clip.scale_y, clip.offset_x,
                clip.offset_y);
    glUniform2f(program_.uniform("u_stretch"), static_cast<float>(range.low),
                static_cast<float>(range.high));
    glUniform1f(program_.uniform("u_grid_strength"), pixel_grid ? kGridStrength : 0.0f);
    glUniform1i(program_.uniform("u_image"), 0);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, texture_.id());
    quad_.draw();
    glBindTexture(GL_TEXTURE_2D, 0);
    glUseProgram(0);
    glDisable(GL_SCISSOR_TEST);
}

void ImageView::zoom_at(double factor, double x, double y) {
    transform_.zoom_at(factor, x, y);
}

void ImageView::pan_by(double dx, double dy) {
    transform_.pan_by(dx, dy);
}

void ImageView::fit() {
    transform_.fit(texture_.width(), texture_.height(), area_w_, area_h_);
}

}  // namespace dgnam::live
