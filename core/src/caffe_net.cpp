#include "dgnam/caffe_net.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>

#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "bfloat16_autocast.h"
#include "caffe_files.h"
#include "caffe_layers.h"
#include "dgnam/atomic_file.h"
#include "dgnam/error.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace fs = std::filesystem;
namespace {

caffe_layers::Blob to_blob(const dgnam_caffe::BlobProto& proto, const std::string& where) {
    caffe_layers::Blob blob;
    std::vector<std::int64_t> shape;
    if (proto.has_shape()) {
        for (auto d : proto.shape().dim())
            shape.push_back(d);
    } else {
        shape = {proto.num(), proto.channels(), proto.height(), proto.width()};
        blob.legacy_shape = true;
    }
    std::int64_t count = 1;
    for (auto d : shape) {
        if (d < 0 || d > (std::int64_t{1} << 31))
            throw Error(where + " has a dimension " + std::to_string(d));
        count *= d;
        if (count > (std::int64_t{1} << 31))
            throw Error(where + " declares more than 2^31 values");
    }
    const bool single = proto.data_size() > 0 || proto.double_data_size() == 0;
    const std::int64_t held = single ? proto.data_size() : proto.double_data_size();
    if (held != count)
        throw Error(where + " holds " + std::to_string(held) + " values for its shape " +
                    shape_text(shape) + " (" + std::to_string(count) + ")");
    auto t = at::empty(shape, at::kFloat);
    if (single) {
        if (count > 0)
            std::memcpy(t.data_ptr<float>(), proto.data().data(),
                        static_cast<std::size_t>(count) * sizeof(float));
    } else {
        auto* out = t.data_ptr<float>();
        for (std::int64_t i = 0; i < count; ++i)
            out[i] = static_cast<float>(proto.double_data(static_cast<int>(i)));
    }
    if (!at::isfinite(t).all().item<bool>())
        throw Error(where + " holds NaN or infinite values");
    blob.values = t;
    return blob;
}

bool listed(const std::string& type) {
    return type != "Split" && type != "Dropout" && type != "Silence";
}

}  // namespace

struct CaffeNet::Graph {
    struct Step {
        std::string name, type;
        std::unique_ptr<caffe_layers::Op> op;
        std::vector<at::Tensor> blobs;   // its parameters as Caffe stores them
        std::vector<int> bottoms, tops;  // value slots
    };
    std::string name, input_blob;
    std::vector<std::int64_t> input_shape;
    int input_slot = 0;
    int slot_count = 0;
    std::vector<Step> steps;
    std::vector<LayerInfo> infos;
    std::vector<int> info_slot;               // the slot each listed layer's output lands in
    std::vector<std::vector<int>> info_plan;  // the steps each listed layer needs, in order
    std::vector<std::string> warnings;
};

CaffeNet::CaffeNet(std::unique_ptr<Graph> graph) : graph_(std::move(graph)) {}
CaffeNet::CaffeNet(CaffeNet&&) noexcept = default;
CaffeNet& CaffeNet::operator=(CaffeNet&&) noexcept = default;
CaffeNet::~CaffeNet() = default;

CaffeNet CaffeNet::load(const fs::path& prototxt, const fs::path& caffemodel) {
    return build(prototxt, &caffemodel, 0);
}

CaffeNet CaffeNet::with_random_weights(const fs::path& prototxt, std::uint64_t seed) {
    return build(prototxt, nullptr, seed);
}

