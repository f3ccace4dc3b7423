// RecordFunction's layout and inline accessors depend on NDEBUG (core/CMakeLists.txt).
#ifndef NDEBUG
#error "torchscript_cost.cpp must be compiled with NDEBUG, as LibTorch is"
#endif

#include "torchscript_cost.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace dgnam {
namespace {

thread_local OperatorCostCount* active_count = nullptr;

bool starts_with(const char* name, const char* prefix) {
    return std::strncmp(name, prefix, std::strlen(prefix)) == 0;
}

const at::Tensor* tensor_at(c10::ArrayRef<const c10::IValue> inputs, std::size_t i) {
    return i < inputs.size() && inputs[i].isTensor() ? &inputs[i].toTensor() : nullptr;
}

bool is_one_of(const std::string& op, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return op == n; });
}

}  // namespace

OperatorCostCount::Cost OperatorCostCount::cost_of(const at::RecordFunction& fn) {
    const char* name = fn.name();
    if (!starts_with(name, "aten::"))
        return {};
    const std::string op = name + 6;
    const auto inputs = fn.inputs();
    if (is_one_of(op, {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                       "conv_transpose3d", "convolution", "_convolution", "mkldnn_convolution"})) {
        const at::Tensor* x = tensor_at(inputs, 0);
        const at::Tensor* w = tensor_at(inputs, 1);
        if (!x || !w || w->dim() < 2 || w->size(0) == 0)
            return {};
        bool transposed = starts_with(op.c_str(), "conv_transpose");
        if (op == "convolution" || op == "_convolution")
            transposed = inputs.size() > 6 && inputs[6].isBool() && inputs[6].toBool();
        Cost cost;
        cost.known = true;
        cost.convolution = transposed ? WeightedOp::TransposedConvolution : WeightedOp::Convolution;
        cost.weight_shape = w->sizes().vec();
        cost.in_values = x->numel();
        return cost;
    }
    // Products: each output value sums over the last axis of the first matrix operand.
    if (op == "linear") {
        const at::Tensor* w = tensor_at(inputs, 1);
        Cost cost;
        cost.known = w && w->dim() >= 1;
        cost.per_output = cost.known ? w->size(-1) : 0;
        return cost;
    }
    std::size_t matrix = 0;
    if (is_one_of(op, {"addmm", "baddbmm", "addmv", "addbmm"}))
        matrix = 1;
    else if (!is_one_of(op, {"mm", "bmm", "matmul", "mv", "dot"}))
        return {};
    const at::Tensor* a = tensor_at(inputs, matrix);
    if (!a || a->dim() < 1)
        return {};
    Cost cost;
    cost.known = true;
    cost.per_output = a->size(-1);
    if (op == "addbmm" && a->dim() == 3)  // also sums over the batch of products
        cost.per_output *= a->size(0);
    return cost;
}

std::int64_t OperatorCostCount::Cost::given(std::int64_t out_values) const {
    return convolution ? multiply_adds(*convolution, weight_shape, in_values, out_values)
                       : per_output * out_values;
}

struct OperatorCostCount::CallCost final : at::ObserverContext {
    bool top_level = false;
    Cost cost;
};

OperatorCostCount::OperatorCostCount() : outer_(active_count) {
    // One pair of hooks a thread: an inner count's calls reach the innermost count only.
    if (!outer_)
        handle_ = at::addThreadLocalCallback(at::RecordFunctionCallback(&on_start, &on_end)
                                                 .needsInputs(true)
                                                 .needsOutputs(true)
                                                 .scopes({at::RecordScope::FUNCTION}));
    active_count = this;
}

OperatorCostCount::~OperatorCostCount() {
    if (!outer_)
        at::removeCallback(handle_);
    active_count = outer_;
}

std::unique_ptr<at::ObserverContext> OperatorCostCount::on_start(const at::RecordFunction& fn) {
    OperatorCostCount* count = active_count;
    if (!count)
        return nullptr;
    auto call = std::make_unique<CallCost>();
    call->top_level = count->depth_++ == 0;
    if (count->costed_depth_ == 0)
        call->cost = cost_of(fn);
    if (call->cost.known)
        ++count->costed_depth_;
    return call;
}

void OperatorCostCount::on_end(const at::RecordFunction& fn, at::ObserverContext* context) {
    OperatorCostCount* count = active_count;
    auto* call = static_cast<CallCost*>(context);
    if (!count || !call)
        return;
    --count->depth_;
    const auto& outputs = fn.outputs();
    if (call->cost.known) {
        --count->costed_depth_;
        const std::int64_t out_values =
            !outputs.empty() && outputs[0].isTensor() ? outputs[0].toTensor().numel() : 0;
        count->costed_.push_back({call->cost.given(out_values), count->top_level_calls_});
    }
    if (call->top_level) {
        for (const auto& out : outputs)
            if (out.isTensor() && out.toTensor().defined() && out.toTensor().has_storage())
                count->first_made_by_.emplace(out.toTensor().storage().unsafeGetStorageImpl(),
                                              count->top_level_calls_);
        ++count->top_level_calls_;
    }
}

std::vector<std::int64_t> OperatorCostCount::by_layer(
    const std::vector<std::pair<std::string, at::Tensor>>& layers) const {
    std::vector<std::int64_t> made_by(layers.size(), -1);  // -1: never made (the input itself)
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const at::Tensor& t = layers[i].second;
        if (!t.defined() || !t.has_storage())
            continue;
        const auto found = first_made_by_.find(t.storage().unsafeGetStorageImpl());
        if (found != first_made_by_.end())
            made_by[i] = found->second;
    }
    std::vector<std::int64_t> macs(layers.size(), 0);
    if (layers.empty())
        return macs;
    for (const Costed& c : costed_) {
        std::size_t to = layers.size() - 1;
        for (std::size_t i = 0; i < layers.size(); ++i)
            if (made_by[i] >= c.top_level_call) {
                to = i;
                break;
            }
        macs[to] += c.multiply_adds;
    }
    return macs;
}

}  // namespace dgnam
