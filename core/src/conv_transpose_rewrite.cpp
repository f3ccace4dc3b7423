#include "dgnam/conv_transpose_rewrite.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>

#include <vector>

#include "dgnam/convolution.h"

namespace dgnam {

bool conv_transpose_rewritable(std::int64_t kernel_h, std::int64_t kernel_w, std::int64_t stride_h,
                               std::int64_t stride_w, std::int64_t pad_h, std::int64_t pad_w) {
    if (kernel_h != kernel_w || stride_h != stride_w || pad_h != pad_w)
        return false;
    return (kernel_h == 4 && stride_h == 2 && pad_h == 1) ||
           (kernel_h == 3 && stride_h == 1 && pad_h == 1);
}

namespace {

// LibTorch 1.13 runs transposed convolutions on the CPU through a slow col2im path. The two kinds
// the paper's generator uses have exact rewrites into plain convolutions, which oneDNN runs fast:
// - kernel 4, stride 2, pad 1: a 3x3 pad-1 convolution with 4x the output channels, one per
//   output phase (ry, rx), followed by pixel_shuffle(2);
// - kernel 3, stride 1, pad 1: a convolution with the kernel's in/out swapped and flipped.

// The kernel taps each output phase (ry, rx) of a kernel-4 stride-2 pad-1 transposed convolution
// reads: tap j of phase r is kernel row tap[r][j] (-1: none, a zero). [in, out, 4 phases, n, n].
at::Tensor phase_taps(const at::Tensor& weight, const std::vector<std::int64_t> (&tap)[2]) {
    const auto in = weight.size(0), out = weight.size(1);
    const auto n = static_cast<std::int64_t>(tap[0].size());
    auto padded = at::constant_pad_nd(weight, {0, 1, 0, 1}, 0.0);  // index 4 reads zero
    std::vector<std::int64_t> rows, cols;
    for (int ry = 0; ry < 2; ++ry)
        for (int rx = 0; rx < 2; ++rx)
            for (std::int64_t jy = 0; jy < n; ++jy)
                for (std::int64_t jx = 0; jx < n; ++jx) {
                    rows.push_back(tap[ry][jy] < 0 ? 4 : tap[ry][jy]);
                    cols.push_back(tap[rx][jx] < 0 ? 4 : tap[rx][jx]);
                }
    auto index_y = at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(weight.device());
    auto index_x = at::tensor(cols, at::TensorOptions().dtype(at::kLong)).to(weight.device());
    auto gathered = padded.index({at::indexing::Slice(), at::indexing::Slice(), index_y, index_x});
    return gathered.view({in, out, 4, n, n});
}

// Kernel 4, stride 2, pad 1 once more, for frozen weights: the 3x3 form above multiplies 5 of
// every 9 taps by zero, since each output phase (ry, rx) reads only a 2x2 window of the input,
// rows m - 1 and m for ry = 0 (kernel rows 3, 1), rows m and m + 1 for ry = 1 (rows 2, 0). One 2x2
// convolution of the input padded by 1 computes all four phases with 4/9 of the arithmetic, on an
// (H + 1) x (W + 1) grid where phase (ry, rx) of output pixel (m, n) sits at (m + ry, n + rx),
// channel (2 ry + rx) C + c; PhaseInterleave then places them. Training keeps the 3x3 form, so
// that `dgnam train` still reproduces the shipped weights bit for bit.
at::Tensor phase_kernel(const at::Tensor& weight) {
    static const std::vector<std::int64_t> tap[2] = {{3, 1}, {2, 0}};
    const auto in = weight.size(0), out = weight.size(1);
    // [in, out, 4 phases, 2, 2] -> [4, out, in, 2, 2] -> [4 * out, in, 2, 2]
    return phase_taps(weight, tap).permute({2, 1, 0, 3, 4}).reshape({4 * out, in, 2, 2});
}

// The phases' grid [B, 4C, H + 1, W + 1] seen as the output's [B, C, H, 2, W, 2]: element
// (b, c, m, ry, n, rx) is grid element (b, (2 ry + rx) C + c, m + ry, n + rx). Built from the
// grid's strides, so it serves channels-last grids as well.
at::Tensor phase_view(const at::Tensor& grid) {
    const auto b = grid.size(0), c = grid.size(1) / 4, h = grid.size(2) - 1, w = grid.size(3) - 1;
    const auto sb = grid.stride(0), sc = grid.stride(1), sh = grid.stride(2), sw = grid.stride(3);
    return grid.as_strided({b, c, h, 2, w, 2}, {sb, sc, sh, 2 * c * sc + sh, sw, c * sc + sw});
}

// An image [B, C, 2H, 2W] seen as [B, C, H, 2, W, 2]: element (b, c, m, ry, n, rx) is pixel
// (2m + ry, 2n + rx).
at::Tensor pixel_view(const at::Tensor& image) {
    const auto b = image.size(0), c = image.size(1), h = image.size(2) / 2, w = image.size(3) / 2;
    const auto sb = image.stride(0), sc = image.stride(1), sh = image.stride(2),
               sw = image.stride(3);
    return image.as_strided({b, c, h, 2, w, 2}, {sb, sc, 2 * sh, sh, 2 * sw, sw});
}

// One strided copy each way: pixel_shuffle's generic permute measured slower than the
// convolution itself at 64x64 and batch 8.
struct PhaseInterleave : torch::autograd::Function<PhaseInterleave> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& grid) {
        const auto format = grid.suggest_memory_format();
        ctx->saved_data["sizes"] = grid.sizes();
        ctx->saved_data["channels_last"] = format == at::MemoryFormat::ChannelsLast;
        auto out = at::empty(
            {grid.size(0), grid.size(1) / 4, 2 * (grid.size(2) - 1), 2 * (grid.size(3) - 1)},
            grid.options().memory_format(format));
        pixel_view(out).copy_(phase_view(grid));
        return out;
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto format = ctx->saved_data["channels_last"].toBool()
                                ? at::MemoryFormat::ChannelsLast
                                : at::MemoryFormat::Contiguous;
        // The grid's border that no phase reads gets a zero gradient.
        auto grid = at::zeros(ctx->saved_data["sizes"].toIntVector(),
                              grads[0].options().memory_format(format));
        phase_view(grid).copy_(pixel_view(grads[0]));
        return {grid};
    }
};

