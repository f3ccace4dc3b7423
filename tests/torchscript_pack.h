#pragma once
// Model packs holding TorchScript models, made without Python: LibTorch's own script compiler
// writes the files, so the tests of every front end can use them where Debian's python3-torch is
// missing.
#include <filesystem>

namespace dgnam::test {

// Copies the pack at `bundled` (the Fashion-MNIST pack) to `folder` and adds classifier "T": a
// TorchScript file `tiny.pt` reading the same 1x28x28 images, with layers "pool" (1x7x7, a 4x4
// average pooling) and "fc" (10 outputs, seeded random weights, the class labels of A).
void write_pack_with_torchscript(const std::filesystem::path& bundled,
                                 const std::filesystem::path& folder);

// Copies the pack at `bundled` to `folder` with its generator written as TorchScript code instead
// of the manifest's layer list: `generator.pt`, the same layers and weights.
void write_pack_with_torchscript_generator(const std::filesystem::path& bundled,
                                           const std::filesystem::path& folder);

}  // namespace dgnam::test
