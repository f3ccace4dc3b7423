#pragma once
// Every knob of the two activation-maximisation methods, with the released code's defaults.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>

namespace dgnam {

enum class Method { Dgn, Pixel };

struct OptimizerParams {
    double lr_start = 8.0;
    double lr_end = 1e-10;
    int iterations = 200;
    double l2 = 0.99;         // multiplicative decay per step; applied only when 0 < l2 < 1
    double clip_scale = 1.0;  // DGN: multiplies the code bounds
    std::uint64_t seed = 0;
    // Pixel-space regularisers (no effect on DGN-AM, which uses none).
    int jitter = 0;           // random shift of up to this many pixels per step
    double blur_sigma = 0.0;  // Gaussian blur of the image every blur_every steps; 0 = off
    int blur_every = 4;

    // lr_i = lr_start + (lr_end - lr_start) * i / n, for iteration i of n.
    double step_size(int iteration) const;
    // Throws dgnam::Error naming the first value out of range.
    void validate() const;
    nlohmann::json to_json() const;
};

const char* to_string(Method method);
Method method_from_string(const std::string& text);

}  // namespace dgnam
