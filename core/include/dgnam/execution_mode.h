#pragma once
// How a network runs. DGN-AM needs only input gradients, so loaded weights are frozen, and the
// transposed convolutions of a generator run as plain ones (conv_transpose_rewrite.h). The
// straightforward form (weights requiring gradients, LibTorch's own transposed convolution) is
// kept as the benchmark's baseline and for checking the fast form against. bfloat16: the networks'
// convolutions run under LibTorch's autocast to bfloat16 (about 1.5x faster at paper scale on a
// CPU with AVX512-BF16; results agree with float32 to about 1%, not bit for bit); fully connected
// layers, the optimiser and every output stay float32. Opt-in.
namespace dgnam {

struct ExecutionMode {
    bool frozen_weights = true;
    bool rewrite_transposed = true;
    bool bfloat16 = false;

    static ExecutionMode fast() { return {}; }
    static ExecutionMode fast_bfloat16() { return {true, true, true}; }
    static ExecutionMode straightforward() { return {false, false, false}; }
};

}  // namespace dgnam
