#include "dgnam/training_checkpoint.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>

#include <sstream>
#include <system_error>
#include <type_traits>
#include <utility>

#include "dgnam/error.h"
#include "dgnam/sequential_net.h"
#include "dgnam/shape_text.h"

namespace dgnam {
namespace {
namespace fs = std::filesystem;

constexpr const char* kOrderTensor = "position/order";
constexpr const char* kLoopGenerator = "random/loop";
constexpr const char* kDefaultGenerator = "random/default";

// The key torch::optim files a parameter's state under: its TensorImpl's address, written out as
// text in LibTorch 1.13, the pointer itself in later versions.
using AdamStateKey = std::decay_t<decltype(std::declval<torch::optim::Adam&>().state())>::key_type;

template <typename Key = AdamStateKey>
Key adam_key(const at::Tensor& param) {
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream address;
        address << param.unsafeGetTensorImpl();
        return address.str();
    } else {
        return param.unsafeGetTensorImpl();
    }
}

std::string param_prefix(const std::string& role, std::size_t index) {
    return role + "/" + std::to_string(index) + "/";
}

const at::Tensor& tensor_in(const TensorMap& in, const std::string& key, const fs::path& source) {
    const auto found = in.find(key);
    if (found == in.end())
        throw Error(source.string() + ": the checkpoint has no tensor \"" + key +
                    "\"; it is damaged. Delete it and train again without --resume");
    return found->second;
}

std::string number_in(const TensorMetadata& metadata, const std::string& key,
                      const fs::path& source) {
    const auto found = metadata.find(key);
    if (found == metadata.end())
        throw Error(source.string() + ": the checkpoint's metadata has no \"" + key +
                    "\"; it is damaged. Delete it and train again without --resume");
    return found->second;
}

std::string differing_keys(const nlohmann::json& saved, const nlohmann::json& wanted) {
    std::string keys;
    for (const auto& [key, value] : wanted.items())
        if (!saved.contains(key) || saved.at(key) != value)
            keys += (keys.empty() ? "" : ", ") + key;
    for (const auto& [key, value] : saved.items())
        if (!wanted.contains(key))
            keys += (keys.empty() ? "" : ", ") + key;
    return keys;
}

}  // namespace

void write_training_checkpoint(const fs::path& file, const TrainingCheckpoint& checkpoint) {
    TensorMap tensors = checkpoint.tensors;
    if (checkpoint.position.order.defined())
        tensors[kOrderTensor] = checkpoint.position.order.contiguous();
    const auto& p = checkpoint.position;
    write_safetensors(file, tensors,
                      {{"written_by", "dgnam train (checkpoint)"},
                       {"step", std::to_string(p.step)},
                       {"epoch", std::to_string(p.epoch)},
                       {"first", std::to_string(p.first)},
                       {"seconds", std::to_string(p.seconds)},
                       {"settings", checkpoint.settings.dump()}});
}

std::optional<TrainingCheckpoint> read_training_checkpoint(const fs::path& file,
                                                           const nlohmann::json& settings) {
    std::error_code ec;
    if (!fs::exists(file, ec))
        return std::nullopt;
    auto stored = read_safetensors(file);
    TrainingCheckpoint checkpoint;
    try {
        checkpoint.settings = nlohmann::json::parse(number_in(stored.metadata, "settings", file));
        checkpoint.position.step = std::stoll(number_in(stored.metadata, "step", file));
        checkpoint.position.epoch = std::stoi(number_in(stored.metadata, "epoch", file));
        checkpoint.position.first = std::stoll(number_in(stored.metadata, "first", file));
        checkpoint.position.seconds = std::stod(number_in(stored.metadata, "seconds", file));
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": the checkpoint's settings are not JSON (" + e.what() +
                    "); delete it and train again without --resume");
    } catch (const std::logic_error&) {  // std::stoll and friends
        throw Error(file.string() +
                    ": the checkpoint's position is not a number; delete it and "
                    "train again without --resume");
    }
    if (checkpoint.settings != settings)
        throw Error(file.string() + " was saved by a run with other settings (" +
                    differing_keys(checkpoint.settings, settings) +
                    "); resume with that run's options, or delete the checkpoint to start over");
    const auto& p = checkpoint.position;
    if (p.step < 0 || p.epoch < 0 || p.first < 0)
        throw Error(file.string() +
                    ": the checkpoint's position is negative; delete it and "
                    "train again without --resume");
    if (const auto order = stored.tensors.find(kOrderTensor); order != stored.tensors.end()) {
        if (order->second.scalar_type() != at::kLong || order->second.dim() != 1 ||
            p.first > order->second.size(0))
            throw Error(file.string() + ": the checkpoint's epoch order (" +
                        shape_text(order->second.sizes()) +
                        ") does not fit its position; delete it and train again without "
                        "--resume");
        checkpoint.position.order = order->second;
        stored.tensors.erase(order);
    }
    checkpoint.tensors = std::move(stored.tensors);
    return checkpoint;
}

