#include "dgnam/local_response_norm.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

namespace dgnam {
namespace {

// out[:, c] = sum of in[:, c'] over the channels c' within `half` of c (those that exist): the
// whole tensor shifted by each offset and added, 2 * half vectorised passes, where LibTorch's
// average pooling over a padded 5-D view walked the window element by element.
at::Tensor channel_window_sums(const at::Tensor& in, std::int64_t half) {
    at::Tensor out = in.clone();
    const std::int64_t channels = in.size(1);
    for (std::int64_t offset = 1; offset <= half && offset < channels; ++offset) {
        const std::int64_t rest = channels - offset;
        out.narrow(1, offset, rest).add_(in.narrow(1, 0, rest));
        out.narrow(1, 0, rest).add_(in.narrow(1, offset, rest));
    }
    return out;
}

// scale^-beta. Caffe's nets use beta 0.75, where rsqrt(scale^1.5) is three vectorised passes
// instead of a general power (the costliest part of the layer).
at::Tensor inverse_power(const at::Tensor& scale, double beta) {
    if (beta == 0.75)
        return at::rsqrt(scale * at::sqrt(scale));
    return at::pow(scale, -beta);
}

class AcrossChannels : public torch::autograd::Function<AcrossChannels> {
  public:
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                              std::int64_t size, double alpha, double beta, double k) {
        const std::int64_t half = (size - 1) / 2;
        at::Tensor scale = channel_window_sums(x * x, half);
        scale.mul_(alpha / static_cast<double>(size)).add_(k);
        const at::Tensor factor = inverse_power(scale, beta);
        const at::Tensor y = x * factor;
        ctx->save_for_backward({x, y, scale, factor});
        ctx->saved_data["size"] = size;
        ctx->saved_data["alpha"] = alpha;
        ctx->saved_data["beta"] = beta;
        return y;
    }

    // Caffe's formula: dx = dy * scale^-beta - 2 alpha beta / n * x * (window sum of
    // dy * y / scale), the window sum because every channel whose window holds c feeds it.
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor &x = saved[0], &y = saved[1], &scale = saved[2], &factor = saved[3];
        const at::Tensor& dy = grads[0];
        const std::int64_t size = ctx->saved_data["size"].toInt();
        const double alpha = ctx->saved_data["alpha"].toDouble();
        const double beta = ctx->saved_data["beta"].toDouble();
        const at::Tensor sums = channel_window_sums(dy * y / scale, (size - 1) / 2);
        at::Tensor dx = dy * factor;
        dx.sub_(x * sums, 2.0 * alpha * beta / static_cast<double>(size));
        return {dx, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor local_response_norm_across_channels(const at::Tensor& x,
                                               const LocalResponseNormParams& p) {
    return AcrossChannels::apply(x, p.size, p.alpha, p.beta, p.k);
}

}  // namespace dgnam
