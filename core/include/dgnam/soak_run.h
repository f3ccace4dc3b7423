#pragma once
// A long session in miniature: many unit visualisations one after another through the Worker,
// as a front end starts them, with the newest frame read while each runs. `dgnam bench
// --scenario soak` reports whether resident memory stays flat; nothing here asserts it.
#include <c10/core/Device.h>

#include <cstdint>

#include "dgnam/model_pack.h"

namespace dgnam {

struct SoakReport {
    int visualisations = 0;
    int iterations = 0;                     // per visualisation
    int early = 0;                          // visualisations after which the first sample was taken
    std::int64_t resident_after_early = 0;  // bytes
    std::int64_t resident_at_end = 0;       // bytes
    int frames_read = 0;
    double seconds = 0.0;

    // (end - after early) / after early
    double growth() const;
};

// Resident memory of this process in bytes (/proc/self/statm); 0 where it cannot be read.
std::int64_t resident_memory_bytes();

// Runs `count` visualisations of the default classifier's output units in turn (unit i mod the
// layer's units, seed i), `iterations` DGN-AM steps each (the pixel method when the pack has no
// generator), waiting for each to finish. Throws dgnam::Error when a run fails.
SoakReport soak_worker(ModelPack pack, const c10::Device& device, int count, int iterations,
                       int early = 50);

}  // namespace dgnam
