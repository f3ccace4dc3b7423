#include "dgnam/judge.h"

#include <ATen/ATen.h>

#include "dgnam/error.h"

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
    auto rgb = at::from_blob(const_cast<std::uint8_t*>(image.rgb.data()),
                             {image.height, image.width, 3}, at::kByte)
                   .permute({2, 0, 1})
                   .to(at::kFloat)
                   .div(255.0)
                   .unsqueeze(0);
    auto unit = shape[0] == 1 ? rgb.mean(1, /*keepdim=*/true) : rgb;
    const auto top = (image.height - shape[1]) / 2, left = (image.width - shape[2]) / 2;
    unit = unit.narrow(2, top, shape[1]).narrow(3, left, shape[2]);
    auto device_input = judge.input().space.from_unit(unit).to(device);
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
    for (const auto& c : pack.classifiers)
        if (c->id() != made_for.id() && c->layer(c->output_layer()).units() == classes)
            return c.get();
    return nullptr;
}

}  // namespace dgnam
