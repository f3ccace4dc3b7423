#pragma once
// Choice of compute device and thread count.
#include <c10/core/Device.h>

#include <cstddef>
#include <exception>
#include <string>
#include <vector>

namespace dgnam {

// "auto" (the first CUDA device if this LibTorch has one, else the CPU), "cpu", "cuda" or
// "cuda:N". Throws dgnam::Error naming the text and the devices there are.
c10::Device parse_device(const std::string& text);
// Every device this build can use: "cpu" and one "cuda:N" per GPU found.
std::vector<std::string> available_devices();
// Intra-op threads for CPU work; 0 = one per hardware thread. Prepares the process for its
// steps: one BLAS thread under LibTorch's, freed memory kept for reuse (freed_memory_reuse.h).
void set_compute_threads(int threads);
int compute_threads();

// True when `e` says that memory ran out: LibTorch's OutOfMemoryError (CUDA), its CPU
// allocator's "can't allocate memory", std::bad_alloc.
bool is_out_of_memory(const std::exception& e);
// What to tell the user when a batch of `batch` units did not fit on `device`: the batch size,
// the allocator's words and what to lower.
std::string out_of_memory_message(std::size_t batch, const c10::Device& device,
                                  const std::exception& e);

}  // namespace dgnam
