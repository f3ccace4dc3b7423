#include "dgnam/network_models.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "dgnam/error.h"
#include "dgnam/shape_text.h"

namespace dgnam {

const LayerInfo& Classifier::layer(const std::string& name) const {
    for (const auto& l : layers())
        if (l.name == name)
            return l;
    std::string known;
    for (const auto& l : layers())
        known += (known.empty() ? "" : ", ") + l.name;
    throw Error("unknown layer \"" + name + "\" in classifier \"" + id() +
                "\"; its layers are: " + known);
}

std::string Classifier::label_of(const std::string& layer, std::int64_t unit) const {
    if (layer != output_layer() || unit < 0 || unit >= static_cast<std::int64_t>(labels().size()))
        return {};
    return labels()[unit];
}

NetworkClassifier::NetworkClassifier(std::string id, std::string name, SequentialNet net,
                                     ImageSpec input, std::string output_layer,
                                     std::vector<std::string> labels)
    : NetworkClassifier(std::move(id), std::move(name),
                        std::make_unique<SequentialNet>(std::move(net)), std::move(input),
                        std::move(output_layer), std::move(labels)) {}

NetworkClassifier::NetworkClassifier(std::string id, std::string name,
                                     std::unique_ptr<LayeredNetwork> net, ImageSpec input,
                                     std::string output_layer, std::vector<std::string> labels)
    : id_(std::move(id)),
      name_(std::move(name)),
      net_(std::move(net)),
      input_(std::move(input)),
      output_layer_(std::move(output_layer)),
      labels_(std::move(labels)) {
    const auto& all = net_->layers();
    if (std::none_of(all.begin(), all.end(),
                     [&](const LayerInfo& l) { return l.name == output_layer_; }))
        throw Error("classifier \"" + id_ + "\": output layer \"" + output_layer_ +
                    "\" is not one of its layers");
    const auto& out = layer(output_layer_);
    if (!labels_.empty() && static_cast<std::int64_t>(labels_.size()) != out.units())
        throw Error("classifier \"" + id_ + "\": " + std::to_string(labels_.size()) +
                    " labels for an output layer of " + std::to_string(out.units()) + " units");
}

at::Tensor NetworkClassifier::forward_to(const at::Tensor& input, const std::string& layer) const {
    this->layer(layer);  // throws naming the classifier and its layers when absent
    return net_->forward_to(input, layer);
}

CodeBounds CodeBounds::scaled(double scale, const at::Device& device) const {
    return {(lower * scale).to(device), (upper * scale).to(device), method};
}

NetworkGenerator::NetworkGenerator(SequentialNet net, ImageSpec output, CodeBounds bounds)
    : NetworkGenerator(std::make_unique<SequentialNet>(std::move(net)), std::move(output),
                       std::move(bounds)) {}

NetworkGenerator::NetworkGenerator(std::unique_ptr<LayeredNetwork> net, ImageSpec output,
                                   CodeBounds bounds)
    : net_(std::move(net)), output_(std::move(output)), bounds_(std::move(bounds)) {
    if (net_->input_shape().size() != 1)
        throw Error("generator: its input must be a code vector [D]");
    const auto& produced = net_->layers().back().shape;
    if (produced != output_.shape) {
        throw Error("generator: the network produces images of shape " + shape_text(produced) +
                    " but its description declares " + shape_text(output_.shape));
    }
    const auto d = code_size();
    for (const at::Tensor* t : {&bounds_.lower, &bounds_.upper})
        if (!t->defined() || t->dim() != 1 || t->size(0) != d)
            throw Error("generator: code bounds must have " + std::to_string(d) + " entries");
    bounds_.lower = bounds_.lower.to(at::kFloat).contiguous();
    bounds_.upper = bounds_.upper.to(at::kFloat).contiguous();
    if ((bounds_.lower > bounds_.upper).any().item<bool>())
        throw Error("generator: a code unit's lower bound exceeds its upper bound");
}

}  // namespace dgnam
