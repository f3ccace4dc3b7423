#pragma once
// DGN-AM over a batch of units, arranged the fastest way for the device: one DgnAm, or on the
// CPU with a small step, a SplitBatch of DgnAms over consecutive rows (split_batch.h).
#include <memory>

#include "dgnam/dgn_am.h"

namespace dgnam {

// The arguments are DgnAm's. `parts`: 0 chooses with batch_parts() from the step's cost and the
// calling thread's compute threads; 1 or more forces that many (at most one per unit). A [B, D]
// initial code gives each part its own rows. Throws dgnam::Error as DgnAm does, and for a
// negative `parts`.
std::unique_ptr<ActivationMaximizer> make_dgn_am(const Generator& generator,
                                                 const Classifier& classifier, Objective objective,
                                                 std::vector<std::int64_t> units,
                                                 OptimizerParams params, InitialCode initial,
                                                 at::Device device, int parts = 0);

}  // namespace dgnam
