#pragma once
// Freed memory kept in the process for the next allocation of a step.
//
// A DGN-AM step allocates and frees the same large activations every time. glibc's malloc serves
// blocks over its mmap threshold with fresh mappings and hands freed heap tops back to the system,
// so every step faults the same pages in again: at paper scale, batch 8, ~12,000 minor page faults
// a step (~48 MB zero-filled anew); the bundled pack at batch 64, ~3,800.

namespace dgnam {

// Tells glibc's malloc to serve blocks up to 32 MiB (its largest setting) from the heap and to
// keep up to 1 GiB of freed heap top instead of returning it, in every thread's arena. The
// process then holds on to its peak heap, as LibTorch's CUDA allocator does on a GPU. Blocks over
// 32 MiB (paper scale at batch 32) are still mapped anew. Does nothing outside glibc. Called by
// set_compute_threads, which every front end calls before its first step.
void keep_freed_memory_for_reuse();

}  // namespace dgnam
