#pragma once
// DGN-AM over a batch of units, arranged the fastest way for the device: one DgnAm, or on the
// CPU with a small step, a SplitBatch of DgnAms over consecutive rows (split_batch.h).
#include <memory>

#include "dgnam/dgn_am.h"

namespace dgnam {

// The parts make_dgn_am splits `rows` rows into when it chooses: batch_parts() with the step's
// cost, taken as unknown (so not split) when either network's multiply-adds are unknown, and with
// the calling thread's compute threads, at most as many as the CPUs this process may run on.
int dgn_am_batch_parts(const Generator& generator, const Classifier& classifier,
                       const std::string& layer, std::int64_t rows, const at::Device& device);

// The arguments are DgnAm's. `parts`: 0 chooses with dgn_am_batch_parts(); 1 or more forces that
// many (at most one per unit). A [B, D] initial code gives each part its own rows. Throws
// dgnam::Error as DgnAm does, and for a negative `parts`.
std::unique_ptr<ActivationMaximizer> make_dgn_am(const Generator& generator,
                                                 const Classifier& classifier, Objective objective,
                                                 std::vector<std::int64_t> units,
                                                 OptimizerParams params, InitialCode initial,
                                                 at::Device device, int parts = 0);

}  // namespace dgnam