CaffeNet CaffeNet::build(const fs::path& prototxt, const fs::path* caffemodel_path,
                         std::uint64_t seed) {
    auto g = std::make_unique<Graph>();
    std::optional<at::Generator> random;
    if (!caffemodel_path)
        random = at::make_generator<at::CPUGeneratorImpl>(seed);
    const fs::path caffemodel = caffemodel_path ? *caffemodel_path : fs::path("(random weights)");
    const auto description = caffe_files::read_prototxt(prototxt, g->warnings);
    const std::string where = prototxt.string();
    const auto layers = caffe_files::current_layers(description, true, where);

    // Weights by layer name, from the binary file (and any the description itself carries).
    std::map<std::string, std::vector<caffe_layers::Blob>> weights;
    if (caffemodel_path) {
        const auto trained = caffe_files::read_caffemodel(caffemodel);
        for (const auto& layer : caffe_files::current_layers(trained, false, caffemodel.string())) {
            if (layer.blobs_size() == 0)
                continue;
            auto& blobs = weights[layer.name()];
            blobs.clear();
            for (int i = 0; i < layer.blobs_size(); ++i)
                blobs.push_back(to_blob(layer.blobs(i), caffemodel.string() + ": layer \"" +
                                                            layer.name() + "\" blob " +
                                                            std::to_string(i)));
        }
    }
    g->name = description.name();

    // The input: net-level `input` fields or an Input layer; exactly one.
    std::map<std::string, int> slot_of;  // blob name -> newest slot holding it
    std::vector<at::Tensor> probe;       // one example value per slot, batch 1
    std::int64_t input_batch = 1;
    auto declare_input = [&](const std::string& blob, std::vector<std::int64_t> shape,
                             const std::string& origin) {
        if (!g->input_blob.empty())
            throw Error(where + ": declares a second input \"" + blob + "\" (" + origin +
                        "); a classifier or generator takes one input blob (the first is \"" +
                        g->input_blob + "\")");
        if (shape.size() < 2)
            throw Error(where + ": input \"" + blob + "\" has shape " + shape_text(shape) +
                        "; expected [N, ...] with at least one axis after the batch");
        for (auto d : shape)
            if (d < 1 || d > (1 << 20))
                throw Error(where + ": input \"" + blob + "\" has shape " + shape_text(shape));
        g->input_blob = blob;
        input_batch = shape[0];
        g->input_shape.assign(shape.begin() + 1, shape.end());
        g->input_slot = g->slot_count++;
        slot_of[blob] = g->input_slot;
        shape[0] = 1;
        probe.push_back(at::zeros(shape));
    };
    for (int i = 0; i < description.input_size(); ++i) {
        std::vector<std::int64_t> shape;
        if (i < description.input_shape_size()) {
            for (auto d : description.input_shape(i).dim())
                shape.push_back(d);
        } else if (description.input_dim_size() >= 4 * (i + 1)) {
            for (int k = 0; k < 4; ++k)
                shape.push_back(description.input_dim(4 * i + k));
        } else {
            throw Error(where + ": input \"" + description.input(i) +
                        "\" has no input_shape or input_dim");
        }
        declare_input(description.input(i), shape, "input field");
    }

    at::NoGradGuard no_grad;
    std::set<std::string> names;
    for (const auto& layer : layers) {
        const std::string at_layer =
            where + ": layer \"" + layer.name() + "\" (" + layer.type() + ")";
        if (!names.insert(layer.name()).second)
            throw Error(at_layer + " shares its name with an earlier layer; names must be unique");
        if (layer.type() == "Input") {
            const auto& shapes = layer.input_param().shape();
            if (layer.top_size() == 0 || shapes.empty())
                throw Error(at_layer + " declares no top blob or no shape");
            for (int t = 0; t < layer.top_size(); ++t) {
                const auto& s = shapes.Get(shapes.size() == 1 ? 0 : t);
                declare_input(layer.top(t), {s.dim().begin(), s.dim().end()}, "Input layer");
            }
            continue;
        }
        Graph::Step step;
        step.name = layer.name();
        step.type = layer.type();
        std::vector<at::Tensor> bottoms;
        for (const auto& b : layer.bottom()) {
            auto it = slot_of.find(b);
            if (it == slot_of.end())
                throw Error(at_layer + " reads blob \"" + b +
                            "\", which no earlier layer or input produces");
            step.bottoms.push_back(it->second);
            bottoms.push_back(probe[static_cast<std::size_t>(it->second)]);
        }
        std::vector<caffe_layers::Blob> blobs;
        if (auto it = weights.find(layer.name()); it != weights.end())
            blobs = it->second;
        else
            for (int i = 0; i < layer.blobs_size(); ++i)
                blobs.push_back(to_blob(layer.blobs(i), at_layer + " blob " + std::to_string(i)));
        std::vector<at::Tensor> outputs;
        try {
            auto built = caffe_layers::make_op(layer, bottoms, std::move(blobs), input_batch,
                                               random ? &*random : nullptr);
            step.op = std::move(built.op);
            step.blobs = std::move(built.blobs);
            outputs = step.op->run(bottoms);
        } catch (const Error& e) {
            throw Error(at_layer + " " + e.what() +
                        (layer.type() == "Convolution" || layer.type() == "InnerProduct" ||
                                 layer.type() == "Deconvolution"
                             ? " (weights from " + caffemodel.string() + ")"
                             : std::string()));
        } catch (const std::exception& e) {
            throw Error(at_layer + " cannot run on its input (" + e.what() + ")");
        }
        if (static_cast<int>(outputs.size()) != layer.top_size())
            throw Error(at_layer + " has " + std::to_string(layer.top_size()) +
                        " top blobs; the layer produces " + std::to_string(outputs.size()));
        for (int t = 0; t < layer.top_size(); ++t) {
            const int slot = g->slot_count++;
            step.tops.push_back(slot);
            slot_of[layer.top(t)] = slot;
            probe.push_back(outputs[static_cast<std::size_t>(t)]);
        }
        if (listed(layer.type()) && !step.tops.empty()) {
            LayerInfo info;
            info.name = layer.name();
            info.type = layer.type();
            info.kind = kind_of_type(layer.type());
            const auto s = probe[static_cast<std::size_t>(step.tops[0])].sizes();
            info.shape.assign(s.begin() + 1, s.end());
            if (!step.blobs.empty() && !bottoms.empty()) {
                const std::int64_t in_values = bottoms[0].numel() / bottoms[0].size(0);
                const std::int64_t out_values =
                    probe[static_cast<std::size_t>(step.tops[0])].numel() / s[0];
                const auto weight_shape = step.blobs[0].sizes().vec();
                if (layer.type() == "Convolution")
                    info.multiply_adds =
                        multiply_adds(WeightedOp::Convolution, weight_shape, in_values, out_values);
                else if (layer.type() == "Deconvolution")
                    info.multiply_adds = multiply_adds(WeightedOp::TransposedConvolution,
                                                       weight_shape, in_values, out_values);
                else if (layer.type() == "InnerProduct")
                    info.multiply_adds =
                        multiply_adds(WeightedOp::Product, weight_shape, in_values, out_values);
            }
            g->infos.push_back(std::move(info));
            g->info_slot.push_back(step.tops[0]);
        }
        g->steps.push_back(std::move(step));
    }
    if (g->input_blob.empty())
        throw Error(where + ": declares no input (an Input layer or input/input_shape fields)");
    if (g->infos.empty())
        throw Error(where + ": has no layers to run");

    // For each listed layer, the steps its output depends on, so that reading an early layer
    // does not run the whole network.
    std::vector<int> producer(static_cast<std::size_t>(g->slot_count), -1);
    for (std::size_t s = 0; s < g->steps.size(); ++s)
        for (int t : g->steps[s].tops)
            producer[static_cast<std::size_t>(t)] = static_cast<int>(s);
    for (int target : g->info_slot) {
        std::vector<bool> needed(g->steps.size(), false);
        std::vector<int> pending{target};
        while (!pending.empty()) {
            const int slot = pending.back();
            pending.pop_back();
            const int s = producer[static_cast<std::size_t>(slot)];
            if (s < 0 || needed[static_cast<std::size_t>(s)])
                continue;
            needed[static_cast<std::size_t>(s)] = true;
            for (int b : g->steps[static_cast<std::size_t>(s)].bottoms)
                pending.push_back(b);
        }
        std::vector<int> plan;
        for (std::size_t s = 0; s < g->steps.size(); ++s)
            if (needed[s])
                plan.push_back(static_cast<int>(s));
        g->info_plan.push_back(std::move(plan));
    }
    return CaffeNet(std::move(g));
}

