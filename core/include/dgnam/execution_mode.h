#pragma once
// How a network runs. DGN-AM needs only input gradients, so loaded weights are frozen, and the
// transposed convolutions of a generator run as plain ones (conv_transpose_rewrite.h). The
// straightforward form (weights requiring gradients, LibTorch's own transposed convolution) is
// kept as the benchmark's baseline and for checking the fast form against. bfloat16: the networks'
// convolutions run under LibTorch's autocast to bfloat16 (about 1.5x faster at paper scale on a
// CPU with AVX512-BF16; results agree with float32 to about 1%, not bit for bit); fully connected
// layers, the optimiser and every output stay float32. Opt-in.
#include <string>

#include "dgnam/error.h"

namespace dgnam {

struct ExecutionMode {
    bool frozen_weights = true;
    bool rewrite_transposed = true;
    bool bfloat16 = false;

    static ExecutionMode fast() { return {}; }
    static ExecutionMode fast_bfloat16() { return {true, true, true}; }
    static ExecutionMode straightforward() { return {false, false, false}; }

    // The fast form in the precision a front end's --precision names: "float32" or "bfloat16".
    // Throws dgnam::Error naming the value otherwise.
    static ExecutionMode fast_in(const std::string& precision) {
        if (precision == "float32")
            return fast();
        if (precision == "bfloat16")
            return fast_bfloat16();
        throw Error("precision \"" + precision + "\" is not known; use float32 or bfloat16");
    }
};

}  // namespace dgnam
