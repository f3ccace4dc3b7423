#include "dgnam/sequential_net.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>

#include <cmath>

#include <optional>
#include <set>

#include "bfloat16_autocast.h"
#include "dgnam/conv_transpose_rewrite.h"
#include "dgnam/convolution.h"
#include "dgnam/error.h"
#include "dgnam/fully_connected.h"
#include "dgnam/max_pooling.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace {

// Reads layer parameters with messages that name the layer and the file.
class ParamReader {
  public:
    ParamReader(const nlohmann::json& params, std::string where)
        : params_(params), where_(std::move(where)) {}

    [[noreturn]] void fail(const std::string& what) const { throw Error(where_ + ": " + what); }

    std::int64_t integer(const char* key, std::optional<std::int64_t> fallback,
                         std::int64_t min_value) const {
        if (!params_.contains(key)) {
            if (!fallback)
                fail(std::string("missing parameter \"") + key + "\"");
            return *fallback;
        }
        const auto& v = params_.at(key);
        if (!v.is_number_integer())
            fail(std::string("\"") + key + "\" must be an integer");
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
        if (!params_.contains(key))
            return fallback;
        const auto& v = params_.at(key);
        if (!v.is_number())
            fail(std::string("\"") + key + "\" must be a number");
        return v.get<double>();
    }

    bool flag(const char* key, bool fallback) const {
        if (!params_.contains(key))
            return fallback;
        const auto& v = params_.at(key);
        if (!v.is_boolean())
            fail(std::string("\"") + key + "\" must be true or false");
        return v.get<bool>();
    }

  private:
    const nlohmann::json& params_;
    std::string where_;
};

const std::set<std::string>& known_types() {
    static const std::set<std::string> types = {
        "conv2d",  "conv_transpose2d", "linear",          "relu",    "leaky_relu", "tanh",
        "sigmoid", "max_pool",         "avg_pool",        "flatten", "reshape",    "batch_norm",
        "dropout", "softmax",          "global_avg_pool", "residual"};
    return types;
}

}  // namespace

std::vector<std::string> SequentialNet::supported_types() {
    return {known_types().begin(), known_types().end()};
}

namespace {

// Checks a tensor from a weights file against the architecture and records that it was used.
SequentialNet::WeightProvider file_provider(const TensorMap& weights, const std::string& source,
                                            std::set<std::string>& used) {
    return [&weights, &source, &used](const std::string& key,
                                      const std::vector<std::int64_t>& expected, bool required,
                                      std::int64_t) -> at::Tensor {
        auto it = weights.find(key);
        if (it == weights.end()) {
            if (required)
                throw Error(source + ": missing tensor \"" + key + "\"");
            return {};
        }
        used.insert(key);
        const auto& t = it->second;
        if (!at::isFloatingType(t.scalar_type()))
            throw Error(source + ": tensor \"" + key + "\" has dtype " +
                        std::string(c10::toString(t.scalar_type())) +
                        "; expected a floating-point type");
        if (t.sizes() != at::IntArrayRef(expected))
            throw Error(source + ": tensor \"" + key + "\" has shape " + shape_text(t.sizes()) +
                        "; the architecture expects " + shape_text(expected));
        auto values = t.to(at::kFloat).contiguous();
        if (!at::isfinite(values).all().item<bool>())
            throw Error(source + ": tensor \"" + key +
                        "\" holds NaN or infinite values; the file is damaged or was saved from a "
                        "training run that diverged");
        return values;
    };
}

}  // namespace

SequentialNet::SequentialNet(const nlohmann::json& layers, std::vector<std::int64_t> input_shape,
                             const TensorMap& weights, const std::string& source) {
    std::set<std::string> used;
    *this = SequentialNet(layers, std::move(input_shape), "", source,
                          file_provider(weights, source, used));
    for (const auto& [key, tensor] : weights)
        if (!used.count(key))
            throw Error(source + ": tensor \"" + key +
                        "\" belongs to no layer of the architecture; the weights and the "
                        "manifest do not match");
}

SequentialNet SequentialNet::initialised(const nlohmann::json& layers,
                                         std::vector<std::int64_t> input_shape,
                                         std::uint64_t seed) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    WeightProvider provide = [gen](const std::string& key, const std::vector<std::int64_t>& shape,
                                   bool, std::int64_t fan_in) mutable -> at::Tensor {
        const auto ends_with = [&](const std::string& suffix) {
            return key.size() >= suffix.size() &&
                   key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
        };
        if (ends_with(".running_var"))
            return at::ones(shape);
        if (ends_with(".running_mean"))
            return at::zeros(shape);
        if (fan_in <= 0)
            return ends_with(".weight") ? at::ones(shape) : at::zeros(shape);
        const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
        return at::empty(shape).uniform_(-bound, bound, gen);
    };
    return SequentialNet(layers, std::move(input_shape), "", "initialised network", provide);
}

