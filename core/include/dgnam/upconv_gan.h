#pragma once
// The PyTorch port of the paper's fc6 generator that Lucent users already have: a state dict of
// the `upconvGAN("fc6")` module (upconvGAN_fc6.pt, written by torch.save), loaded without Python.
// Its layers are those of the released generator.prototxt (defc7 ... deconv0); Lucent's forward
// swaps the BGR output to RGB, which the image's pixel space here records instead (BGR, 0-255,
// mean 104/117/123): the same image.
#include <filesystem>
#include <memory>

#include "dgnam/generator.h"

namespace dgnam {

// Reads the torch.save zip archive with read_torch_state_dict (tensors and dictionaries only; no
// Python objects are made), accepts keys with or without the module's
// "G." prefix, and checks every tensor against the fc6 architecture. Throws dgnam::Error naming
// the file and the tensor.
std::unique_ptr<Generator> load_upconv_gan_fc6(const std::filesystem::path& state_dict,
                                               CodeBounds bounds);

}  // namespace dgnam
