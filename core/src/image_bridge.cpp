#include "dgnam/image_bridge.h"

#include <ATen/ATen.h>

#include "dgnam/error.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace {

bool same_space(const PixelSpace& a, const PixelSpace& b) {
    return a.channels == b.channels && a.order == b.order && a.scale == b.scale &&
           a.mean == b.mean && a.stddev == b.stddev;
}

}  // namespace

ImageBridge::ImageBridge(PixelSpace generator_space, std::vector<std::int64_t> generator_shape,
                         PixelSpace classifier_space, std::vector<std::int64_t> classifier_shape)
    : from_(std::move(generator_space)), to_(std::move(classifier_space)) {
    if (generator_shape.size() != 3 || classifier_shape.size() != 3)
        throw Error("image bridge: shapes must be [C, H, W]");
    if (generator_shape[1] < classifier_shape[1] || generator_shape[2] < classifier_shape[2])
        throw Error("image bridge: the generator's image (" + joined_sizes(generator_shape) +
                    ") is smaller than the classifier's input (" + joined_sizes(classifier_shape) +
                    "); pick a generator whose output covers the classifier's input");
    if (generator_shape[0] != from_.channels || classifier_shape[0] != to_.channels)
        throw Error("image bridge: channel counts of the shapes and the pixel spaces differ");
    crop_h_ = classifier_shape[1];
    crop_w_ = classifier_shape[2];
    // Floor of the centred offset: 14 for 256 -> 227 and 16 for 256 -> 224, as in the paper.
    top_ = (generator_shape[1] - crop_h_) / 2;
    left_ = (generator_shape[2] - crop_w_) / 2;
    converts_ = !same_space(from_, to_);
}

at::Tensor ImageBridge::convert(const at::Tensor& generated) const {
    if (!converts_)
        return generated;
    auto unit = from_.to_unit(generated);
    if (from_.channels == 1 && to_.channels == 3)
        unit = unit.expand({-1, 3, -1, -1});
    if (from_.channels == 3 && to_.channels == 1)
        unit = unit.mean(1, /*keepdim=*/true);
    return to_.from_unit(unit);
}

at::Tensor ImageBridge::convert_back(const at::Tensor& classifier_values) const {
    if (!converts_)
        return classifier_values;
    auto unit = to_.to_unit(classifier_values);
    if (to_.channels == 3 && from_.channels == 1)
        unit = unit.mean(1, /*keepdim=*/true);
    if (to_.channels == 1 && from_.channels == 3)
        unit = unit.expand({-1, 3, -1, -1});
    return from_.from_unit(unit);
}

at::Tensor ImageBridge::to_classifier(const at::Tensor& generated) const {
    auto cropped = generated.narrow(2, top_, crop_h_).narrow(3, left_, crop_w_);
    return convert(cropped);
}

at::Tensor ImageBridge::paste_back(const at::Tensor& generated,
                                   const at::Tensor& classifier_crop) const {
    auto pasted = generated.clone();
    pasted.narrow(2, top_, crop_h_).narrow(3, left_, crop_w_).copy_(convert_back(classifier_crop));
    return pasted;
}

}  // namespace dgnam
