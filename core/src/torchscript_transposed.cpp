#include "torchscript_transposed.h"

#include <c10/util/Optional.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/library.h>

#include <algorithm>

#include "dgnam/conv_transpose_rewrite.h"

namespace dgnam {
namespace {

// A constant int list: a constant, or a list built from constants (freezing does not always
// fold those).
std::optional<std::vector<std::int64_t>> constant_int_list(torch::jit::Value* v) {
    if (auto iv = torch::jit::toIValue(v)) {
        if (iv->isIntList())
            return iv->toIntVector();
        if (iv->isInt())
            return std::vector<std::int64_t>{iv->toInt(), iv->toInt()};
        return std::nullopt;
    }
    if (v->node()->kind() != c10::prim::ListConstruct)
        return std::nullopt;
    std::vector<std::int64_t> out;
    for (torch::jit::Value* item : v->node()->inputs()) {
        const auto iv = torch::jit::toIValue(item);
        if (!iv || !iv->isInt())
            return std::nullopt;
        out.push_back(iv->toInt());
    }
    return out;
}

std::optional<std::int64_t> constant_int_value(torch::jit::Value* v) {
    const auto iv = torch::jit::toIValue(v);
    return iv && iv->isInt() ? std::optional<std::int64_t>(iv->toInt()) : std::nullopt;
}

// One transposed convolution's inputs, from aten::conv_transpose2d (scripted code) or
// aten::_convolution with transposed = true (traced code).
struct TransposedCall {
    torch::jit::Value* input = nullptr;
    torch::jit::Value* weight = nullptr;
    torch::jit::Value* bias = nullptr;
    torch::jit::Value* stride = nullptr;
    torch::jit::Value* pad = nullptr;
    torch::jit::Value* output_pad = nullptr;
    torch::jit::Value* groups = nullptr;
    torch::jit::Value* dilation = nullptr;
};

std::optional<TransposedCall> transposed_call(torch::jit::Node* n) {
    static const auto conv_transpose2d = c10::Symbol::fromQualString("aten::conv_transpose2d");
    static const auto convolution = c10::Symbol::fromQualString("aten::_convolution");
    const auto in = n->inputs();
    if (n->kind() == conv_transpose2d && in.size() == 8)
        return TransposedCall{in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7]};
    if (n->kind() == convolution && in.size() >= 9) {
        const auto transposed = torch::jit::toIValue(in[6]);
        if (transposed && transposed->isBool() && transposed->toBool())
            return TransposedCall{in[0], in[1], in[2], in[3], in[4], in[7], in[8], in[5]};
    }
    return std::nullopt;
}

void collect_transposed_calls(torch::jit::Block* block, std::vector<torch::jit::Node*>& out) {
    for (torch::jit::Node* n : block->nodes()) {
        if (transposed_call(n))
            out.push_back(n);
        for (torch::jit::Block* inner : n->blocks())
            collect_transposed_calls(inner, out);
    }
}

// The operator a rewritten call becomes: the layer's plain kernel where
// TransposedConvolution::rewrite_pays_off says so, the layer as written elsewhere; the other
// sources choose the same way at each call. Its code is theirs (run_plain_kernel), which a graph
// of LibTorch's operators could only imitate with slices and a stack, whose gradients allocate
// and add a full-size tensor for every slice. Four layers (256 -> 256 -> 128 -> 64 channels by
// kernel 4, then 3 by kernel 3), forward and input gradient on 2 cores: from an 8x8 input at
// batch 8, 102-103 ms a step with the slices, 90 with this operator, 95-97 as written; from 4x4
// at batch 1, 5.5, 4.2-4.5 and 3.8-3.9 ms.
at::Tensor transposed_convolution_operator(const at::Tensor& x, const at::Tensor& weight,
                                           const c10::optional<at::Tensor>& bias,
                                           const at::Tensor& plain_weight,
                                           const c10::optional<at::Tensor>& plain_bias,
                                           std::int64_t kernel, std::int64_t stride,
                                           std::int64_t pad) {
    if (TransposedConvolution::rewrite_pays_off(x))
        return run_plain_kernel(x, {plain_weight, plain_bias.value_or(at::Tensor())}, kernel);
    return at::conv_transpose2d(x, weight, bias.value_or(at::Tensor()), stride, pad);
}

// Registered with LibTorch's operator table the first time a model is rewritten, once for the
// process; a registration made when the library loads would run in every program that links it.
c10::Symbol transposed_convolution_symbol() {
    static const torch::Library registration = [] {
        torch::Library library(torch::Library::DEF, "dgnam", c10::nullopt, __FILE__, __LINE__);
        library.def(
            "transposed_convolution(Tensor x, Tensor weight, Tensor? bias, Tensor plain_weight, "
            "Tensor? plain_bias, int kernel, int stride, int pad) -> Tensor",
            &transposed_convolution_operator);
        return library;
    }();
    static const auto symbol = c10::Symbol::fromQualString("dgnam::transposed_convolution");
    return symbol;
}

// Replaces the call with dgnam::transposed_convolution when everything but the input is a
// constant and the layer is of a rewritable kind; false leaves it as it is.
bool rewrite_transposed_call(torch::jit::Node* n) {
    const TransposedCall c = *transposed_call(n);
    const auto weight = torch::jit::toIValue(c.weight);
    const auto bias = torch::jit::toIValue(c.bias);
    const auto stride = constant_int_list(c.stride), pad = constant_int_list(c.pad),
               output_pad = constant_int_list(c.output_pad),
               dilation = constant_int_list(c.dilation);
    const auto groups = constant_int_value(c.groups);
    if (!weight || !weight->isTensor() || !bias || !(bias->isNone() || bias->isTensor()) ||
        !stride || !pad || !output_pad || !dilation || !groups)
        return false;
    const at::Tensor w = weight->toTensor();
    const std::vector<std::int64_t> none{0, 0}, one{1, 1};
    if (w.dim() != 4 || stride->size() != 2 || pad->size() != 2 || *output_pad != none ||
        *dilation != one || *groups != 1 ||
        !conv_transpose_rewritable(w.size(2), w.size(3), (*stride)[0], (*stride)[1], (*pad)[0],
                                   (*pad)[1]))
        return false;
    const at::Tensor b = bias->isTensor() ? bias->toTensor() : at::Tensor();
    const std::int64_t kernel = w.size(2);
    const PlainKernel k = prepared_kernel(w, b, kernel);

    torch::jit::Graph& graph = *n->owningGraph();
    torch::jit::WithInsertPoint here(n);
    torch::jit::Value* plain_weight = graph.insertConstant(k.weight);
    torch::jit::Value* plain_bias =
        k.bias.defined() ? graph.insertConstant(k.bias) : graph.insertConstant(c10::IValue());
    torch::jit::Value* y = graph.insert(
        transposed_convolution_symbol(),
        {c.input, c.weight, c.bias, plain_weight, plain_bias, kernel, (*stride)[0], (*pad)[0]});
    n->output()->replaceAllUsesWith(y);
    n->destroy();
    return true;
}

}  // namespace

