#include "live_layout.h"

#include <algorithm>

namespace dgnam::live {
namespace {
constexpr float kLeftWidth = 290.0f;    // room for "unit  long label" lines
constexpr float kRightWidth = 350.0f;   // room for the sliders with their labels
constexpr float kStripHeight = 112.0f;  // one row of 64-pixel thumbnails with a caption
}  // namespace

LiveLayout compute_layout(float width, float height) {
    width = std::max(width, 0.0f);
    height = std::max(height, 0.0f);
    // On a narrow window the side panels shrink together so that the image keeps a third.
    const float sides = std::min(kLeftWidth + kRightWidth, width * 2.0f / 3.0f);
    const float left_w = sides * kLeftWidth / (kLeftWidth + kRightWidth);
    const float right_w = sides - left_w;
    const float middle_w = width - sides;
    const float strip_h = std::min(kStripHeight, height / 3.0f);

    LiveLayout layout;
    layout.left = {0.0f, 0.0f, left_w, height};
    layout.right = {width - right_w, 0.0f, right_w, height};
    layout.viewport = {left_w, 0.0f, middle_w, height - strip_h};
    layout.strip = {left_w, height - strip_h, middle_w, strip_h};
    return layout;
}

}  // namespace dgnam::live
