#pragma once
// The one place optimisation runs: a thread that owns the models and takes commands (start a run,
// pause, resume, cancel, new parameters). Parameters changed while it runs apply from the next
// step. The newest step is published through a latest-frame mailbox; unit results, progress and
// the end of each run are reported through callbacks, called on the worker's thread (a front end
// hands them to its own thread, e.g. by a queued invocation). Runs carry a rising id, so a front
// end can drop whatever belongs to a run it has replaced.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dgnam/dgn_am.h"
#include "dgnam/image.h"
#include "dgnam/latest_value.h"
#include "dgnam/model_pack.h"
#include "dgnam/objective.h"
#include "dgnam/optimizer_params.h"
#include "dgnam/step_result.h"
#include "dgnam/step_trace.h"

namespace dgnam {

struct RunRequest {
    std::string classifier;  // "" = the pack's default classifier
    Objective objective;     // layer "" = the classifier's output layer
    std::vector<std::int64_t> units;
    Method method = Method::Dgn;
    OptimizerParams params;
    InitialCode initial;
    // DGN-AM: start from the code of this picture instead (the paper's "from a real image"
    // script): the generator's classifier reads it, scaled and centre-cropped to its input,
    // up to the code layer. Replaces `initial`.
    std::optional<Image8> start_image;
    int batch_size = 1;          // units optimised together in one forward/backward
    bool publish_frames = true;  // convert and publish every step's image
};

struct Frame {
    std::uint64_t run_id = 0;
    std::string layer;
    std::int64_t unit = 0;  // the first unit of the batch, whose image this is
    std::optional<std::string> label;
    StepResult step;  // `images` is left empty; the picture is `image`
    std::shared_ptr<const Image8> image;
    // The first unit at every step of this batch up to `step`, including steps whose frames
    // were replaced before anyone read them: what a plot draws.
    StepTrace trace;
};

struct UnitResult {
    std::uint64_t run_id = 0;
    std::string classifier;
    std::string layer;
    std::int64_t unit = 0;
    std::optional<std::string> label;
    Image8 image;  // the last iterate, as the released code returns it
    double activation = 0.0;
    std::optional<double> probability;
    Image8 best_image;  // the highest-activation iterate
    double best_activation = 0.0;
    int iterations = 0;
    std::uint64_t seed = 0;
    int skipped_steps = 0;
    // Non-empty when every step kept being skipped and the unit ended before its last
    // iteration: why, and what to try (StallWatch).
    std::string stopped_early;
};

struct RunProgress {
    std::uint64_t run_id = 0;
    std::size_t units_done = 0;
    std::size_t units_total = 0;
    int iteration = 0;  // within the current batch
    int iterations = 0;
};

enum class RunEnd { Completed, Cancelled, Failed };
const char* to_string(RunEnd end);

struct WorkerEvents {
    std::function<void(const UnitResult&)> unit_done;
    std::function<void(const RunProgress&)> progress;
    // message: for Failed, the error; for Completed, the units that ended early and why ("" when
    // none did).
    std::function<void(std::uint64_t run_id, RunEnd end, const std::string& message)> run_finished;
};

class Worker {
  public:
    // Takes the models; moves them to `device`. The thread starts idle.
    Worker(ModelPack pack, c10::Device device, WorkerEvents events = {});
    ~Worker();  // cancels the run in progress and joins the thread
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Checks the request against the models (unknown classifier or layer, unit out of range,
    // parameters out of range, no generator for DGN-AM) and throws dgnam::Error; otherwise
    // replaces whatever runs or waits with this run and returns its id.
    std::uint64_t start(RunRequest request);
    void pause();
    void resume();
    void cancel();  // the current run ends at its next step boundary; nothing new starts
    // Throws dgnam::Error for out-of-range values. Returns true when a run waiting or in
    // progress takes them (from its next step), false when none will: no run, a cancelled one,
    // or one past its last step. A front end restarts the unit then; the change is never
    // silently dropped.
    bool set_params(const OptimizerParams& params);
    OptimizerParams params() const;
    bool paused() const;

    const LatestValue<Frame>& frames() const { return frames_; }
    // True once no run is waiting or running; false when the timeout passed first.
    bool wait_until_idle(std::chrono::milliseconds timeout) const;

    // Read-only descriptions of the models for the front end; safe from any thread.
    const ModelPack& pack() const { return pack_; }
    c10::Device device() const { return device_; }

  private:
    void loop();
    void execute(std::uint64_t id, const RunRequest& request);
    // The progress report doubles as the cancellation point: waits while paused, returns false
    // when the run must stop. Hands out parameters changed since `version`.
    bool checkpoint(std::uint64_t& version, std::optional<OptimizerParams>& changed);
    // The run's last batch is done with the parameters of `version`: true, and the run closed to
    // parameter changes in the same lock, when none newer came; false when they did.
    bool close_to_params(std::uint64_t version);
    void finish(std::uint64_t id, RunEnd end, const std::string& message);
    at::Tensor encode_start_image(const Image8& image) const;

    ModelPack pack_;
    c10::Device device_;
    WorkerEvents events_;
    LatestValue<Frame> frames_;

    mutable std::mutex mutex_;
    mutable std::condition_variable wake_;
    std::optional<RunRequest> pending_;
    std::uint64_t pending_id_ = 0;
    std::uint64_t next_id_ = 0;
    std::uint64_t running_id_ = 0;
    bool cancel_ = false;
    bool paused_ = false;
    bool stopping_ = false;
    OptimizerParams params_;
    std::uint64_t params_version_ = 0;
    bool closed_to_params_ = false;  // the running run reads no more parameters

    std::thread thread_;  // last: starts after every member above exists
};

}  // namespace dgnam
