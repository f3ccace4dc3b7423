#include "dgnam/freed_memory_reuse.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace dgnam {

void keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
    constexpr int mib = 1 << 20;
    mallopt(M_MMAP_THRESHOLD, 32 * mib);  // the maximum glibc accepts on 64-bit systems
    mallopt(M_TRIM_THRESHOLD, 1024 * mib);
    // A thread's arena (the worker's) deletes a wholly free 64 MiB heap unless the top pad
    // exceeds a heap's size; it also spares growing the heap a few pages at a time.
    mallopt(M_TOP_PAD, 128 * mib);
#endif
}

}  // namespace dgnam
