#include "dgnam/direct_convolution.h"

#include "dgnam/error.h"

#include "autocast_switch.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace dgnam {
namespace {

constexpr std::int64_t kLanes = 16;
constexpr std::int64_t kMaxOutputChannels = 4;
// Output channels computed together: each input vector loaded serves all of them. Four
// accumulators fit AVX2's 16 registers (a 16-float vector is two of them there).
constexpr int kBlock = 4;
// Fewer vector multiply-adds than this per thread cost more to hand out than they take.
constexpr std::int64_t kMultiplyAddsPerThread = 16384;

using Lanes = float __attribute__((vector_size(kLanes * sizeof(float))));

// The input zero-padded, each row `stride` floats long: rows are read 16 floats at a time,
// beyond the last output pixel.
struct PaddedInput {
    const float* data;
    std::int64_t channels, rows, stride;
};

struct Kernel {
    const float* weight;  // [O, C, kh, kw]
    const float* bias;    // [O], or null
    std::int64_t kh, kw;
};

// Output row `row` of channels first .. first + Block - 1, `vectors` 16-pixel pieces each, into
// out[b][vectors * 16]. Inlined into each instruction-set variant below.
template <int Block>
[[gnu::always_inline]] inline void output_rows(const PaddedInput& in, const Kernel& k,
                                               std::int64_t first, std::int64_t row,
                                               std::int64_t vectors, float* out) {
    const std::int64_t taps = k.kh * k.kw, per_output = in.channels * taps;
    for (std::int64_t v = 0; v < vectors; ++v) {
        Lanes acc[Block];
        for (int b = 0; b < Block; ++b)
            acc[b] = Lanes{} + (k.bias ? k.bias[first + b] : 0.0f);
        for (std::int64_t c = 0; c < in.channels; ++c) {
            const float* w = k.weight + first * per_output + c * taps;
            const float* top = in.data + (c * in.rows + row) * in.stride + v * kLanes;
            for (std::int64_t di = 0; di < k.kh; ++di)
                for (std::int64_t dj = 0; dj < k.kw; ++dj) {
                    Lanes x;
                    std::memcpy(&x, top + di * in.stride + dj, sizeof x);
                    for (int b = 0; b < Block; ++b)
                        acc[b] += w[b * per_output + di * k.kw + dj] * x;
                }
        }
        for (int b = 0; b < Block; ++b)
            std::memcpy(out + (b * vectors + v) * kLanes, &acc[b], sizeof acc[b]);
    }
}

#if defined(__x86_64__) || defined(__i386__)
template <int Block>
[[gnu::target("avx512f")]] void output_rows_avx512(const PaddedInput& in, const Kernel& k,
                                                   std::int64_t first, std::int64_t row,
                                                   std::int64_t vectors, float* out) {
    output_rows<Block>(in, k, first, row, vectors, out);
}

template <int Block>
[[gnu::target("avx2,fma")]] void output_rows_avx2(const PaddedInput& in, const Kernel& k,
                                                  std::int64_t first, std::int64_t row,
                                                  std::int64_t vectors, float* out) {
    output_rows<Block>(in, k, first, row, vectors, out);
}
#endif

template <int Block>
void output_rows_baseline(const PaddedInput& in, const Kernel& k, std::int64_t first,
                          std::int64_t row, std::int64_t vectors, float* out) {
    output_rows<Block>(in, k, first, row, vectors, out);
}

using OutputRows = void (*)(const PaddedInput&, const Kernel&, std::int64_t, std::int64_t,
                            std::int64_t, float*);

InstructionSet best_instruction_set() {
    static const InstructionSet best = cpu_has(InstructionSet::Avx512) ? InstructionSet::Avx512
                                       : cpu_has(InstructionSet::Avx2) ? InstructionSet::Avx2
                                                                       : InstructionSet::Baseline;
    return best;
}

// The variant for `set` and `channels` (1 .. kBlock) output channels at once.
OutputRows output_rows_for(InstructionSet set, std::int64_t channels) {
    static const OutputRows baseline[kBlock] = {output_rows_baseline<1>, output_rows_baseline<2>,
                                                output_rows_baseline<3>, output_rows_baseline<4>};
    if (set == InstructionSet::Best)
        set = best_instruction_set();
#if defined(__x86_64__) || defined(__i386__)
    static const OutputRows avx512[kBlock] = {output_rows_avx512<1>, output_rows_avx512<2>,
                                              output_rows_avx512<3>, output_rows_avx512<4>};
    static const OutputRows avx2[kBlock] = {output_rows_avx2<1>, output_rows_avx2<2>,
                                            output_rows_avx2<3>, output_rows_avx2<4>};
    if (set == InstructionSet::Avx512)
        return avx512[channels - 1];
    if (set == InstructionSet::Avx2)
        return avx2[channels - 1];
#endif
    return baseline[channels - 1];
}

// The convolution itself: x [N, C, H, W] and weight [O, C, kh, kw] contiguous float32, any O.
at::Tensor convolve(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                    std::int64_t pad_h, std::int64_t pad_w, InstructionSet set) {
    const auto images = x.size(0), channels = x.size(1), height = x.size(2), width = x.size(3);
    const auto outputs = weight.size(0), kh = weight.size(2), kw = weight.size(3);
    const auto out_h = height + 2 * pad_h - kh + 1, out_w = width + 2 * pad_w - kw + 1;
    const auto vectors = (out_w + kLanes - 1) / kLanes;
    const PaddedInput shape{nullptr, channels, height + 2 * pad_h, vectors * kLanes + kw - 1};
    at::Tensor padded = at::zeros({images, channels, shape.rows, shape.stride}, x.options());
    padded.narrow(2, pad_h, height).narrow(3, pad_w, width).copy_(x);
    at::Tensor y = at::empty({images, outputs, out_h, out_w}, x.options());
    const Kernel kernel{weight.data_ptr<float>(), bias.defined() ? bias.data_ptr<float>() : nullptr,
                        kh, kw};
    const float* in = padded.data_ptr<float>();
    const OutputRows rows_of[kBlock] = {output_rows_for(set, 1), output_rows_for(set, 2),
                                        output_rows_for(set, 3), output_rows_for(set, 4)};
    float* out = y.data_ptr<float>();

    // One task: one output row of up to kBlock channels of one image.
    const auto blocks = (outputs + kBlock - 1) / kBlock;
    const auto per_task = std::min<std::int64_t>(outputs, kBlock) * channels * kh * kw * vectors;
    const auto grain = std::max<std::int64_t>(1, kMultiplyAddsPerThread / per_task);
    at::parallel_for(0, images * blocks * out_h, grain, [&](std::int64_t begin, std::int64_t end) {
        std::vector<float> rows(kBlock * vectors * kLanes);
        for (auto task = begin; task < end; ++task) {
            const auto row = task % out_h, block = task / out_h % blocks,
                       image = task / out_h / blocks;
            const auto first = block * kBlock,
                       count = std::min<std::int64_t>(kBlock, outputs - first);
            PaddedInput input = shape;
            input.data = in + image * channels * shape.rows * shape.stride;
            rows_of[count - 1](input, kernel, first, row, vectors, rows.data());
            for (std::int64_t b = 0; b < count; ++b)
                std::memcpy(out + ((image * outputs + first + b) * out_h + row) * out_w,
                            rows.data() + b * vectors * kLanes, out_w * sizeof(float));
        }
    });
    return y;
}

// The weights travel outside autograd's inputs: they are frozen, and the bias may be undefined.
struct FrozenKernel {
    at::Tensor weight, bias;
    std::int64_t pad_h, pad_w;
    InstructionSet set;
};

struct DirectConvolution : torch::autograd::Function<DirectConvolution> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                              const FrozenKernel& k) {
        ctx->saved_data["weight"] = k.weight;
        ctx->saved_data["pad_h"] = k.pad_h;
        ctx->saved_data["pad_w"] = k.pad_w;
        ctx->saved_data["set"] = static_cast<std::int64_t>(k.set);
        return convolve(x.contiguous(), k.weight, k.bias, k.pad_h, k.pad_w, k.set);
    }
    // The input's gradient is the full correlation of the output's gradient with the kernel
    // flipped in space, its input and output channels swapped.
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const at::Tensor weight = ctx->saved_data["weight"].toTensor();
        const auto pad_h = ctx->saved_data["pad_h"].toInt(),
                   pad_w = ctx->saved_data["pad_w"].toInt();
        const at::Tensor flipped = weight.flip({2, 3}).transpose(0, 1).contiguous();
        return {convolve(grads[0].contiguous(), flipped, at::Tensor(), weight.size(2) - 1 - pad_h,
                         weight.size(3) - 1 - pad_w,
                         static_cast<InstructionSet>(ctx->saved_data["set"].toInt())),
                at::Tensor()};
    }
};

