#pragma once
// Where the panels and the image go in the single window, in ImGui's display coordinates
// (window pixels, origin top-left). Toolkit-free so that the render tests can find the image.

namespace dgnam::live {

struct Rect {
    float x = 0.0f;
    float y = 0.0f;
    float w = 0.0f;
    float h = 0.0f;
};

struct LiveLayout {
    Rect left;      // pack, network, layer and unit pickers
    Rect right;     // parameters, plot, export
    Rect viewport;  // the image, drawn with the shared shaders
    Rect strip;     // thumbnails of the finished units, under the image
};

// Fixed-width side panels, the strip at the bottom of the middle column, the image above it.
// Sizes never go negative on a tiny window.
LiveLayout compute_layout(float width, float height);

}  // namespace dgnam::live