SequentialNet::SequentialNet(const nlohmann::json& layers, std::vector<std::int64_t> input_shape,
                             const std::string& prefix, const std::string& source,
                             const WeightProvider& provide)
    : input_shape_(std::move(input_shape)) {
    if (!layers.is_array() || layers.empty())
        throw Error(source + ": \"layers\" must be a non-empty array");
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
        if (!names.insert(layer.name).second)
            throw Error(where + " is defined twice");
        if (!known_types().count(layer.type)) {
            std::string list;
            for (const auto& t : known_types())
                list += (list.empty() ? "" : ", ") + t;
            throw Error(where + " has unsupported type \"" + layer.type + "\" (supported: " + list +
                        ")");
        }
        ParamReader p(spec, where);

        layer.key = prefix + layer.name;
        auto take = [&](const std::string& suffix, std::vector<std::int64_t> expected,
                        bool required, std::int64_t fan_in = 0) -> at::Tensor {
            return provide(layer.key + "." + suffix, expected, required, fan_in);
        };

        const auto in = probe.sizes().vec();
        const std::int64_t in_channels = in.size() >= 2 ? in[1] : 0;
        const std::string& type = layer.type;
        if (type == "conv2d" || type == "conv_transpose2d") {
            if (in.size() != 4)
                p.fail("needs a [C, H, W] input, got " + shape_text(in));
            const auto out = p.integer("out", std::nullopt, 1);
            const auto kernel = p.pair("kernel", std::nullopt, 1);
            const auto groups = p.integer("groups", 1, 1);
            const auto stride = p.pair("stride", 1, 1);
            const auto pad = p.pair("pad", 0, 0);
            const auto dilation = p.pair("dilation", 1, 1);
            const auto output_pad = p.pair("output_pad", 0, 0);
            if (in_channels % groups || out % groups)
                p.fail("channels (" + std::to_string(in_channels) + " in, " + std::to_string(out) +
                       " out) are not divisible by groups " + std::to_string(groups));
            // PyTorch's fan-in: weight.size(1) * kernel area, for both kinds.
            const bool plain = type == "conv2d";
            const std::int64_t per_group = plain ? in_channels / groups : out / groups;
            const std::int64_t fan_in = per_group * kernel[0] * kernel[1];
            layer.weight =
                take("weight", {plain ? out : in_channels, per_group, kernel[0], kernel[1]}, true,
                     fan_in);
            if (p.flag("bias", true))
                layer.bias = take("bias", {out}, true, fan_in);
            if (!plain) {
                auto two = [](const std::vector<std::int64_t>& v) {
                    return TransposedConvolution::Pair{v[0], v[1]};
                };
                layer.transposed.emplace(two(kernel), two(stride), two(pad), two(output_pad),
                                         two(dilation), groups);
                layer.transposed->prepare(layer.weight, layer.bias);
            }
        } else if (type == "linear") {
            const auto out = p.integer("out", std::nullopt, 1);
            std::int64_t features = 1;
            for (std::size_t i = 1; i < in.size(); ++i)
                features *= in[i];
            layer.weight = take("weight", {out, features}, true, features);
            if (p.flag("bias", true))
                layer.bias = take("bias", {out}, true, features);
        } else if (type == "batch_norm") {
            if (in.size() != 4 && in.size() != 2)
                p.fail("needs a [C] or [C, H, W] input");
            layer.weight = take("weight", {in_channels}, false);
            layer.bias = take("bias", {in_channels}, false);
            layer.running_mean = take("running_mean", {in_channels}, true);
            layer.running_var = take("running_var", {in_channels}, true);
            p.number("eps", 1e-5);
        } else if (type == "max_pool" || type == "avg_pool") {
            if (in.size() != 4)
                p.fail("needs a [C, H, W] input, got " + shape_text(in));
            p.pair("kernel", std::nullopt, 1);
        } else if (type == "residual") {
            // out = main(x) + shortcut(x); the shortcut is the identity when absent.
            const auto inner = std::vector<std::int64_t>(in.begin() + 1, in.end());
            if (!spec.contains("main"))
                p.fail("a residual block needs \"main\" layers");
            layer.main = std::make_shared<SequentialNet>(
                SequentialNet(spec["main"], inner, layer.key + ".main.", source, provide));
            if (spec.contains("shortcut"))
                layer.shortcut = std::make_shared<SequentialNet>(SequentialNet(
                    spec["shortcut"], inner, layer.key + ".shortcut.", source, provide));
        } else if (type == "reshape") {
            if (!spec.contains("shape") || !spec["shape"].is_array())
                p.fail("needs \"shape\", an array of integers");
        }
        layers_.push_back(std::move(layer));
        try {
            probe = run_layer(layers_.back(), probe);
        } catch (const Error&) {
            throw;
        } catch (const c10::Error& e) {
            throw Error(where + " cannot take an input of shape " + shape_text(in) + ": " +
                        e.what_without_backtrace());
        } catch (const std::exception& e) {  // LibTorch also throws std::runtime_error
            throw Error(where + " cannot take an input of shape " + shape_text(in) + ": " +
                        e.what());
        }
        LayerInfo info;
        info.name = layers_.back().name;
        info.type = layers_.back().type;  // `layer` and `type` were moved from above
        info.kind = kind_of_type(info.type);
        info.shape = probe.sizes().slice(1).vec();
        const Layer& made = layers_.back();
        std::int64_t in_values = 1;
        for (std::size_t i = 1; i < in.size(); ++i)
            in_values *= in[i];
        const std::int64_t out_values = probe.numel() / std::max<std::int64_t>(probe.size(0), 1);
        if (made.type == "conv2d")
            info.multiply_adds = multiply_adds(WeightedOp::Convolution, made.weight.sizes().vec(),
                                               in_values, out_values);
        else if (made.type == "conv_transpose2d")
            info.multiply_adds = multiply_adds(WeightedOp::TransposedConvolution,
                                               made.weight.sizes().vec(), in_values, out_values);
        else if (made.type == "linear")
            info.multiply_adds = multiply_adds(WeightedOp::Product, made.weight.sizes().vec(),
                                               in_values, out_values);
        for (const auto* inner : {made.main.get(), made.shortcut.get()})
            if (inner)
                for (const auto& l : inner->layers())
                    info.multiply_adds += l.multiply_adds;
        infos_.push_back(std::move(info));
    }
}

