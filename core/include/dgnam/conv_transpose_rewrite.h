#pragma once
// Transposed convolutions rewritten into plain ones, which oneDNN runs much faster on the CPU
// than LibTorch 1.13's col2im path for most of a generator's layers. Used by every network
// source that knows its layers (pack, Caffe, upconvGAN).
#include <ATen/Tensor.h>

#include <array>
#include <cstdint>

namespace dgnam {

// True for the two kinds the paper's generator uses (square kernel 4 stride 2 pad 1, or kernel 3
// stride 1 pad 1), without groups, dilation or output padding.
bool conv_transpose_rewritable(std::int64_t kernel_h, std::int64_t kernel_w, std::int64_t stride_h,
                               std::int64_t stride_w, std::int64_t pad_h, std::int64_t pad_w);

// The plain convolution a rewritable layer becomes: stride 1, pad 1, then for kernel 4
// pixel_shuffle(2) (weight [4 out, in, 3, 3], one output channel per phase). weight: [in, out, k,
// k] as at::conv_transpose2d takes it; bias may be undefined.
struct PlainKernel {
    at::Tensor weight, bias;
};
PlainKernel plain_kernel(const at::Tensor& weight, const at::Tensor& bias, std::int64_t kernel);
// Kernel 4 stride 2 pad 1 with 4/9 of that arithmetic: a 2x2 pad-1 convolution (weight [4 out,
// in, 2, 2]) onto an (H + 1) x (W + 1) grid whose channel block 2 ry + rx, shifted by (ry, rx),
// holds output phase (ry, rx).
PlainKernel phase_kernel(const at::Tensor& weight, const at::Tensor& bias);

// The kernel a rewritable layer with frozen weights runs through, built once: phase_kernel's
// for kernel 4, plain_kernel's for kernel 3, contiguous and without gradients.
PlainKernel prepared_kernel(const at::Tensor& weight, const at::Tensor& bias, std::int64_t kernel);
// x through a layer's prepared_kernel: at::conv_transpose2d's values within float tolerance.
at::Tensor run_plain_kernel(const at::Tensor& x, const PlainKernel& plain, std::int64_t kernel);

// Equals at::conv_transpose2d(x, weight, bias, stride, pad) within float tolerance when
// conv_transpose_rewritable(kernel, kernel, stride, stride, pad, pad). weight: [in, out, k, k].
// Builds the plain kernel from `weight` on each call, so it also holds while training.
at::Tensor rewritten_conv_transpose(const at::Tensor& x, const at::Tensor& weight,
                                    const at::Tensor& bias, std::int64_t kernel,
                                    std::int64_t stride, std::int64_t pad);

// One transposed-convolution layer of a loaded network, run in the faster form for its input:
// LibTorch's own or the rewrite, whose plain kernel is built once while the weights stay frozen
// (prepare) instead of at every call.
class TransposedConvolution {
  public:
    using Pair = std::array<std::int64_t, 2>;
    enum class Form { Faster, LibTorch, Rewritten };

    TransposedConvolution() = default;
    TransposedConvolution(Pair kernel, Pair stride, Pair pad, Pair output_pad, Pair dilation,
                          std::int64_t groups);

    bool rewritable() const { return rewritable_; }
    // Off: always LibTorch's own form (the benchmark's straightforward baseline).
    void set_rewrite_enabled(bool enabled) { rewrite_enabled_ = enabled; }
    // Builds the rewritten kernel from frozen weights; call after loading, moving or freezing
    // them. Weights that require gradients (training) are rewritten at each call instead.
    void prepare(const at::Tensor& weight, const at::Tensor& bias);
    at::Tensor run(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                   Form form = Form::Faster) const;

    // Measured on 2 cores with oneDNN (Debian LibTorch 1.13), forward and backward to the input
    // of the fc6 generator's kernel-4 layers at batch 1: LibTorch's form wins only at 4x4
    // (2.7 against 9.7 ms), the rewrite from 8x8 on (8x8: 14.4 against 6.1 ms; 16x16: 10.9
    // against 7.1); at batch 8 the rewrite wins at every size. Whole paper-scale step at batch 1,
    // alternated in one process: 110 ms with the rewrite from 32x32 on, 100 ms from 8x8 on.
    // GPUs run LibTorch's form (cuDNN).
    static bool rewrite_pays_off(const at::Tensor& x);

  private:
    bool prepared_for(const at::Tensor& weight) const;

    Pair kernel_{1, 1}, stride_{1, 1}, pad_{0, 0}, output_pad_{0, 0}, dilation_{1, 1};
    std::int64_t groups_ = 1;
    bool rewritable_ = false;
    bool rewrite_enabled_ = true;
    at::Tensor plain_kernel_, plain_bias_;  // the rewrite's, built by prepare
    const void* prepared_data_ = nullptr;   // the weight it was built from, and its version
    std::int64_t prepared_version_ = -1;
};

}  // namespace dgnam
