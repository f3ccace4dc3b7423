#pragma once
// A second classifier's verdict on an image as it is shown and exported (8-bit RGB): the pack's
// built-in realism check. An image that only fools the network it was made for is adversarial;
// one that another network also recognises looks like the class.
#include <cstdint>
#include <vector>

#include <c10/core/Device.h>

#include "dgnam/classifier.h"
#include "dgnam/image.h"
#include "dgnam/model_pack.h"

namespace dgnam {

struct Verdict {
    std::int64_t predicted = -1;
    double predicted_probability = 0.0;
    double target_probability = 0.0;
};

// The image is converted to the judge's channels (grey = mean of RGB), centre-cropped to its
// input size and normalised into its input space. Throws dgnam::Error when the image is smaller
// than the judge's input or the target is not one of its output units.
// `device` is where the judge's weights are.
Verdict judge_image(const Classifier& judge, const Image8& image, std::int64_t target,
                    const c10::Device& device = c10::Device(c10::kCPU));

// The pack's realism check for images made for `layer` of classifier `classifier_id`, when
// `layer` is the output layer: the pack's realism judge (manifest "realism_judge") unless the
// images were made for it, else another classifier with as many output units; else null.
const Classifier* find_judge(const ModelPack& pack, const std::string& classifier_id,
                             const std::string& layer);

}  // namespace dgnam
