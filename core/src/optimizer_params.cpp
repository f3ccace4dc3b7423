#include "dgnam/optimizer_params.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "dgnam/error.h"

namespace dgnam {

double OptimizerParams::step_size(int iteration) const {
    return lr_start + (lr_end - lr_start) * static_cast<double>(iteration) / iterations;
}

void OptimizerParams::validate() const {
    auto finite = [](const char* name, double v) {
        if (!std::isfinite(v))
            throw Error(std::string(name) + " is " + std::to_string(v) + "; it must be finite");
    };
    finite("learning rate start", lr_start);
    finite("learning rate end", lr_end);
    finite("L2 decay", l2);
    finite("clip scale", clip_scale);
    finite("blur sigma", blur_sigma);
    if (iterations < 1 || iterations > 1000000)
        throw Error("iterations is " + std::to_string(iterations) + "; use 1 to 1000000");
    if (l2 < 0 || l2 > 1)
        throw Error("L2 decay is " + std::to_string(l2) + "; use a factor in [0, 1] (1 = off)");
    if (clip_scale <= 0)
        throw Error("clip scale is " + std::to_string(clip_scale) + "; it must be positive");
    if (jitter < 0 || jitter > 64)
        throw Error("jitter is " + std::to_string(jitter) + "; use 0 to 64 pixels");
    if (blur_sigma < 0)
        throw Error("blur sigma must not be negative");
    if (blur_every < 1)
        throw Error("blur every must be at least 1 step");
}

nlohmann::json OptimizerParams::to_json() const {
    return {{"lr_start", lr_start},     {"lr_end", lr_end},
            {"iterations", iterations}, {"l2", l2},
            {"clip_scale", clip_scale}, {"seed", seed},
            {"jitter", jitter},         {"blur_sigma", blur_sigma},
            {"blur_every", blur_every}};
}

const char* to_string(Method method) {
    return method == Method::Dgn ? "dgn" : "pixel";
}

Method method_from_string(const std::string& text) {
    if (text == "dgn")
        return Method::Dgn;
    if (text == "pixel")
        return Method::Pixel;
    throw Error("unknown method \"" + text + "\"; use dgn or pixel");
}

}  // namespace dgnam
