#include "dgnam/display_mapping.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "dgnam/error.h"

namespace dgnam {

namespace {

// Output channel k (R, G, B) = (stored[source[k]] * multiply[k] + add[k]) / divide, in float as
// the tensor arithmetic of PixelSpace::to_unit computes it; grey feeds all three.
struct ChannelMap {
    int source[3] = {0, 1, 2};
    float multiply[3] = {1.0f, 1.0f, 1.0f};
    float add[3] = {0.0f, 0.0f, 0.0f};
    float divide = 1.0f;
};

ChannelMap channel_map(const DisplayMapping& display, const PixelSpace& space, int channels) {
    ChannelMap m;
    const bool swap = space.order == ChannelOrder::BGR && channels == 3;
    for (int k = 0; k < 3; ++k) {
        const int c = channels == 1 ? 0 : (swap ? 2 - k : k);
        m.source[k] = c;
        if (display.mode == DisplayMapping::Mode::Space) {
            const auto at_channel = [&](const std::vector<double>& v, double fallback) {
                return static_cast<float>(static_cast<std::size_t>(c) < v.size() ? v[c] : fallback);
            };
            m.multiply[k] = at_channel(space.stddev, 1.0);
            m.add[k] = at_channel(space.mean, 0.0);
        } else {
            m.add[k] = static_cast<float>(-display.low);
        }
    }
    m.divide = static_cast<float>(
        display.mode == DisplayMapping::Mode::Space ? space.scale : display.high - display.low);
    return m;
}

std::uint8_t unit_to_byte(float unit) {
    // NaN would turn into an arbitrary byte; show it as black (and infinities as the ends).
    if (std::isnan(unit))
        unit = 0.0f;
    unit = std::min(std::max(unit, 0.0f), 1.0f);
    return static_cast<std::uint8_t>(std::nearbyint(unit * 255.0f));
}

}  // namespace

Image8 DisplayMapping::to_rgb8(const at::Tensor& image, const PixelSpace& space) const {
    Image8 out;
    write_rgb8(image.detach().to(at::kCPU).to(at::kFloat).contiguous(), space, out);
    return out;
}

void DisplayMapping::write_rgb8(const at::Tensor& image, const PixelSpace& space,
                                Image8& out) const {
    const int channels = static_cast<int>(image.size(0));
    const int height = static_cast<int>(image.size(1));
    const int width = static_cast<int>(image.size(2));
    if (out.width != width || out.height != height ||
        out.rgb.size() != static_cast<std::size_t>(width) * height * 3)
        out = Image8(width, height);
    const ChannelMap m = channel_map(*this, space, channels);
    const float* data = image.data_ptr<float>();
    const std::size_t plane = static_cast<std::size_t>(width) * height;
    std::uint8_t* rgb = out.rgb.data();
    for (std::size_t i = 0; i < plane; ++i)
        for (int k = 0; k < 3; ++k) {
            const float stored = data[static_cast<std::size_t>(m.source[k]) * plane + i];
            rgb[i * 3 + k] = unit_to_byte((stored * m.multiply[k] + m.add[k]) / m.divide);
        }
}

DisplayMapping DisplayMapping::from_json(const nlohmann::json& j, const std::string& where) {
    DisplayMapping m;
    if (j.is_null())
        return m;
    if (!j.is_object())
        throw Error(where + ": \"display\" must be an object");
    const auto mode = j.value("mode", std::string("space"));
    if (mode == "space")
        return m;
    if (mode != "range")
        throw Error(where + ": display mode \"" + mode + "\" is unknown; use space or range");
    m.mode = Mode::Range;
    if (!j.contains("low") || !j.contains("high") || !j["low"].is_number() ||
        !j["high"].is_number())
        throw Error(where + ": display range needs numbers \"low\" and \"high\"");
    m.low = j["low"].get<double>();
    m.high = j["high"].get<double>();
    if (!(m.high > m.low))
        throw Error(where + ": display range needs high > low");
    return m;
}

nlohmann::json DisplayMapping::to_json() const {
    if (mode == Mode::Space)
        return {{"mode", "space"}};
    return {{"mode", "range"}, {"low", low}, {"high", high}};
}

}  // namespace dgnam