const std::vector<LayerInfo>& CaffeNet::layers() const {
    return graph_->infos;
}
const std::vector<std::int64_t>& CaffeNet::input_shape() const {
    return graph_->input_shape;
}
const std::string& CaffeNet::name() const {
    return graph_->name;
}
const std::string& CaffeNet::input_blob() const {
    return graph_->input_blob;
}
const std::vector<std::string>& CaffeNet::warnings() const {
    return graph_->warnings;
}

std::int64_t CaffeNet::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& s : graph_->steps)
        n += s.op->parameter_count();
    return n;
}

const std::string& CaffeNet::default_output_layer() const {
    const auto& layers = graph_->infos;
    if (layers.size() >= 2 && layers.back().type == "Softmax")
        return layers[layers.size() - 2].name;
    return layers.back().name;
}

std::vector<std::string> CaffeNet::supported_types() {
    return caffe_layers::supported_types();
}

at::Tensor CaffeNet::forward_to(const at::Tensor& input, const std::string& layer) const {
    const auto& g = *graph_;
    std::size_t index = g.infos.size() - 1;
    if (!layer.empty()) {
        index = g.infos.size();
        for (std::size_t i = 0; i < g.infos.size(); ++i)
            if (g.infos[i].name == layer)
                index = i;
        if (index == g.infos.size()) {
            std::string known;
            for (const auto& l : g.infos)
                known += (known.empty() ? "" : ", ") + l.name;
            throw Error("unknown layer \"" + layer + "\" in Caffe network \"" + g.name +
                        "\"; its layers are: " + known);
        }
    }
    const auto sizes = input.sizes();
    if (sizes.size() != g.input_shape.size() + 1 ||
        !std::equal(g.input_shape.begin(), g.input_shape.end(), sizes.begin() + 1))
        throw Error("Caffe network \"" + g.name + "\" takes input \"" + g.input_blob +
                    "\" of shape [N, " + shape_text(g.input_shape).substr(1) + ", got " +
                    shape_text(sizes));
    const BFloat16Autocast autocast(bfloat16_, input.device());
    std::vector<at::Tensor> slots(static_cast<std::size_t>(g.slot_count));
    slots[static_cast<std::size_t>(g.input_slot)] = input;
    std::vector<at::Tensor> bottoms;
    for (int s : g.info_plan[index]) {
        const auto& step = g.steps[static_cast<std::size_t>(s)];
        bottoms.clear();
        for (int b : step.bottoms)
            bottoms.push_back(slots[static_cast<std::size_t>(b)]);
        auto outputs = step.op->run(bottoms);
        for (std::size_t t = 0; t < step.tops.size(); ++t)
            slots[static_cast<std::size_t>(step.tops[t])] = std::move(outputs[t]);
    }
    return autocast.output(slots[static_cast<std::size_t>(g.info_slot[index])]);
}

