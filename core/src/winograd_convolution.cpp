#include "dgnam/winograd_convolution.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cstring>
#include <unordered_map>

#include "dgnam/build_config.h"

#if DGNAM_HAVE_DNNL
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace dgnam {

#if DGNAM_HAVE_DNNL
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

memory::dims dims_of(const at::Tensor& t) {
    return memory::dims(t.sizes().begin(), t.sizes().end());
}

memory::desc plain(const memory::dims& dims) {
    return memory::desc(dims, memory::data_type::f32, dims.size() == 1 ? Tag::x : Tag::nchw);
}

memory::desc any_layout(const memory::dims& dims) {
    return memory::desc(dims, memory::data_type::f32, Tag::any);
}

// The oneDNN state of one call: the engine, a stream on it, and the memory it allocated, which
// stays in ATen tensors (the process's allocator, freed memory reused).
struct Call {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};

    memory wrap(const at::Tensor& t) { return memory(plain(dims_of(t)), engine, t.data_ptr()); }
    memory allocate(const memory::desc& desc, at::Tensor& storage) {
        storage = at::empty({static_cast<std::int64_t>(desc.get_size() / sizeof(float))},
                            at::TensorOptions(at::kFloat));
        return memory(desc, engine, storage.data_ptr());
    }
    // `from` in the layout `desc` asks for: `from` itself when it already is.
    memory in_layout(memory from, const memory::desc& desc, at::Tensor& storage) {
        if (from.get_desc() == desc)
            return from;
        memory to = allocate(desc, storage);
        dnnl::reorder(from, to).execute(stream, from, to);
        return to;
    }
    at::Tensor to_plain(memory from, const memory::dims& dims) {
        at::Tensor out = at::empty(dims, at::TensorOptions(at::kFloat));
        memory to = wrap(out);
        if (from.get_desc() == to.get_desc())
            std::memcpy(out.data_ptr(), from.get_data_handle(), from.get_desc().get_size());
        else
            dnnl::reorder(from, to).execute(stream, from, to);
        return out;
    }
};

struct Geometry {
    memory::dims src, weights, dst, strides{1, 1}, pad;
};

Geometry geometry_of(const at::IntArrayRef x_sizes, const at::Tensor& weight, std::int64_t pad_h,
                     std::int64_t pad_w) {
    Geometry g;
    g.src = memory::dims(x_sizes.begin(), x_sizes.end());
    g.weights = dims_of(weight);
    g.dst = {g.src[0], g.weights[0], g.src[2] + 2 * pad_h - g.weights[2] + 1,
             g.src[3] + 2 * pad_w - g.weights[3] + 1};
    g.pad = {pad_h, pad_w};
    return g;
}

// oneDNN's own scratchpad allocations fault their pages in anew at every call; in ATen tensors
// they reuse the process's freed memory (freed_memory_reuse.h), as LibTorch's calls do.
dnnl::primitive_attr scratchpad_from_caller() {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
}

dnnl::convolution_forward::primitive_desc forward_desc(const Geometry& g, bool with_bias,
                                                       const dnnl::engine& engine) {
    const auto bias = with_bias ? plain({g.weights[0]}) : memory::desc();
    return {{dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_winograd,
             any_layout(g.src), any_layout(g.weights), bias, any_layout(g.dst), g.strides, g.pad,
             g.pad},
            scratchpad_from_caller(),
            engine};
}

at::Tensor run_forward(Call& call, const dnnl::convolution_forward::primitive_desc& pd,
                       const Geometry& g, const at::Tensor& x, const at::Tensor& weight,
                       const at::Tensor& bias) {
    at::Tensor src_storage, weight_storage, dst_storage, scratchpad_storage;
    const memory src = call.in_layout(call.wrap(x), pd.src_desc(), src_storage);
    const memory weights = call.in_layout(call.wrap(weight), pd.weights_desc(), weight_storage);
    const memory dst = call.allocate(pd.dst_desc(), dst_storage);
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, src},
        {DNNL_ARG_WEIGHTS, weights},
        {DNNL_ARG_DST, dst},
        {DNNL_ARG_SCRATCHPAD, call.allocate(pd.scratchpad_desc(), scratchpad_storage)}};
    if (bias.defined())
        args.emplace(DNNL_ARG_BIAS, call.wrap(bias));
    dnnl::convolution_forward(pd).execute(call.stream, args);
    return call.to_plain(dst, g.dst);
}