int SequentialNet::index_of(const std::string& layer) const {
    for (std::size_t i = 0; i < infos_.size(); ++i)
        if (infos_[i].name == layer)
            return static_cast<int>(i);
    return -1;
}

at::Tensor SequentialNet::run_layer(const Layer& layer, const at::Tensor& x) const {
    const auto& s = layer.params;
    auto pair = [&](const char* key, std::int64_t fallback) -> std::vector<std::int64_t> {
        if (!s.contains(key))
            return {fallback, fallback};
        if (s[key].is_array())
            return {s[key][0].get<std::int64_t>(), s[key][1].get<std::int64_t>()};
        const auto v = s[key].get<std::int64_t>();
        return {v, v};
    };
    const std::string& t = layer.type;
    if (t == "conv2d")
        return convolution(x, layer.weight, layer.bias, pair("stride", 1), pair("pad", 0),
                           pair("dilation", 1), s.value("groups", 1));
    if (layer.transposed)
        return layer.transposed->run(x, layer.weight, layer.bias);
    if (t == "linear")
        return fully_connected(x.dim() > 2 ? x.flatten(1) : x, layer.weight, layer.bias);
    if (t == "relu")
        return at::relu(x);
    if (t == "leaky_relu")
        return at::leaky_relu(x, s.value("slope", 0.01));
    if (t == "tanh")
        return at::tanh(x);
    if (t == "sigmoid")
        return at::sigmoid(x);
    if (t == "max_pool") {
        const auto k = pair("kernel", 1);
        const auto stride = s.contains("stride") ? pair("stride", 1) : k;
        return max_pooling(x, {k, stride, pair("pad", 0), s.value("ceil", false)});
    }
    if (t == "avg_pool") {
        const auto k = pair("kernel", 1);
        const auto stride = s.contains("stride") ? pair("stride", 1) : k;
        return at::avg_pool2d(x, k, stride, pair("pad", 0), s.value("ceil", false), true);
    }
    if (t == "global_avg_pool")
        return x.mean({2, 3});
    if (t == "flatten")
        return x.flatten(1);
    if (t == "reshape") {
        std::vector<std::int64_t> shape{x.size(0)};
        for (const auto& v : s["shape"])
            shape.push_back(v.get<std::int64_t>());
        return x.reshape(shape);
    }
    if (t == "batch_norm")
        return at::batch_norm(x, layer.weight, layer.bias, layer.running_mean, layer.running_var,
                              false, 0.0, s.value("eps", 1e-5), false);
    if (t == "softmax")
        return at::softmax(x, 1);
    if (t == "residual") {
        auto shortcut = layer.shortcut ? layer.shortcut->forward(x) : x;
        return layer.main->forward(x) + shortcut;
    }
    if (t == "dropout")
        return at::dropout(x, s.value("p", 0.5), training_);
    return x;
}

