#include "dgnam/top_images.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dgnam/error.h"

namespace dgnam {
namespace {

struct Candidate {
    double value;  // objective value, the larger the better
    std::int64_t index;
};

// Larger value first, then lower index; NaN after every number (a strict weak order).
bool ranks_before(const Candidate& a, const Candidate& b) {
    const bool a_nan = std::isnan(a.value), b_nan = std::isnan(b.value);
    if (a_nan != b_nan)
        return b_nan;
    if (!a_nan && a.value != b.value)
        return a.value > b.value;
    return a.index < b.index;
}

std::string size_text(std::int64_t h, std::int64_t w) {
    return std::to_string(h) + "x" + std::to_string(w);
}

void check_images(const at::Tensor& images, const char* what) {
    if (!images.defined() || images.dim() != 4 || images.scalar_type() != at::kByte)
        throw Error(std::string(what) + ": the images must be a [N, C, H, W] uint8 tensor");
}

}  // namespace

std::vector<TopImage> top_activating_images(const Classifier& classifier, const std::string& layer,
                                            std::int64_t unit, const Objective& objective,
                                            const LabelledImages& data, int k, int batch_size,
                                            const std::function<bool(double)>& progress) {
    const std::string& layer_name = layer.empty() ? classifier.output_layer() : layer;
    validate_objective(classifier.layer(layer_name), {unit}, objective);
    if (k < 1)
        throw Error("top images: k is " + std::to_string(k) + "; ask for at least 1 image");
    if (batch_size < 1)
        throw Error("top images: batch size is " + std::to_string(batch_size) +
                    "; it must be at least 1");
    check_images(data.images, "top images");
    const auto& in = classifier.input().shape;  // [C, H, W]
    const std::int64_t n = data.images.size(0);
    if (data.images.size(1) != in.at(0))
        throw Error("classifier \"" + classifier.id() + "\" takes " + std::to_string(in.at(0)) +
                    "-channel images; these have " + std::to_string(data.images.size(1)) +
                    " channels");
    if (data.images.size(2) != in.at(1) || data.images.size(3) != in.at(2))
        throw Error("classifier \"" + classifier.id() + "\" takes " +
                    size_text(in.at(1), in.at(2)) + " images; these are " +
                    size_text(data.images.size(2), data.images.size(3)) +
                    " (resizing is not supported)");
    if (!data.labels.defined() || data.labels.dim() != 1 || data.labels.size(0) != n)
        throw Error("top images: the labels must be a [N] tensor with one label per image (" +
                    std::to_string(n) + ")");
    const auto labels = data.labels.to(at::kCPU).to(at::kLong).contiguous();

    at::NoGradGuard no_grad;
    const PixelSpace& space = classifier.input().space;
    std::vector<Candidate> best;
    best.reserve(static_cast<std::size_t>(k) + static_cast<std::size_t>(batch_size));
    for (std::int64_t start = 0; start < n; start += batch_size) {
        const std::int64_t end = std::min(n, start + batch_size);
        const auto batch = space.from_unit(data.images.slice(0, start, end).to(at::kFloat) / 255.0);
        const auto output = classifier.forward_to(batch, layer_name);
        const std::vector<std::int64_t> units(static_cast<std::size_t>(end - start), unit);
        const auto values =
            objective_values(output, units, objective).to(at::kCPU).to(at::kDouble).contiguous();
        const double* v = values.data_ptr<double>();
        for (std::int64_t i = 0; i < end - start; ++i)
            best.push_back({v[i], start + i});
        if (best.size() > static_cast<std::size_t>(k)) {
            std::partial_sort(best.begin(), best.begin() + k, best.end(), ranks_before);
            best.resize(static_cast<std::size_t>(k));
        }
        if (progress && !progress(static_cast<double>(end) / static_cast<double>(n)))
            break;
    }
    std::sort(best.begin(), best.end(), ranks_before);

    const auto* label = labels.data_ptr<std::int64_t>();
    std::vector<TopImage> top;
    top.reserve(best.size());
    for (const auto& c : best)
        top.push_back({c.index, objective.negate ? -c.value : c.value, label[c.index]});
    return top;
}

Image8 labelled_image_to_rgb8(const LabelledImages& data, std::int64_t index) {
    check_images(data.images, "image to RGB");
    const std::int64_t n = data.images.size(0);
    if (index < 0 || index >= n)
        throw Error("image " + std::to_string(index) + " is outside the data set of " +
                    std::to_string(n) + " images");
    const std::int64_t channels = data.images.size(1);
    if (channels != 1 && channels != 3)
        throw Error("image to RGB: images of " + std::to_string(channels) +
                    " channels cannot be shown; expected 1 (grey) or 3 (RGB)");
    auto image = data.images[index].to(at::kCPU);
    if (channels == 1)
        image = image.expand({3, -1, -1});
    const auto bytes = image.permute({1, 2, 0}).contiguous();
    Image8 out(static_cast<int>(image.size(2)), static_cast<int>(image.size(1)));
    std::memcpy(out.rgb.data(), bytes.data_ptr<std::uint8_t>(), out.rgb.size());
    return out;
}

}  // namespace dgnam