std::optional<RewrittenTorchScript> rewrite_transposed_convolutions(
    const torch::jit::Module& module, const std::vector<std::string>& methods) {
    // A look at an inlined copy of the graphs first: freezing copies every weight.
    std::vector<std::string> all{"forward"};
    all.insert(all.end(), methods.begin(), methods.end());
    bool any = false;
    for (const auto& name : all) {
        auto copy = module.get_method(name).graph()->copy();
        torch::jit::Inline(*copy);
        std::vector<torch::jit::Node*> calls;
        collect_transposed_calls(copy->block(), calls);
        any = any || !calls.empty();
    }
    if (!any)
        return std::nullopt;

    RewrittenTorchScript out{torch::jit::freeze(module, methods, /*optimize_numerics=*/false)};
    for (const auto& name : all) {
        auto graph = out.module.get_method(name).graph();
        std::vector<torch::jit::Node*> calls;
        collect_transposed_calls(graph->block(), calls);
        int rewritten = 0;
        for (torch::jit::Node* n : calls)
            rewritten += rewrite_transposed_call(n) ? 1 : 0;
        // forward inlines layer_outputs when it calls it: count each layer once
        out.rewritten = std::max(out.rewritten, rewritten);
        torch::jit::EliminateDeadCode(graph);
    }
    if (out.rewritten == 0)
        return std::nullopt;
    return out;
}

}  // namespace dgnam
