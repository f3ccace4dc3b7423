#include "dgnam/judge.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "dgnam/error.h"
#include "dgnam/image_input.h"

namespace dgnam {

Verdict judge_image(const Classifier& judge, const Image8& image, std::int64_t target,
                    const c10::Device& device) {
    const auto& shape = judge.input().shape;
    if (image.height < shape[1] || image.width < shape[2])
        throw Error("an image of " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " is smaller than classifier \"" + judge.id() +
                    "\"'s input");
    const auto& output = judge.layer(judge.output_layer());
    if (target < 0 || target >= output.units())
        throw Error("class " + std::to_string(target) + " is not an output of classifier \"" +
                    judge.id() + "\"");
    at::NoGradGuard no_grad;
    auto device_input = image_to_input(judge.input(), image, ImageFit::CentreCrop).to(device);
    auto logits = judge.forward_to(device_input, judge.output_layer());
    auto probabilities = at::softmax(logits, 1)[0].to(at::kCPU).to(at::kDouble);
    Verdict v;
    v.predicted = probabilities.argmax().item<std::int64_t>();
    v.predicted_probability = probabilities[v.predicted].item<double>();
    v.target_probability = probabilities[target].item<double>();
    return v;
}

const Classifier* find_judge(const ModelPack& pack, const std::string& classifier_id,
                             const std::string& layer) {
    const Classifier& made_for = pack.classifier(classifier_id);
    if (layer != made_for.output_layer())
        return nullptr;
    const auto classes = made_for.layer(made_for.output_layer()).units();
    auto same_classes = [&](const Classifier& c) {
        return c.id() != made_for.id() && c.layer(c.output_layer()).units() == classes;
    };
    if (!pack.realism_judge.empty() && same_classes(pack.classifier(pack.realism_judge)))
        return &pack.classifier(pack.realism_judge);
    for (const auto& c : pack.classifiers)
        if (same_classes(*c))
            return c.get();
    return nullptr;
}

}  // namespace dgnam
