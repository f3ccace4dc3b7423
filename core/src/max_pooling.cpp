#include "dgnam/max_pooling.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

namespace dgnam {
namespace {

const std::vector<std::int64_t> no_dilation{1, 1};

// The indices max_pool2d returns count positions within each channel's plane whatever the
// memory layout, so the channels-last forward's indices serve the plain backward as they are.
struct ChannelsLastForwardMaxPool : torch::autograd::Function<ChannelsLastForwardMaxPool> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                              const PoolingWindow& w) {
        auto [y, indices] =
            at::max_pool2d_with_indices(x.contiguous(at::MemoryFormat::ChannelsLast), w.kernel,
                                        w.stride, w.pad, no_dilation, w.ceil);
        ctx->save_for_backward({x, indices.contiguous()});
        ctx->saved_data["kernel"] = w.kernel;
        ctx->saved_data["stride"] = w.stride;
        ctx->saved_data["pad"] = w.pad;
        ctx->saved_data["ceil"] = w.ceil;
        return y.contiguous();
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const auto& d = ctx->saved_data;
        return {at::max_pool2d_with_indices_backward(
                    grads[0].contiguous(), saved[0], d.at("kernel").toIntVector(),
                    d.at("stride").toIntVector(), d.at("pad").toIntVector(), no_dilation,
                    d.at("ceil").toBool(), saved[1]),
                at::Tensor()};
    }
};

}  // namespace

at::Tensor max_pooling(const at::Tensor& x, const PoolingWindow& window) {
    // One channel: both layouts are the same and LibTorch picks the plain kernel anyway.
    if (x.dim() == 4 && x.device().is_cpu() && x.size(1) > 1 && x.is_contiguous())
        return ChannelsLastForwardMaxPool::apply(x, window);
    return at::max_pool2d(x, window.kernel, window.stride, window.pad, no_dilation, window.ceil);
}

}  // namespace dgnam
