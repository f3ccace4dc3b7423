#pragma once
// The transposed convolutions of a TorchScript model, run as plain ones like the other network
// sources' (conv_transpose_rewrite.h). A TorchScript file's layers are code, not a layer list, so
// the rewrite works on its graphs: a frozen copy of the model (torch.jit.freeze: weights become
// constants of the graphs) in which each transposed convolution whose weights and settings are
// constants and rewritable becomes dgnam::transposed_convolution, an operator this file
// registers: for each input, the plain kernel built once where
// TransposedConvolution::rewrite_pays_off says so, the call as written elsewhere. The copy's
// constants live on the CPU, where LibTorch 1.13's col2im path is slow; on a GPU the model runs as
// it came.
#include <torch/script.h>

#include <optional>
#include <string>
#include <vector>

namespace dgnam {

struct RewrittenTorchScript {
    torch::jit::Module module;
    int rewritten = 0;  // transposed convolutions now plain, in the method with the most
};

// nullopt when the model has no rewritable transposed convolution or cannot be frozen (a method
// that changes the model's attributes, say). `methods`: those besides forward to keep.
std::optional<RewrittenTorchScript> rewrite_transposed_convolutions(
    const torch::jit::Module& module, const std::vector<std::string>& methods);

}  // namespace dgnam
