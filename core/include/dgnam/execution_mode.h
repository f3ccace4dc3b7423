#pragma once
// How a network runs. DGN-AM needs only input gradients, so loaded weights are frozen, and the
// transposed convolutions of a generator run as plain ones (conv_transpose_rewrite.h). The
// straightforward form (weights requiring gradients, LibTorch's own transposed convolution) is
// kept as the benchmark's baseline and for checking the fast form against.
namespace dgnam {

struct ExecutionMode {
    bool frozen_weights = true;
    bool rewrite_transposed = true;

    static ExecutionMode fast() { return {}; }
    static ExecutionMode straightforward() { return {false, false}; }
};

}  // namespace dgnam