void CaffeNet::to(const at::Device& device) {
    // Only the ops' weights move; the blobs as read stay put for write_caffemodel, so a GPU
    // does not hold the weights twice.
    for (auto& s : graph_->steps)
        s.op->to(device);
}

void CaffeNet::set_execution_mode(const ExecutionMode& mode) {
    bfloat16_ = mode.bfloat16;
    for (auto& s : graph_->steps)
        s.op->set_execution_mode(mode);
}

void CaffeNet::write_caffemodel(const fs::path& path) const {
    dgnam_caffe::NetParameter net;
    net.set_name(graph_->name);
    for (const auto& step : graph_->steps) {
        if (step.blobs.empty())
            continue;
        auto* layer = net.add_layer();
        layer->set_name(step.name);
        layer->set_type(step.type);
        for (const auto& b : step.blobs) {
            auto* blob = layer->add_blobs();
            for (auto d : b.sizes())
                blob->mutable_shape()->add_dim(d);
            const auto values = b.to(at::kCPU).to(at::kFloat).contiguous();
            blob->mutable_data()->Resize(static_cast<int>(values.numel()), 0.0f);
            std::memcpy(blob->mutable_data()->mutable_data(), values.data_ptr<float>(),
                        static_cast<std::size_t>(values.numel()) * sizeof(float));
        }
    }
    std::string bytes;
    if (!net.SerializeToString(&bytes))
        throw Error(path.string() + ": the weights exceed what a .caffemodel can hold (2 GiB)");
    write_file_atomically(path, bytes);
}

}  // namespace dgnam
