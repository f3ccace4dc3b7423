#pragma once
// The explicit bridge from the generator's output space to the classifier's input space: value
// range, mean/std, channel order and count, then a centre crop when the generated image is larger
// than the classifier's input (256 -> 227 in the paper, offset 14).
#include <ATen/Tensor.h>

#include <cstdint>
#include <vector>

#include "dgnam/pixel_space.h"

namespace dgnam {

class ImageBridge {
  public:
    // Shapes are [C, H, W]. Throws dgnam::Error when the generated image is smaller than the
    // classifier's input or the channel counts cannot be bridged.
    ImageBridge(PixelSpace generator_space, std::vector<std::int64_t> generator_shape,
                PixelSpace classifier_space, std::vector<std::int64_t> classifier_shape);

    // [N, Cg, Hg, Wg] generator values -> [N, Cc, Hc, Wc] classifier values; differentiable.
    at::Tensor to_classifier(const at::Tensor& generated) const;
    // Inverse of to_classifier for the cropped region: converts `classifier_crop` back to the
    // generator's space and pastes it into a copy of `generated` ("paste x back into the 256x256
    // image" of the released code). Pixels outside the crop keep their generated values.
    at::Tensor paste_back(const at::Tensor& generated, const at::Tensor& classifier_crop) const;

    std::int64_t crop_top() const { return top_; }
    std::int64_t crop_left() const { return left_; }
    bool converts_values() const { return converts_; }

  private:
    at::Tensor convert(const at::Tensor& generated) const;
    at::Tensor convert_back(const at::Tensor& classifier_values) const;

    PixelSpace from_;
    PixelSpace to_;
    std::int64_t crop_h_ = 0, crop_w_ = 0, top_ = 0, left_ = 0;
    bool converts_ = true;
};

}  // namespace dgnam
