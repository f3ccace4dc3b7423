#include "dgnam/pixel_space.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "dgnam/error.h"

namespace dgnam {
namespace {

at::Tensor per_channel(const std::vector<double>& values, const at::Tensor& like) {
    std::vector<float> f(values.begin(), values.end());
    return at::tensor(f, like.options().dtype(at::kFloat)).view({1, -1, 1, 1});
}

at::Tensor swap_rgb_bgr(const at::Tensor& t) {
    if (t.size(1) != 3)
        return t;
    return t.flip({1});
}

}  // namespace

at::Tensor PixelSpace::to_unit(const at::Tensor& stored) const {
    auto unit = (stored * per_channel(stddev, stored) + per_channel(mean, stored)) / scale;
    return order == ChannelOrder::BGR ? swap_rgb_bgr(unit) : unit;
}

at::Tensor PixelSpace::from_unit(const at::Tensor& unit) const {
    auto ordered = order == ChannelOrder::BGR ? swap_rgb_bgr(unit) : unit;
    return (ordered * scale - per_channel(mean, ordered)) / per_channel(stddev, ordered);
}

double PixelSpace::stored_per_grey_level() const {
    double sum = 0.0;
    for (double s : stddev)
        sum += scale / (255.0 * s);
    return sum / static_cast<double>(stddev.size());
}

PixelSpace PixelSpace::caffe_imagenet() {
    PixelSpace s;
    s.channels = 3;
    s.order = ChannelOrder::BGR;
    s.scale = 255.0;
    s.mean = {104.0, 117.0, 123.0};
    s.stddev = {1.0, 1.0, 1.0};
    return s;
}

PixelSpace PixelSpace::torchvision_imagenet() {
    PixelSpace s;
    s.channels = 3;
    s.order = ChannelOrder::RGB;
    s.scale = 1.0;
    s.mean = {0.485, 0.456, 0.406};
    s.stddev = {0.229, 0.224, 0.225};
    return s;
}

PixelSpace PixelSpace::from_json(const nlohmann::json& j, const std::string& where) {
    auto fail = [&](const std::string& what) { throw Error(where + ": pixel space " + what); };
    if (!j.is_object())
        fail("must be an object");
    PixelSpace s;
    const std::string channels = j.value("channels", std::string("rgb"));
    if (channels == "rgb") {
        s.channels = 3;
        s.order = ChannelOrder::RGB;
    } else if (channels == "bgr") {
        s.channels = 3;
        s.order = ChannelOrder::BGR;
    } else if (channels == "grey" || channels == "gray") {
        s.channels = 1;
    } else {
        fail("\"channels\" is \"" + channels + "\"; expected \"rgb\", \"bgr\" or \"grey\"");
    }
    s.scale = j.value("scale", 1.0);
    if (!std::isfinite(s.scale) || s.scale <= 0)
        fail("\"scale\" must be a positive number");
    auto read_list = [&](const char* key, double fallback) {
        if (!j.contains(key))
            return std::vector<double>(s.channels, fallback);
        const auto& a = j.at(key);
        if (!a.is_array() || static_cast<int>(a.size()) != s.channels)
            fail(std::string("\"") + key + "\" must list " + std::to_string(s.channels) +
                 " numbers");
        std::vector<double> out;
        for (const auto& v : a) {
            if (!v.is_number() || !std::isfinite(v.get<double>()))
                fail(std::string("\"") + key + "\" holds a value that is not a finite number");
            out.push_back(v.get<double>());
        }
        return out;
    };
    s.mean = read_list("mean", 0.0);
    s.stddev = read_list("std", 1.0);
    for (double v : s.stddev)
        if (v <= 0)
            fail("\"std\" values must be positive");
    return s;
}

nlohmann::json PixelSpace::to_json() const {
    return {{"channels", channels == 1 ? "grey" : (order == ChannelOrder::BGR ? "bgr" : "rgb")},
            {"scale", scale},
            {"mean", mean},
            {"std", stddev}};
}

}  // namespace dgnam
