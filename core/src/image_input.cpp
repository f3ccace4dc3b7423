#include "dgnam/image_input.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <cmath>

#include "dgnam/error.h"

namespace dgnam {

at::Tensor image_to_input(const ImageSpec& spec, const Image8& image, ImageFit fit) {
    if (image.empty() || image.rgb.size() != std::size_t(image.width) * image.height * 3)
        throw Error("the image is empty or its pixel data does not match its size");
    const std::int64_t channels = spec.shape[0], height = spec.shape[1], width = spec.shape[2];
    at::NoGradGuard no_grad;
    auto rgb = at::from_blob(const_cast<std::uint8_t*>(image.rgb.data()),
                             {image.height, image.width, 3}, at::kByte)
                   .permute({2, 0, 1})
                   .to(at::kFloat)
                   .div(255.0)
                   .unsqueeze(0);
    auto unit = channels == 1 ? rgb.mean(1, /*keepdim=*/true) : rgb;
    if (fit == ImageFit::ResizeThenCrop && (image.height != height || image.width != width)) {
        const double scale = std::max(double(height) / image.height, double(width) / image.width);
        const std::int64_t h = std::max<std::int64_t>(height, std::lround(image.height * scale));
        const std::int64_t w = std::max<std::int64_t>(width, std::lround(image.width * scale));
        unit = scale < 1.0 ? at::adaptive_avg_pool2d(unit, {h, w})
                           : at::upsample_bilinear2d(unit, {h, w}, /*align_corners=*/false);
    }
    if (unit.size(2) < height || unit.size(3) < width)
        throw Error("an image of " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " is smaller than the classifier's input of " +
                    std::to_string(width) + "x" + std::to_string(height));
    const auto top = (unit.size(2) - height) / 2, left = (unit.size(3) - width) / 2;
    unit = unit.narrow(2, top, height).narrow(3, left, width).contiguous();
    return spec.space.from_unit(unit);
}

}  // namespace dgnam
