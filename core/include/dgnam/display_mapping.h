#pragma once
// How stored image values become 8-bit RGB for the screen and for PNG files.
#include <ATen/Tensor.h>
#include <nlohmann/json_fwd.hpp>

#include <string>

#include "dgnam/image.h"
#include "dgnam/pixel_space.h"

namespace dgnam {

struct DisplayMapping {
    // Space: invert the pixel space to [0, 1] and clamp. Range: reorder to RGB, map the raw
    // values [low, high] to [0, 1] and clamp; the paper saved fc6 images with [-120, 120]
    // without adding the mean back.
    enum class Mode { Space, Range };
    Mode mode = Mode::Space;
    double low = 0.0;
    double high = 1.0;

    // image: [C, H, W] (any device) in `space`; grey is replicated into RGB.
    Image8 to_rgb8(const at::Tensor& image, const PixelSpace& space) const;
    // The same into `out`, whose buffer is reused when it already has the image's size. `image`
    // must be a contiguous float [C, H, W] tensor on the CPU.
    void write_rgb8(const at::Tensor& image, const PixelSpace& space, Image8& out) const;

    static DisplayMapping from_json(const nlohmann::json& j, const std::string& where);
    nlohmann::json to_json() const;
};

}  // namespace dgnam