at::Tensor SequentialNet::forward_to(const at::Tensor& input, const std::string& layer) const {
    if (layer.empty())
        return forward(input);
    const int index = index_of(layer);
    if (index < 0) {
        std::string known;
        for (const auto& l : infos_)
            known += (known.empty() ? "" : ", ") + l.name;
        throw Error("unknown layer \"" + layer + "\"; the layers are: " + known);
    }
    return forward(input, index);
}

at::Tensor SequentialNet::forward(const at::Tensor& input, int last) const {
    if (last < 0)
        last = static_cast<int>(layers_.size()) - 1;
    const BFloat16Autocast autocast(bfloat16_, input.device());
    at::Tensor x = input;
    for (int i = 0; i <= last; ++i)
        x = run_layer(layers_[i], x);
    return autocast.output(x);
}

void SequentialNet::to(const at::Device& device) {
    for (auto& l : layers_) {
        for (at::Tensor* t : {&l.weight, &l.bias, &l.running_mean, &l.running_var})
            if (t->defined())
                *t = t->to(device);
        if (l.transposed)
            l.transposed->prepare(l.weight, l.bias);
        for (auto* inner : {l.main.get(), l.shortcut.get()})
            if (inner)
                inner->to(device);
    }
}

std::int64_t SequentialNet::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& t : parameters())
        n += t.numel();
    return n;
}

void SequentialNet::set_execution_mode(const ExecutionMode& mode) {
    bfloat16_ = mode.bfloat16;
    for (auto& l : layers_) {
        for (at::Tensor* t : {&l.weight, &l.bias})
            if (t->defined())
                t->requires_grad_(!mode.frozen_weights);
        if (l.transposed) {
            l.transposed->set_rewrite_enabled(mode.rewrite_transposed);
            l.transposed->prepare(l.weight, l.bias);
        }
        for (auto* inner : {l.main.get(), l.shortcut.get()})
            if (inner)
                inner->set_execution_mode(mode);
    }
}

void SequentialNet::set_training(bool training) {
    training_ = training;
    for (auto& l : layers_)
        for (auto* inner : {l.main.get(), l.shortcut.get()})
            if (inner)
                inner->set_training(training);
}

std::vector<at::Tensor> SequentialNet::parameters() const {
    std::vector<at::Tensor> out;
    for (const auto& l : layers_) {
        for (const at::Tensor* t : {&l.weight, &l.bias})
            if (t->defined())
                out.push_back(*t);
        for (const auto* inner : {l.main.get(), l.shortcut.get()})
            if (inner) {
                auto more = inner->parameters();
                out.insert(out.end(), more.begin(), more.end());
            }
    }
    return out;
}

TensorMap SequentialNet::state() const {
    TensorMap out;
    for (const auto& l : layers_) {
        const std::pair<const char*, const at::Tensor*> named[] = {
            {"weight", &l.weight},
            {"bias", &l.bias},
            {"running_mean", &l.running_mean},
            {"running_var", &l.running_var}};
        for (const auto& [suffix, t] : named)
            if (t->defined())
                out[l.key + "." + suffix] = t->detach().to(at::kCPU);
        for (const auto* inner : {l.main.get(), l.shortcut.get()})
            if (inner) {
                auto more = inner->state();
                out.insert(more.begin(), more.end());
            }
    }
    return out;
}

void SequentialNet::assign_state(const TensorMap& saved, const std::string& source) {
    at::NoGradGuard no_grad;
    for (auto& l : layers_) {
        const std::pair<const char*, at::Tensor*> named[] = {{"weight", &l.weight},
                                                             {"bias", &l.bias},
                                                             {"running_mean", &l.running_mean},
                                                             {"running_var", &l.running_var}};
        for (const auto& [suffix, t] : named) {
            if (!t->defined())
                continue;
            const std::string key = l.key + "." + suffix;
            const auto found = saved.find(key);
            if (found == saved.end())
                throw Error(source + ": tensor \"" + key + "\" is missing");
            if (found->second.sizes() != t->sizes())
                throw Error(source + ": tensor \"" + key + "\" has shape " +
                            shape_text(found->second.sizes()) + ", the network needs " +
                            shape_text(t->sizes()));
            t->copy_(found->second);
        }
        if (l.transposed)
            l.transposed->prepare(l.weight, l.bias);
        for (auto* inner : {l.main.get(), l.shortcut.get()})
            if (inner)
                inner->assign_state(saved, source);
    }
}

}  // namespace dgnam