bool frozen_float_on_cpu(const at::Tensor& t) {
    return t.device().is_cpu() && t.scalar_type() == at::kFloat && t.layout() == at::kStrided &&
           !t.requires_grad();
}

}  // namespace

bool direct_convolution_fits(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                             std::int64_t pad_h, std::int64_t pad_w) {
    if (x.dim() != 4 || weight.dim() != 4 || !x.device().is_cpu() ||
        x.scalar_type() != at::kFloat || x.layout() != at::kStrided || x.numel() == 0 ||
        !frozen_float_on_cpu(weight) || autocast_enabled(c10::kCPU))
        return false;
    const auto kh = weight.size(2), kw = weight.size(3);
    return weight.size(0) >= 1 && weight.size(0) <= kMaxOutputChannels &&
           weight.size(1) == x.size(1) &&
           (!bias.defined() ||
            (frozen_float_on_cpu(bias) && bias.dim() == 1 && bias.size(0) == weight.size(0))) &&
           pad_h >= 0 && pad_h < kh && pad_w >= 0 && pad_w < kw && x.size(2) + 2 * pad_h >= kh &&
           x.size(3) + 2 * pad_w >= kw;
}

bool cpu_has(InstructionSet set) {
    switch (set) {
#if defined(__x86_64__) || defined(__i386__)
        case InstructionSet::Avx512:
            return __builtin_cpu_supports("avx512f");
        case InstructionSet::Avx2:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else  // other CPUs (arm64): the plain variant; the compiler splits its vectors into their own
        case InstructionSet::Avx512:
        case InstructionSet::Avx2:
            return false;
#endif
        default:
            return true;
    }
}

at::Tensor direct_convolution(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                              std::int64_t pad_h, std::int64_t pad_w, InstructionSet set) {
    if (!cpu_has(set))
        throw Error("the direct convolution was asked for an instruction set this CPU lacks");
    return DirectConvolution::apply(
        x, FrozenKernel{weight.contiguous(), bias.defined() ? bias.contiguous() : bias, pad_h,
                        pad_w, set});
}

}  // namespace dgnam
