#include "dgnam/torchscript_net.h"

#include <torch/script.h>

#include <ATen/CPUGeneratorImpl.h>

#include <map>
#include <optional>

#include "dgnam/error.h"
#include "dgnam/shape_text.h"

#include "torchscript_cost.h"
#include "torchscript_transposed.h"

namespace dgnam {
namespace fs = std::filesystem;
namespace {

constexpr const char* kLayerOutputs = "layer_outputs";

// "__torch__.torch.nn.modules.conv.Conv2d" -> "Conv2d"
std::string short_type(const std::string& qualified) {
    const auto dot = qualified.rfind('.');
    return dot == std::string::npos ? qualified : qualified.substr(dot + 1);
}

}  // namespace

struct TorchScriptNet::Model {
    fs::path path;
    mutable torch::jit::Module module;  // its methods are not const in LibTorch's API
    // A frozen copy with its transposed convolutions rewritten, for inputs on the CPU.
    mutable std::optional<RewrittenTorchScript> rewritten;
    bool run_rewritten = true;
    std::vector<std::int64_t> input_shape;
    std::vector<LayerInfo> infos;
    bool layered = false;

    torch::jit::Module& module_for(const at::Tensor& x) const {
        return rewritten && run_rewritten && x.is_cpu() ? rewritten->module : module;
    }

    std::vector<std::pair<std::string, at::Tensor>> run_layers(const at::Tensor& x) const {
        std::vector<std::pair<std::string, at::Tensor>> out;
        const auto result = module_for(x).get_method(kLayerOutputs)({x});
        if (!result.isGenericDict())
            throw Error(path.string() + ": " + kLayerOutputs +
                        " must return a Dict[str, Tensor]; it returned " + result.tagKind());
        for (const auto& entry : result.toGenericDict()) {
            if (!entry.key().isString() || !entry.value().isTensor())
                throw Error(path.string() + ": " + kLayerOutputs +
                            " must return a Dict[str, Tensor]");
            out.emplace_back(entry.key().toStringRef(), entry.value().toTensor());
        }
        return out;
    }
};

namespace {

// The rewritten copy, if the model has rewritable transposed convolutions and the copy gives the
// model's own outputs on a random input (float tolerance); otherwise the model runs as it came.
std::optional<RewrittenTorchScript> checked_rewrite(const torch::jit::Module& module, bool layered,
                                                    const std::vector<std::int64_t>& input_shape) {
    std::optional<RewrittenTorchScript> r;
    try {
        r = rewrite_transposed_convolutions(
            module, layered ? std::vector<std::string>{kLayerOutputs} : std::vector<std::string>{});
    } catch (const std::exception&) {
        return std::nullopt;  // freezing refused (e.g. a method that sets attributes)
    }
    if (!r)
        return std::nullopt;
    std::vector<std::int64_t> shape{2};
    shape.insert(shape.end(), input_shape.begin(), input_shape.end());
    torch::NoGradGuard no_grad;
    const auto x = at::randn(shape, at::make_generator<at::CPUGeneratorImpl>(7));
    const auto want = torch::jit::Module(module).forward({x}), got = r->module.forward({x});
    if (!want.isTensor() || !got.isTensor())
        return std::nullopt;
    const auto a = want.toTensor().to(at::kDouble), b = got.toTensor().to(at::kDouble);
    if (a.sizes() != b.sizes() ||
        (a - b).abs().max().item<double>() > 1e-4 * (1.0 + a.abs().max().item<double>()))
        return std::nullopt;
    return r;
}

}  // namespace

TorchScriptNet::TorchScriptNet(std::unique_ptr<Model> model) : model_(std::move(model)) {}
TorchScriptNet::TorchScriptNet(TorchScriptNet&&) noexcept = default;
TorchScriptNet& TorchScriptNet::operator=(TorchScriptNet&&) noexcept = default;
TorchScriptNet::~TorchScriptNet() = default;

TorchScriptNet TorchScriptNet::load(const fs::path& path, std::vector<std::int64_t> input_shape) {
    auto m = std::make_unique<Model>();
    m->path = path;
    m->input_shape = std::move(input_shape);
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(path.string() + ": no such TorchScript file");
    try {
        m->module = torch::jit::load(path.string(), c10::Device(c10::kCPU));
    } catch (const std::exception& e) {
        std::string why = e.what();
        why = why.substr(0, why.find('\n'));
        throw Error(path.string() + ": not a TorchScript file saved by torch.jit.save (" + why +
                    ")");
    }
    m->module.eval();
    for (auto p : m->module.parameters())
        p.set_requires_grad(false);
    m->layered = m->module.find_method(kLayerOutputs).has_value();

    // Module types by hierarchy name, for the layer list.
    std::map<std::string, std::string> types;
    for (const auto& child : m->module.named_modules())
        if (!child.name.empty())
            types[child.name] = short_type(child.value.type()->name()->qualifiedName());

    std::vector<std::int64_t> probe_shape{1};
    probe_shape.insert(probe_shape.end(), m->input_shape.begin(), m->input_shape.end());
    torch::NoGradGuard no_grad;
    std::vector<std::pair<std::string, at::Tensor>> outputs;
    std::vector<std::int64_t> multiply_adds;
    try {
        const auto x = at::zeros(probe_shape);
        OperatorCostCount cost;
        if (m->layered) {
            outputs = m->run_layers(x);
        } else {
            const auto y = m->module.forward({x});
            if (!y.isTensor())
                throw Error(path.string() + ": forward must return one tensor");
            outputs.emplace_back("output", y.toTensor());
        }
        multiply_adds = cost.by_layer(outputs);  // the probe is one sample
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        std::string why = e.what();
        why = why.substr(0, why.find('\n'));
        throw Error(path.string() + ": the model fails on an input of shape " +
                    shape_text(probe_shape) + " (" + why +
                    "); give the input shape the model was made for");
    }
    if (outputs.empty())
        throw Error(path.string() + ": " + kLayerOutputs + " returned no layers");
    m->rewritten = checked_rewrite(m->module, m->layered, m->input_shape);
    for (const auto& [name, value] : outputs) {
        if (value.dim() < 1 || value.size(0) != 1)
            throw Error(path.string() + ": layer \"" + name + "\" has shape " +
                        shape_text(value.sizes()) + "; layers must keep the batch axis first");
        LayerInfo info;
        info.name = name;
        // The layer's module: by its name, or under a wrapper ("extractor.features.0").
        info.type = "function";
        for (const auto& [module_name, type] : types)
            if (module_name == name ||
                (module_name.size() > name.size() &&
                 module_name.compare(module_name.size() - name.size(), name.size(), name) == 0 &&
                 module_name[module_name.size() - name.size() - 1] == '.'))
                info.type = type;
        info.kind = kind_of_type(info.type);
        info.shape.assign(value.sizes().begin() + 1, value.sizes().end());
        info.multiply_adds = multiply_adds[m->infos.size()];
        m->infos.push_back(std::move(info));
    }
    return TorchScriptNet(std::move(m));
}

const std::vector<LayerInfo>& TorchScriptNet::layers() const {
    return model_->infos;
}
const std::vector<std::int64_t>& TorchScriptNet::input_shape() const {
    return model_->input_shape;
}
bool TorchScriptNet::has_layer_outputs() const {
    return model_->layered;
}

std::int64_t TorchScriptNet::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& p : model_->module.parameters())
        n += p.numel();
    return n;
}

