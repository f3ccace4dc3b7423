#pragma once
// State dicts saved by PyTorch's torch.save (the zip format), read without Python: a small
// pickle reader that accepts only what a dictionary of tensors needs (OrderedDict, tensor
// rebuilds from the archive's storages) and refuses every other Python object, so nothing in
// the file can run code. Sizes, strides and offsets are checked against each storage.
#include <filesystem>

#include "dgnam/safetensors.h"

namespace dgnam {

// Throws dgnam::Error naming the file and the problem.
TensorMap read_torch_state_dict(const std::filesystem::path& path);

}  // namespace dgnam