std::optional<TrainingCheckpoint> checkpoint_to_resume(const CheckpointSchedule& schedule,
                                                       const nlohmann::json& settings) {
    if (schedule.file.empty())
        return std::nullopt;
    std::error_code ec;
    if (!schedule.resume) {
        if (fs::exists(schedule.file, ec))
            throw Error("an interrupted run left its checkpoint at " + schedule.file.string() +
                        "; add --resume to continue it, or delete the file to start over");
        return std::nullopt;
    }
    return read_training_checkpoint(schedule.file, settings);
}

namespace {

void store_network(TensorMap& out, const std::string& role, const SequentialNet& net) {
    for (auto& [name, tensor] : net.state())
        out[role + "/" + name] = tensor.clone();
}

void restore_network(const TensorMap& in, const std::string& role, SequentialNet& net,
                     const fs::path& source) {
    const std::string prefix = role + "/";
    TensorMap state;
    for (const auto& [name, tensor] : in)
        if (name.compare(0, prefix.size(), prefix) == 0)
            state[name.substr(prefix.size())] = tensor;
    net.assign_state(state, source.string() + " (" + role + ")");
}

void store_adam(TensorMap& out, const std::string& role, const torch::optim::Adam& optimizer,
                const std::vector<at::Tensor>& params) {
    const auto& state = optimizer.state();
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto found = state.find(adam_key(params[i]));
        if (found == state.end())
            continue;  // no step taken yet for this parameter
        const auto& s = static_cast<const torch::optim::AdamParamState&>(*found->second);
        const auto prefix = param_prefix(role, i);
        out[prefix + "exp_avg"] = s.exp_avg().clone();
        out[prefix + "exp_avg_sq"] = s.exp_avg_sq().clone();
        out[prefix + "step"] = at::tensor({s.step()}, at::kLong);
    }
}

void restore_adam(const TensorMap& in, const std::string& role, torch::optim::Adam& optimizer,
                  const std::vector<at::Tensor>& params, const fs::path& source) {
    auto& state = optimizer.state();
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto prefix = param_prefix(role, i);
        if (in.find(prefix + "step") == in.end())
            continue;
        const auto& avg = tensor_in(in, prefix + "exp_avg", source);
        const auto& avg_sq = tensor_in(in, prefix + "exp_avg_sq", source);
        const auto& step = tensor_in(in, prefix + "step", source);
        if (avg.sizes() != params[i].sizes() || avg_sq.sizes() != params[i].sizes() ||
            step.numel() != 1 || step.scalar_type() != at::kLong)
            throw Error(source.string() + ": the optimiser state of " + role + " parameter " +
                        std::to_string(i) + " does not fit the network (" +
                        shape_text(avg.sizes()) + " for " + shape_text(params[i].sizes()) +
                        "); delete the checkpoint and train again without --resume");
        auto s = std::make_unique<torch::optim::AdamParamState>();
        s->step(step.item<std::int64_t>());
        s->exp_avg(avg.to(params[i].options()).clone());
        s->exp_avg_sq(avg_sq.to(params[i].options()).clone());
        state[adam_key(params[i])] = std::move(s);
    }
}

void store_random_state(TensorMap& out, const at::Generator& loop_generator) {
    out[kLoopGenerator] = loop_generator.get_state();
    out[kDefaultGenerator] = at::detail::getDefaultCPUGenerator().get_state();
}

void restore_random_state(const TensorMap& in, at::Generator& loop_generator,
                          const fs::path& source) {
    try {
        loop_generator.set_state(tensor_in(in, kLoopGenerator, source));
        at::Generator default_generator = at::detail::getDefaultCPUGenerator();
        default_generator.set_state(tensor_in(in, kDefaultGenerator, source));
    } catch (const c10::Error& e) {
        throw Error(source.string() + ": the checkpoint's random generator state is not valid (" +
                    e.what_without_backtrace() + "); delete it and train again without --resume");
    }
}

}  // namespace

TensorMap collect_training_state(const std::vector<TrainedPart>& parts,
                                 const at::Generator& loop_generator) {
    TensorMap state;
    for (const auto& part : parts) {
        store_network(state, part.net_role, part.net);
        store_adam(state, part.adam_role, part.optimizer, part.params);
    }
    store_random_state(state, loop_generator);
    return state;
}

void restore_training_state(const TensorMap& in, const std::vector<TrainedPart>& parts,
                            at::Generator& loop_generator, const fs::path& source) {
    for (const auto& part : parts) {
        restore_network(in, part.net_role, part.net, source);
        restore_adam(in, part.adam_role, part.optimizer, part.params, source);
    }
    restore_random_state(in, loop_generator, source);
}

}  // namespace dgnam