at::Tensor run_phases(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    const std::vector<std::int64_t> unit{1, 1};
    return PhaseInterleave::apply(convolution(x, weight, bias, unit, unit, unit, 1));
}

at::Tensor run_plain(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                     std::int64_t kernel) {
    const std::vector<std::int64_t> unit{1, 1}, same_pad{1, 1};
    auto y = convolution(x, weight, bias, unit, same_pad, unit, 1);
    return kernel == 3 ? y : at::pixel_shuffle(y, 2);
}

}  // namespace

PlainKernel plain_kernel(const at::Tensor& weight, const at::Tensor& bias, std::int64_t kernel) {
    if (kernel == 3)
        return {weight.transpose(0, 1).flip({2, 3}), bias};
    // Output row 2m + r reads input rows m - 1, m, m + 1 (taps j = 0, 1, 2) through kernel rows:
    // r = 0: j0 -> 3, j1 -> 1, j2 -> none; r = 1: j0 -> none, j1 -> 2, j2 -> 0.
    static const std::vector<std::int64_t> tap[2] = {{3, 1, -1}, {-1, 2, 0}};
    const auto in = weight.size(0), out = weight.size(1);
    // [in, out, 4 phases, 3, 3] -> [out, 4, in, 3, 3] -> [out * 4, in, 3, 3]
    auto k = phase_taps(weight, tap).permute({1, 2, 0, 3, 4}).reshape({out * 4, in, 3, 3});
    return {k, bias.defined() ? bias.repeat_interleave(4) : bias};
}

