#pragma once
// Everything dgnam-live does with one open model pack, without GL or ImGui: the live run of the
// chosen unit on a dgnam::Worker, its newest frame and activation history, the units finished
// in this session, and export. The window polls it once per frame; tests drive it directly.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "activation_history.h"
#include "dgnam/execution_mode.h"
#include "dgnam/run_settings.h"
#include "dgnam/unit_results.h"
#include "dgnam/worker.h"

namespace dgnam::live {

class LiveSession {
  public:
    // Loads the pack onto `device`. Throws dgnam::Error naming the folder or file and the
    // problem.
    // `trust` says whether TorchScript entries (code) may load; `mode`: its precision.
    LiveSession(const std::filesystem::path& pack_folder, const c10::Device& device,
                PackTrust trust = PackTrust::DataOnly,
                const ExecutionMode& mode = ExecutionMode::fast());
    ~LiveSession();
    LiveSession(const LiveSession&) = delete;
    LiveSession& operator=(const LiveSession&) = delete;

    const ModelPack& pack() const { return worker_->pack(); }
    const std::filesystem::path& pack_folder() const { return pack_folder_; }
    c10::Device device() const { return worker_->device(); }
    const ExecutionMode& execution_mode() const { return mode_; }

    // The unit given with its classifier and layer resolved ("" = default classifier, its
    // output layer). Throws dgnam::Error naming an unknown classifier or layer, or a unit out
    // of range.
    UnitRef resolve(const UnitRef& unit) const;
    // Starts optimising `unit` at once, replacing the live run. Throws dgnam::Error (see
    // resolve and Worker::start); the run in progress stays then.
    void select_unit(const UnitRef& unit);
    // The previous (-1) or next (+1) unit of the current layer, wrapping around.
    void step_unit(int delta);
    const UnitRef& current() const { return current_; }

    const RunSettings& settings() const { return settings_; }
    // Applies new settings (see settings_effect). Throws dgnam::Error for a value out of range;
    // the old settings stay then.
    SettingsEffect set_settings(const RunSettings& settings);
    void restart_with_next_seed();
    void toggle_pause();
    bool paused() const { return worker_->paused(); }
    // The live run has not ended yet (it may be paused).
    bool run_active() const { return run_active_; }

    // Called once per GUI frame on the GUI thread: takes what the worker reported and the
    // newest frame of the live run. True when a new frame arrived.
    bool poll();
    const std::optional<Frame>& newest_frame() const { return newest_frame_; }
    const ActivationHistory& history() const { return history_; }
    // The last failure of a live run, or why its unit ended early, once; empty when neither.
    std::optional<std::string> take_error();

    const UnitResults& results() const { return results_; }
    // The units finished in this session, oldest first (a unit run again moves to the end).
    std::vector<const UnitResult*> finished() const;

    // Writes the newest image as <folder>/<classifier>_<layer>_<unit>.png and returns the path.
    // Throws dgnam::Error when there is no image yet or the file cannot be written.
    std::filesystem::path save_image(const std::filesystem::path& folder) const;
    // Writes the finished results of the current classifier as a gallery into `folder`.
    // Throws dgnam::Error naming the folder or file; files already there stay intact.
    void export_gallery(const std::filesystem::path& folder, bool overwrite) const;

  private:
    // What the worker's callbacks (on the worker's thread) leave for the GUI thread. Unit
    // results are few (one per finished run); frames never pass through here.
    struct Inbox {
        std::mutex mutex;
        std::vector<UnitResult> finished;
        struct Ended {
            std::uint64_t run_id = 0;
            RunEnd end = RunEnd::Completed;
            std::string message;
        };
        std::vector<Ended> ended;
    };

    void start(const UnitRef& unit);

    std::filesystem::path pack_folder_;
    ExecutionMode mode_;
    Inbox inbox_;  // before worker_: the worker's thread ends before the inbox goes
    std::unique_ptr<Worker> worker_;
    RunSettings settings_;
    UnitRef current_;
    std::uint64_t run_id_ = 0;
    bool run_active_ = false;
    std::uint64_t frame_seen_ = 0;
    std::optional<Frame> newest_frame_;
    ActivationHistory history_;
    std::optional<std::string> error_;
    UnitResults results_;
    std::vector<UnitRef> finished_order_;
};

}  // namespace dgnam::live
