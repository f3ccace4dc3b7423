#include "dgnam/conv_transpose_rewrite.h"

#include <ATen/ATen.h>

#include <vector>

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
struct PlainKernel {
    at::Tensor weight, bias;
};

PlainKernel plain_kernel(const at::Tensor& weight, const at::Tensor& bias, std::int64_t kernel) {
    if (kernel == 3)
        return {weight.transpose(0, 1).flip({2, 3}), bias};
    // Output row 2m + r reads input rows m - 1, m, m + 1 (taps j = 0, 1, 2) through kernel rows:
    // r = 0: j0 -> 3, j1 -> 1, j2 -> none; r = 1: j0 -> none, j1 -> 2, j2 -> 0.
    static const std::int64_t tap[2][3] = {{3, 1, -1}, {-1, 2, 0}};
    const auto in = weight.size(0), out = weight.size(1);
    auto padded = at::constant_pad_nd(weight, {0, 1, 0, 1}, 0.0);  // index 4 reads zero
    std::vector<std::int64_t> rows, cols;
    for (int ry = 0; ry < 2; ++ry)
        for (int rx = 0; rx < 2; ++rx)
            for (int jy = 0; jy < 3; ++jy)
                for (int jx = 0; jx < 3; ++jx) {
                    rows.push_back(tap[ry][jy] < 0 ? 4 : tap[ry][jy]);
                    cols.push_back(tap[rx][jx] < 0 ? 4 : tap[rx][jx]);
                }
    auto index_y = at::tensor(rows, at::TensorOptions().dtype(at::kLong)).to(weight.device());
    auto index_x = at::tensor(cols, at::TensorOptions().dtype(at::kLong)).to(weight.device());
    // [in, out, 36] -> [in, out, 4 phases, 3, 3] -> [out, 4, in, 3, 3] -> [out * 4, in, 3, 3]
    auto gathered = padded.index({at::indexing::Slice(), at::indexing::Slice(), index_y, index_x});
    auto k =
        gathered.view({in, out, 4, 3, 3}).permute({1, 2, 0, 3, 4}).reshape({out * 4, in, 3, 3});
    return {k, bias.defined() ? bias.repeat_interleave(4) : bias};
}

at::Tensor run_plain(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                     std::int64_t kernel) {
    const std::vector<std::int64_t> unit{1, 1}, same_pad{1, 1};
    auto y = at::conv2d(x, weight, bias, unit, same_pad);
    return kernel == 3 ? y : at::pixel_shuffle(y, 2);
}

}  // namespace

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
    at::NoGradGuard no_grad;
    const auto k = plain_kernel(weight, bias, kernel_[0]);
    plain_kernel_ = k.weight.contiguous();
    plain_bias_ = k.bias.defined() ? k.bias.contiguous() : k.bias;
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
    return x.is_cpu() && x.dim() == 4 && (x.size(0) >= 2 || x.size(2) * x.size(3) >= 32 * 32);
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
        return run_plain(x, plain_kernel_, plain_bias_, kernel_[0]);
    return rewritten_conv_transpose(x, weight, bias, kernel_[0], stride_[0], pad_[0]);
}

}  // namespace dgnam
