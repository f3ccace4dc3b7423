#pragma once
// An 8-bit RGB picture as the core hands it to front ends and exporters.
#include <cstdint>
#include <vector>

namespace dgnam {

struct Image8 {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgb;  // row-major, width * height * 3 bytes

    Image8() = default;
    Image8(int w, int h) : width(w), height(h), rgb(static_cast<std::size_t>(w) * h * 3, 0) {}
    bool empty() const { return width <= 0 || height <= 0; }
    std::uint8_t* pixel(int x, int y) {
        return &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
    }
    const std::uint8_t* pixel(int x, int y) const {
        return &rgb[(static_cast<std::size_t>(y) * width + x) * 3];
    }
    bool operator==(const Image8& o) const {
        return width == o.width && height == o.height && rgb == o.rgb;
    }
};

}  // namespace dgnam
