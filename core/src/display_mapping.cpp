#include "dgnam/display_mapping.h"

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <cstring>

#include "dgnam/error.h"

namespace dgnam {

Image8 unit_tensor_to_rgb8(const at::Tensor& unit_rgb) {
    auto t = unit_rgb.detach().to(at::kCPU).to(at::kFloat);
    if (t.size(0) == 1)
        t = t.expand({3, -1, -1});
    auto bytes = (t.clamp(0.0, 1.0) * 255.0).round().to(at::kByte).permute({1, 2, 0}).contiguous();
    Image8 image(static_cast<int>(t.size(2)), static_cast<int>(t.size(1)));
    std::memcpy(image.rgb.data(), bytes.data_ptr<std::uint8_t>(), image.rgb.size());
    return image;
}

Image8 DisplayMapping::to_rgb8(const at::Tensor& image, const PixelSpace& space) const {
    auto batch = image.detach().to(at::kCPU).to(at::kFloat).unsqueeze(0);
    at::Tensor unit;
    if (mode == Mode::Space) {
        unit = space.to_unit(batch);
    } else {
        auto rgb =
            (space.order == ChannelOrder::BGR && batch.size(1) == 3) ? batch.flip({1}) : batch;
        unit = (rgb - low) / (high - low);
    }
    // NaN would turn into an arbitrary byte; show it as black instead.
    unit = at::nan_to_num(unit, 0.0, 1.0, 0.0);
    return unit_tensor_to_rgb8(unit[0]);
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