at::Tensor TorchScriptNet::forward_to(const at::Tensor& input, const std::string& layer) const {
    const auto& m = *model_;
    const std::string& wanted = layer.empty() ? m.infos.back().name : layer;
    bool known = false;
    for (const auto& l : m.infos)
        known = known || l.name == wanted;
    if (!known) {
        std::string names;
        for (const auto& l : m.infos)
            names += (names.empty() ? "" : ", ") + l.name;
        throw Error("unknown layer \"" + wanted + "\" in " + m.path.filename().string() +
                    "; its layers are: " + names);
    }
    if (!m.layered)
        return m.module_for(input).forward({input}).toTensor();
    for (auto& [name, value] : m.run_layers(input))
        if (name == wanted)
            return value;
    throw Error(m.path.string() + ": layer_outputs no longer returns \"" + wanted + "\"");
}

void TorchScriptNet::to(const at::Device& device) {
    model_->module.to(device);  // the rewritten copy serves CPU inputs only and stays there
}

void TorchScriptNet::set_execution_mode(const ExecutionMode& mode) {
    for (auto p : model_->module.parameters())
        p.set_requires_grad(!mode.frozen_weights);
    model_->run_rewritten = mode.frozen_weights && mode.rewrite_transposed;
}

int TorchScriptNet::rewritten_transposed_convolutions() const {
    return model_->rewritten && model_->run_rewritten ? model_->rewritten->rewritten : 0;
}

}  // namespace dgnam
