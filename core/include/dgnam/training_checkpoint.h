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

// Role-prefixed pieces of a checkpoint.
void store_network(TensorMap& out, const std::string& role, const SequentialNet& net);
void restore_network(const TensorMap& in, const std::string& role, SequentialNet& net,
                     const std::filesystem::path& source);
void store_adam(TensorMap& out, const std::string& role, const torch::optim::Adam& optimizer,
                const std::vector<at::Tensor>& params);
void restore_adam(const TensorMap& in, const std::string& role, torch::optim::Adam& optimizer,
                  const std::vector<at::Tensor>& params, const std::filesystem::path& source);
// The loop's generator and the default CPU generator (dropout, at::rand without a generator).
void store_random_state(TensorMap& out, const at::Generator& loop_generator);
void restore_random_state(const TensorMap& in, at::Generator& loop_generator,
                          const std::filesystem::path& source);

}  // namespace dgnam
