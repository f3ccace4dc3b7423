#include "dgnam/fully_connected.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include "dgnam/build_config.h"

#if DGNAM_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

namespace dgnam {
namespace {

// Without oneDNN: layers under 1 M weights keep at::linear, larger ones with a single sample
// take the matrix-vector product (OpenBLAS's sgemm with one row copies the whole weight matrix).
constexpr std::int64_t kMatrixVectorFrom = std::int64_t{1} << 20;

at::Tensor linear_without_dnnl(const at::Tensor& x, const at::Tensor& weight,
                               const at::Tensor& bias) {
    if (x.size(0) != 1 || weight.requires_grad() || weight.numel() < kMatrixVectorFrom)
        return at::linear(x, weight, bias);
    auto y = at::mv(weight, x.select(0, 0));
    if (bias.defined())
        y = y + bias;
    return y.unsqueeze(0);
}

#if DGNAM_HAVE_DNNL

// From this many samples the forward product runs transposed: oneDNN's sgemm streams a large
// weight matrix faster as the left operand than as the transposed right one. 4096 x 9216 weights
// (151 MB), 2 threads: 8 rows 14.7 -> 11.6 ms, 10 rows 17.9 -> 9.7, 16 rows 57.4 -> 10.9, 32 rows
// 62.3 -> 15.3; at 4 rows the plain form is faster (6.9 against 9.1 ms). The paper's six layers
// (fc6 generator and CaffeNet) at batch 8: 32.5 -> 28.9 ms, at batch 32: 187 -> 53 ms. Weights that
// stay in the cache do not gain: the bundled classifier's fc4 (6.4 MB) at 10 rows made its step
// 0.35 ms slower.
constexpr std::int64_t kTransposedForwardFrom = 8;
constexpr std::int64_t kTransposedForwardFromWeights = std::int64_t{1} << 23;  // 32 MB

// y[n, out] = x[n, in] W[out, in]^T (+ b), row-major, through oneDNN's sgemm.
at::Tensor dnnl_forward(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    const auto n = x.size(0), in = x.size(1), out = weight.size(0);
    const float beta = bias.defined() ? 1.0f : 0.0f;
    if (n >= kTransposedForwardFrom && weight.numel() >= kTransposedForwardFromWeights) {
        // y^T[out, n] = W[out, in] x^T, then one small transposing copy
        at::Tensor y_t =
            bias.defined() ? bias.unsqueeze(1).repeat({1, n}) : at::empty({out, n}, x.options());
        const dnnl_status_t status =
            dnnl_sgemm('N', 'T', out, n, in, 1.0f, weight.data_ptr<float>(), in,
                       x.data_ptr<float>(), in, beta, y_t.data_ptr<float>(), n);
        TORCH_CHECK(status == dnnl_success, "oneDNN sgemm failed (status ", int(status), ")");
        return y_t.t().contiguous();
    }
    // A fresh tensor: sgemm adds into it (an expanded bias of one row would count as contiguous
    // and be written through).
    at::Tensor y =
        bias.defined() ? bias.unsqueeze(0).repeat({n, 1}) : at::empty({n, out}, x.options());
    const dnnl_status_t status =
        dnnl_sgemm('N', 'T', n, out, in, 1.0f, x.data_ptr<float>(), in, weight.data_ptr<float>(),
                   in, beta, y.data_ptr<float>(), out);
    TORCH_CHECK(status == dnnl_success, "oneDNN sgemm failed (status ", int(status), ")");
    return y;
}

// The input's gradient only: the weights are frozen. gx[n, in] = gy[n, out] W[out, in].
at::Tensor dnnl_input_gradient(const at::Tensor& grad_y, const at::Tensor& weight) {
    const auto n = grad_y.size(0), out = weight.size(0), in = weight.size(1);
    at::Tensor gx = at::empty({n, in}, grad_y.options());
    const dnnl_status_t status =
        dnnl_sgemm('N', 'N', n, in, out, 1.0f, grad_y.data_ptr<float>(), out,
                   weight.data_ptr<float>(), in, 0.0f, gx.data_ptr<float>(), in);
    TORCH_CHECK(status == dnnl_success, "oneDNN sgemm failed (status ", int(status), ")");
    return gx;
}

// The weights travel outside autograd's inputs: they have no gradient, and the bias may be
// undefined, which a custom function cannot take as a tensor input.
struct FrozenWeights {
    at::Tensor weight;
    at::Tensor bias;
};

struct FrozenLinear : torch::autograd::Function<FrozenLinear> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                              const FrozenWeights& frozen) {
        ctx->saved_data["weight"] = frozen.weight;
        return dnnl_forward(x.contiguous(), frozen.weight, frozen.bias);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const at::Tensor weight = ctx->saved_data["weight"].toTensor();
        return {dnnl_input_gradient(grads[0].contiguous(), weight), at::Tensor()};
    }
};

bool dnnl_can_run(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    auto plain_float = [](const at::Tensor& t) {
        return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.is_contiguous() &&
               t.layout() == at::kStrided;
    };
    return !weight.requires_grad() && plain_float(weight) && x.device().is_cpu() &&
           x.scalar_type() == at::kFloat &&
           (!bias.defined() || (plain_float(bias) && !bias.requires_grad()));
}

#endif

}  // namespace

at::Tensor fully_connected(const at::Tensor& input, const at::Tensor& weight,
                           const at::Tensor& bias) {
    // Under a bfloat16 autocast the layer stays float32: reading its weights bounds it, not the
    // arithmetic, and LibTorch 1.13's bfloat16 matrix-vector product fails on the CPU.
    c10::impl::ExcludeDispatchKeyGuard no_autocast(
        c10::DispatchKeySet({c10::DispatchKey::AutocastCPU, c10::DispatchKey::AutocastCUDA}));
    const at::Tensor x =
        input.scalar_type() == at::kBFloat16 ? input.to(weight.scalar_type()) : input;
    if (x.dim() != 2)
        return at::linear(x, weight, bias);
#if DGNAM_HAVE_DNNL
    if (dnnl_can_run(x, weight, bias))
        return FrozenLinear::apply(x, FrozenWeights{weight, bias});
#endif
    return linear_without_dnnl(x, weight, bias);
}

}  // namespace dgnam