PlainKernel phase_kernel(const at::Tensor& weight, const at::Tensor& bias) {
    return {phase_kernel(weight), bias.defined() ? bias.repeat({4}) : bias};
}

PlainKernel prepared_kernel(const at::Tensor& weight, const at::Tensor& bias, std::int64_t kernel) {
    at::NoGradGuard no_grad;
    const auto k = kernel == 4 ? phase_kernel(weight, bias) : plain_kernel(weight, bias, kernel);
    return {k.weight.contiguous(), k.bias.defined() ? k.bias.contiguous() : k.bias};
}

at::Tensor run_plain_kernel(const at::Tensor& x, const PlainKernel& plain, std::int64_t kernel) {
    return kernel == 4 ? run_phases(x, plain.weight, plain.bias)
                       : run_plain(x, plain.weight, plain.bias, kernel);
}

at::Tensor rewritten_conv_transpose(const at::Tensor& x, const at::Tensor& weight,
                                    const at::Tensor& bias, std::int64_t kernel,
                                    std::int64_t /*stride*/, std::int64_t /*pad*/) {
    const auto k = plain_kernel(weight, bias, kernel);
    return run_plain(x, k.weight, k.bias, kernel);
}

TransposedConvolution::TransposedConvolution(Pair kernel, Pair stride, Pair pad, Pair output_pad,
                                             Pair dilation, std::int64_t groups)
    : kernel_(kernel),
      stride_(stride),
      pad_(pad),
      output_pad_(output_pad),
      dilation_(dilation),
      groups_(groups) {
    rewritable_ =
        groups == 1 && dilation == Pair{1, 1} && output_pad == Pair{0, 0} &&
        conv_transpose_rewritable(kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1]);
}

void TransposedConvolution::prepare(const at::Tensor& weight, const at::Tensor& bias) {
    plain_kernel_ = at::Tensor();
    plain_bias_ = at::Tensor();
    prepared_data_ = nullptr;
    prepared_version_ = -1;
    if (!rewritable_ || weight.requires_grad())
        return;
    const auto k = prepared_kernel(weight, bias, kernel_[0]);
    plain_kernel_ = k.weight;
    plain_bias_ = k.bias;
    prepared_data_ = weight.data_ptr();
    prepared_version_ = static_cast<std::int64_t>(weight._version());
}

bool TransposedConvolution::prepared_for(const at::Tensor& weight) const {
    // An optimiser's in-place update raises the version; moving the weight changes its data.
    return plain_kernel_.defined() && !weight.requires_grad() &&
           weight.data_ptr() == prepared_data_ &&
           static_cast<std::int64_t>(weight._version()) == prepared_version_;
}

bool TransposedConvolution::rewrite_pays_off(const at::Tensor& x) {
    return x.is_cpu() && x.dim() == 4 && (x.size(0) >= 2 || x.size(2) * x.size(3) >= 8 * 8);
}

at::Tensor TransposedConvolution::run(const at::Tensor& x, const at::Tensor& weight,
                                      const at::Tensor& bias, Form form) const {
    const bool rewrite = rewritable_ && form != Form::LibTorch &&
                         (form == Form::Rewritten || (rewrite_enabled_ && rewrite_pays_off(x)));
    if (!rewrite)
        return at::conv_transpose2d(x, weight, bias, {stride_[0], stride_[1]}, {pad_[0], pad_[1]},
                                    {output_pad_[0], output_pad_[1]}, groups_,
                                    {dilation_[0], dilation_[1]});
    if (prepared_for(weight))
        return run_plain_kernel(x, {plain_kernel_, plain_bias_}, kernel_[0]);
    return rewritten_conv_transpose(x, weight, bias, kernel_[0], stride_[0], pad_[0]);
}

}  // namespace dgnam