at::Tensor run_backward_data(const Geometry& g, const at::Tensor& grad_y,
                             const at::Tensor& weight) {
    Call call;
    const auto hint = forward_desc(g, false, call.engine);
    const dnnl::convolution_backward_data::primitive_desc pd(
        {dnnl::algorithm::convolution_winograd, any_layout(g.src), any_layout(g.weights),
         any_layout(g.dst), g.strides, g.pad, g.pad},
        scratchpad_from_caller(), call.engine, hint);
    at::Tensor diff_dst_storage, weight_storage, diff_src_storage, scratchpad_storage;
    const memory diff_dst = call.in_layout(call.wrap(grad_y), pd.diff_dst_desc(), diff_dst_storage);
    const memory weights = call.in_layout(call.wrap(weight), pd.weights_desc(), weight_storage);
    const memory diff_src = call.allocate(pd.diff_src_desc(), diff_src_storage);
    const memory scratchpad = call.allocate(pd.scratchpad_desc(), scratchpad_storage);
    dnnl::convolution_backward_data(pd).execute(call.stream, {{DNNL_ARG_DIFF_DST, diff_dst},
                                                              {DNNL_ARG_WEIGHTS, weights},
                                                              {DNNL_ARG_DIFF_SRC, diff_src},
                                                              {DNNL_ARG_SCRATCHPAD, scratchpad}});
    return call.to_plain(diff_src, g.src);
}

// The forward pass runs before autograd records this node, because creating its primitive
// descriptor is what tells whether a Winograd kernel exists; the node passes the finished output
// through and computes the input's gradient.
class WinogradInputGradient : public torch::autograd::Function<WinogradInputGradient> {
  public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                              const at::Tensor& y, const at::Tensor& weight, std::int64_t pad_h,
                              std::int64_t pad_w) {
        ctx->save_for_backward({weight});
        ctx->saved_data["pad_h"] = pad_h;
        ctx->saved_data["pad_w"] = pad_w;
        ctx->saved_data["x_sizes"] = x.sizes().vec();
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const at::Tensor weight = ctx->get_saved_variables()[0];
        const auto x_sizes = ctx->saved_data["x_sizes"].toIntVector();
        const Geometry g = geometry_of(x_sizes, weight, ctx->saved_data["pad_h"].toInt(),
                                       ctx->saved_data["pad_w"].toInt());
        return {run_backward_data(g, grads[0].contiguous(), weight), at::Tensor(), at::Tensor(),
                at::Tensor(), at::Tensor()};
    }
};

}  // namespace

std::optional<at::Tensor> winograd_convolution(const at::Tensor& x, const at::Tensor& weight,
                                               const at::Tensor& bias, std::int64_t pad_h,
                                               std::int64_t pad_w) {
    const Geometry g = geometry_of(x.sizes(), weight, pad_h, pad_w);
    Call call;
    std::optional<dnnl::convolution_forward::primitive_desc> pd;
    try {
        pd = forward_desc(g, bias.defined(), call.engine);
    } catch (const dnnl::error&) {
        return std::nullopt;  // no Winograd kernel here: the caller takes the direct one
    }
    const at::Tensor x_plain = x.contiguous();
    const at::Tensor weight_plain = weight.contiguous();
    const at::Tensor bias_plain = bias.defined() ? bias.contiguous() : bias;
    at::Tensor y;
    {
        at::NoGradGuard no_grad;
        y = run_forward(call, *pd, g, x_plain, weight_plain, bias_plain);
    }
    if (!x.requires_grad() || !at::GradMode::is_enabled())
        return y;
    return WinogradInputGradient::apply(x, y, weight_plain, pad_h, pad_w);
}

#else

std::optional<at::Tensor> winograd_convolution(const at::Tensor&, const at::Tensor&,
                                               const at::Tensor&, std::int64_t, std::int64_t) {
    return std::nullopt;
}

#endif

}  // namespace dgnam
