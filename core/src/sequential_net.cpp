#include "dgnam/sequential_net.h"

#include <ATen/ATen.h>

#include <optional>
#include <set>

#include "dgnam/error.h"

namespace dgnam {
namespace {

std::string shape_text(at::IntArrayRef s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

// Reads layer parameters with messages that name the layer and the file.
class ParamReader {
public:
    ParamReader(const nlohmann::json& params, std::string where)
        : params_(params), where_(std::move(where)) {}

    [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }

    std::int64_t integer(const char* key, std::optional<std::int64_t> fallback,
                         std::int64_t min_value) const {
        if (!params_.contains(key)) {
            if (!fallback) fail(std::string("missing parameter \"") + key + "\"");
            return *fallback;
        }
        const auto& v = params_.at(key);
        if (!v.is_number_integer()) fail(std::string("\"") + key + "\" must be an integer");
        const auto value = v.get<std::int64_t>();
        if (value < min_value || value > (1 << 20))
            fail(std::string("\"") + key + "\" is " + std::to_string(value) + "; expected " +
                 std::to_string(min_value) + " to " + std::to_string(1 << 20));
        return value;
    }

    // An integer or a pair [h, w].
    std::vector<std::int64_t> pair(const char* key, std::optional<std::int64_t> fallback,
                                   std::int64_t min_value) const {
        if (params_.contains(key) && params_.at(key).is_array()) {
            const auto& a = params_.at(key);
            if (a.size() != 2 || !a[0].is_number_integer() || !a[1].is_number_integer())
                fail(std::string("\"") + key + "\" must be an integer or a pair of integers");
            std::vector<std::int64_t> out{a[0].get<std::int64_t>(), a[1].get<std::int64_t>()};
            for (auto v : out)
                if (v < min_value || v > (1 << 20))
                    fail(std::string("\"") + key + "\" holds " + std::to_string(v));
            return out;
        }
        const auto v = integer(key, fallback, min_value);
        return {v, v};
    }

    double number(const char* key, double fallback) const {
        if (!params_.contains(key)) return fallback;
        const auto& v = params_.at(key);
        if (!v.is_number()) fail(std::string("\"") + key + "\" must be a number");
        return v.get<double>();
    }

    bool flag(const char* key, bool fallback) const {
        if (!params_.contains(key)) return fallback;
        const auto& v = params_.at(key);
        if (!v.is_boolean()) fail(std::string("\"") + key + "\" must be true or false");
        return v.get<bool>();
    }

private:
    const nlohmann::json& params_;
    std::string where_;
};

const std::set<std::string>& known_types() {
    static const std::set<std::string> types = {
        "conv2d",  "conv_transpose2d", "linear",  "relu",    "leaky_relu",   "tanh",
        "sigmoid", "max_pool",         "avg_pool", "flatten", "reshape",      "batch_norm",
        "dropout", "softmax",          "global_avg_pool"};
    return types;
}

}  // namespace

std::vector<std::string> SequentialNet::supported_types() {
    return {known_types().begin(), known_types().end()};
}

SequentialNet::SequentialNet(const nlohmann::json& layers, std::vector<std::int64_t> input_shape,
                             const TensorMap& weights, const std::string& source)
    : input_shape_(std::move(input_shape)) {
    if (!layers.is_array() || layers.empty())
        throw Error(source + ": \"layers\" must be a non-empty array");
    std::set<std::string> used;
    std::set<std::string> names;
    at::NoGradGuard no_grad;
    std::vector<std::int64_t> batch_shape{1};
    batch_shape.insert(batch_shape.end(), input_shape_.begin(), input_shape_.end());
    at::Tensor probe = at::zeros(batch_shape);

    for (std::size_t index = 0; index < layers.size(); ++index) {
        const auto& spec = layers[index];
        if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string() ||
            !spec.contains("type") || !spec["type"].is_string())
            throw Error(source + ": layer " + std::to_string(index) +
                        " needs string fields \"name\" and \"type\"");
        Layer layer;
        layer.name = spec["name"].get<std::string>();
        layer.type = spec["type"].get<std::string>();
        layer.params = spec;
        const std::string where = source + ": layer \"" + layer.name + "\"";
        if (!names.insert(layer.name).second) throw Error(where + " is defined twice");
        if (!known_types().count(layer.type)) {
            std::string list;
            for (const auto& t : known_types()) list += (list.empty() ? "" : ", ") + t;
            throw Error(where + " has unsupported type \"" + layer.type + "\" (supported: " +
                        list + ")");
        }
        ParamReader p(spec, where);

        auto take = [&](const std::string& suffix, std::vector<std::int64_t> expected,
                        bool required) -> at::Tensor {
            const std::string key = layer.name + "." + suffix;
            auto it = weights.find(key);
            if (it == weights.end()) {
                if (required) throw Error(source + ": missing tensor \"" + key + "\"");
                return {};
            }
            used.insert(key);
            const auto& t = it->second;
            if (!at::isFloatingType(t.scalar_type()))
                throw Error(source + ": tensor \"" + key + "\" has dtype " +
                            std::string(c10::toString(t.scalar_type())) +
                            "; expected a floating-point type");
            if (t.sizes() != at::IntArrayRef(expected))
                throw Error(source + ": tensor \"" + key + "\" has shape " +
                            shape_text(t.sizes()) + "; the architecture expects " +
                            shape_text(expected));
            return t.to(at::kFloat).contiguous();
        };

        const auto in = probe.sizes().vec();
        const std::int64_t in_channels = in.size() >= 2 ? in[1] : 0;
        const std::string& type = layer.type;
        if (type == "conv2d" || type == "conv_transpose2d") {
            if (in.size() != 4) p.fail("needs a [C, H, W] input, got " + shape_text(in));
            const auto out = p.integer("out", std::nullopt, 1);
            const auto kernel = p.pair("kernel", std::nullopt, 1);
            const auto groups = p.integer("groups", 1, 1);
            p.pair("stride", 1, 1);
            p.pair("pad", 0, 0);
            p.pair("dilation", 1, 1);
            p.pair("output_pad", 0, 0);
            if (in_channels % groups || out % groups)
                p.fail("channels (" + std::to_string(in_channels) + " in, " +
                       std::to_string(out) + " out) are not divisible by groups " +
                       std::to_string(groups));
            if (type == "conv2d")
                layer.weight = take("weight", {out, in_channels / groups, kernel[0], kernel[1]},
                                    true);
            else
                layer.weight = take("weight", {in_channels, out / groups, kernel[0], kernel[1]},
                                    true);
            if (p.flag("bias", true)) layer.bias = take("bias", {out}, true);
        } else if (type == "linear") {
            const auto out = p.integer("out", std::nullopt, 1);
            std::int64_t features = 1;
            for (std::size_t i = 1; i < in.size(); ++i) features *= in[i];
            layer.weight = take("weight", {out, features}, true);
            if (p.flag("bias", true)) layer.bias = take("bias", {out}, true);
        } else if (type == "batch_norm") {
            if (in.size() != 4 && in.size() != 2) p.fail("needs a [C] or [C, H, W] input");
            layer.weight = take("weight", {in_channels}, false);
            layer.bias = take("bias", {in_channels}, false);
            layer.running_mean = take("running_mean", {in_channels}, true);
            layer.running_var = take("running_var", {in_channels}, true);
            p.number("eps", 1e-5);
        } else if (type == "max_pool" || type == "avg_pool") {
            if (in.size() != 4) p.fail("needs a [C, H, W] input, got " + shape_text(in));
            p.pair("kernel", std::nullopt, 1);
        } else if (type == "reshape") {
            if (!spec.contains("shape") || !spec["shape"].is_array())
                p.fail("needs \"shape\", an array of integers");
        }
        layers_.push_back(std::move(layer));
        try {
            probe = run_layer(layers_.back(), probe);
        } catch (const c10::Error& e) {
            throw Error(where + " cannot take an input of shape " + shape_text(in) + ": " +
                        e.what_without_backtrace());
        }
        LayerInfo info;
        info.name = layers_.back().name;
        info.type = layers_.back().type;  // `layer` and `type` were moved from above
        info.kind = kind_of_type(info.type);
        info.shape = probe.sizes().slice(1).vec();
        infos_.push_back(std::move(info));
    }
    for (const auto& [key, tensor] : weights)
        if (!used.count(key))
            throw Error(source + ": tensor \"" + key +
                        "\" belongs to no layer of the architecture; the weights and the "
                        "manifest do not match");
}

int SequentialNet::index_of(const std::string& layer) const {
    for (std::size_t i = 0; i < infos_.size(); ++i)
        if (infos_[i].name == layer) return static_cast<int>(i);
    return -1;
}

at::Tensor SequentialNet::run_layer(const Layer& layer, const at::Tensor& x) const {
    const auto& s = layer.params;
    auto pair = [&](const char* key, std::int64_t fallback) -> std::vector<std::int64_t> {
        if (!s.contains(key)) return {fallback, fallback};
        if (s[key].is_array()) return {s[key][0].get<std::int64_t>(), s[key][1].get<std::int64_t>()};
        const auto v = s[key].get<std::int64_t>();
        return {v, v};
    };
    const std::string& t = layer.type;
    if (t == "conv2d")
        return at::conv2d(x, layer.weight, layer.bias, pair("stride", 1), pair("pad", 0),
                          pair("dilation", 1), s.value("groups", 1));
    if (t == "conv_transpose2d")
        return at::conv_transpose2d(x, layer.weight, layer.bias, pair("stride", 1),
                                    pair("pad", 0), pair("output_pad", 0), s.value("groups", 1),
                                    pair("dilation", 1));
    if (t == "linear") return at::linear(x.dim() > 2 ? x.flatten(1) : x, layer.weight, layer.bias);
    if (t == "relu") return at::relu(x);
    if (t == "leaky_relu") return at::leaky_relu(x, s.value("slope", 0.01));
    if (t == "tanh") return at::tanh(x);
    if (t == "sigmoid") return at::sigmoid(x);
    if (t == "max_pool") {
        const auto k = pair("kernel", 1);
        const auto stride = s.contains("stride") ? pair("stride", 1) : k;
        return at::max_pool2d(x, k, stride, pair("pad", 0), {1, 1}, s.value("ceil", false));
    }
    if (t == "avg_pool") {
        const auto k = pair("kernel", 1);
        const auto stride = s.contains("stride") ? pair("stride", 1) : k;
        return at::avg_pool2d(x, k, stride, pair("pad", 0), s.value("ceil", false), true);
    }
    if (t == "global_avg_pool") return x.mean({2, 3});
    if (t == "flatten") return x.flatten(1);
    if (t == "reshape") {
        std::vector<std::int64_t> shape{x.size(0)};
        for (const auto& v : s["shape"]) shape.push_back(v.get<std::int64_t>());
        return x.reshape(shape);
    }
    if (t == "batch_norm")
        return at::batch_norm(x, layer.weight, layer.bias, layer.running_mean, layer.running_var,
                              false, 0.0, s.value("eps", 1e-5), false);
    if (t == "softmax") return at::softmax(x, 1);
    return x;  // dropout: identity at inference
}

at::Tensor SequentialNet::forward(const at::Tensor& input, int last) const {
    if (last < 0) last = static_cast<int>(layers_.size()) - 1;
    at::Tensor x = input;
    for (int i = 0; i <= last; ++i) x = run_layer(layers_[i], x);
    return x;
}

void SequentialNet::to(const at::Device& device) {
    for (auto& l : layers_)
        for (at::Tensor* t : {&l.weight, &l.bias, &l.running_mean, &l.running_var})
            if (t->defined()) *t = t->to(device);
}

std::int64_t SequentialNet::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& l : layers_)
        for (const at::Tensor* t : {&l.weight, &l.bias})
            if (t->defined()) n += t->numel();
    return n;
}

}  // namespace dgnam
