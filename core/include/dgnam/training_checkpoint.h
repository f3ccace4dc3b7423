#pragma once
// The state of an interrupted `dgnam train` run: enough to continue it and end with the same
// weights, bit for bit, as a run that was never stopped (same machine, same thread count). It
// holds the networks' tensors, the Adam moments, both random generators (the loop's and the
// default one that dropout draws from), the epoch's shuffled order and the position in it.
// Stored as one safetensors file (no pickle), written atomically.
#include <ATen/Tensor.h>
#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dgnam/safetensors.h"

namespace torch::optim {
class Adam;
}

namespace dgnam {

class SequentialNet;

// Where and how often a training loop saves its state. An empty `file` saves nothing.
struct CheckpointSchedule {
    std::filesystem::path file;
    std::int64_t every_steps = 200;
    // Continue from `file` when it exists; otherwise an existing checkpoint is an error, so that
    // an interrupted run is never overwritten by accident.
    bool resume = false;
};

// Where the loop stands: `first` is the index into `order` of the next batch of `epoch`.
struct TrainingPosition {
    std::int64_t step = 0;
    int epoch = 0;
    std::int64_t first = 0;
    at::Tensor order;      // the epoch's shuffled indices; undefined before the first epoch
    double seconds = 0.0;  // training time spent before the interruption
};

struct TrainingCheckpoint {
    TrainingPosition position;
    TensorMap tensors;        // everything else, under "<role>/" prefixes
    nlohmann::json settings;  // what must match for the run to continue (options, data size)
};

// Throws dgnam::Error naming the file (full disk, read-only folder); the previous checkpoint is
// intact then.
void write_training_checkpoint(const std::filesystem::path& file,
                               const TrainingCheckpoint& checkpoint);

// The checkpoint at `file`, or nothing when there is none. Throws dgnam::Error naming the file
// when it is damaged or was made with other settings (listing the keys that differ).
std::optional<TrainingCheckpoint> read_training_checkpoint(const std::filesystem::path& file,
                                                           const nlohmann::json& settings);

// The checkpoint to continue from under `schedule`: nothing for a fresh run. Throws when a
// checkpoint exists but `schedule.resume` is off, saying how to continue or start over.
std::optional<TrainingCheckpoint> checkpoint_to_resume(const CheckpointSchedule& schedule,
                                                       const nlohmann::json& settings);

// A network trained by its own Adam optimiser, and the prefixes its tensors and its optimiser's
// moments have in a checkpoint.
struct TrainedPart {
    std::string net_role;
    SequentialNet& net;
    std::string adam_role;
    torch::optim::Adam& optimizer;
    const std::vector<at::Tensor>& params;
};

// Everything of `parts` and the random generators (the loop's and the default CPU one, which
// dropout draws from) as checkpoint tensors, and back. Restoring copies into the networks in
// place, so the optimisers keep their parameters; throws dgnam::Error naming `source` when a
// tensor is missing or does not fit.
TensorMap collect_training_state(const std::vector<TrainedPart>& parts,
                                 const at::Generator& loop_generator);
void restore_training_state(const TensorMap& in, const std::vector<TrainedPart>& parts,
                            at::Generator& loop_generator, const std::filesystem::path& source);

}  // namespace dgnam
