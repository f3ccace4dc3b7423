#pragma once
// An 8-bit RGB picture as a classifier's input: channels (grey = mean of RGB), size, value space.
#include <ATen/Tensor.h>

#include "dgnam/classifier.h"
#include "dgnam/image.h"

namespace dgnam {

enum class ImageFit {
    // Cut the centre out; the image must be at least the input's size. What the bridge does
    // with a generator's image, so a judge sees exactly what the optimised classifier saw.
    CentreCrop,
    // Scale so the shorter side matches the input (area averaging when shrinking, bilinear when
    // enlarging), then cut the centre: any photo or drawing a user brings.
    ResizeThenCrop,
};

// Returns [1, C, H, W] float on the CPU in spec.space. Throws dgnam::Error for an empty image, or
// one smaller than the input with CentreCrop.
at::Tensor image_to_input(const ImageSpec& spec, const Image8& image, ImageFit fit);

}  // namespace dgnam
