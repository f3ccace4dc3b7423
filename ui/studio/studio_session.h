#pragma once
// Everything the studio does with one open model pack, without widgets: the live run of the
// selected unit, the gallery queue ("Visualise all") on a second worker with its own copy of the
// models, the inspector (top real images, the realism verdict), the finished results and export.
// The main window shows it; tests drive it directly.
#include <QElapsedTimer>
#include <QObject>
#include <QString>

#include <filesystem>
#include <memory>
#include <optional>

#include "dgnam/execution_mode.h"
#include "dgnam/unit_results.h"
#include "inspector_bridge.h"
#include "unit_ref.h"
#include "worker_bridge.h"

namespace dgnam::studio {

// The run settings (shared with dgnam-live through the core) plus what only the studio offers.
struct SessionSettings : RunSettings {
    int gallery_batch = 8;  // units per forward/backward in the gallery queue
    std::string start_image_name;
};

class StudioSession : public QObject {
    Q_OBJECT
  public:
    // Loads the pack (three copies: live worker, gallery worker, inspector) onto `device`.
    // Throws dgnam::Error naming the file and the problem; nothing is half-made on failure.
    // `trust` says whether TorchScript entries (code) may load; see pack_code_files. `mode`:
    // the precision of the workers' networks.
    StudioSession(const std::filesystem::path& pack_folder, const c10::Device& device,
                  const std::filesystem::path& data_folder, PackTrust trust = PackTrust::DataOnly,
                  const ExecutionMode& mode = ExecutionMode::fast(), QObject* parent = nullptr);
    ~StudioSession() override;

    const ModelPack& pack() const { return live_->pack(); }
    const std::filesystem::path& packFolder() const { return pack_folder_; }
    c10::Device device() const { return live_->device(); }
    const UnitRef& currentUnit() const { return current_; }
    const SessionSettings& settings() const { return settings_; }
    const UnitResults& results() const { return results_; }
    std::optional<Frame> newestFrame() const { return newest_frame_; }
    const WorkerBridge& liveWorker() const { return *live_; }
    bool galleryRunning() const { return gallery_->running(); }

    // Starts optimising `unit` at once, replacing the live run. Returns false and emits
    // errorOccurred for a unit the models do not have.
    bool selectUnit(const UnitRef& unit);
    // New parameters reach the live run at its next step; a finished run is run again with them.
    bool setSettings(const SessionSettings& settings);
    void togglePause();
    bool paused() const;
    void restartWithNewSeed();
    void restart();

    // Queues every unit in `units` of `layer` on the gallery worker.
    bool visualiseAll(const std::string& classifier, const std::string& layer,
                      const std::vector<std::int64_t>& units);
    void cancelGallery();

    // Writes the finished results of the current classifier as a gallery. Throws dgnam::Error
    // naming the folder or file; files already there stay intact.
    void exportGallery(const std::filesystem::path& folder, bool overwrite) const;
    // Writes the newest image as a PNG; throws dgnam::Error.
    void saveCurrentImage(const std::filesystem::path& file) const;

    // The realism judge for the current unit's images, if the pack has one.
    const Classifier* judge() const;

  signals:
    void frameArrived(const dgnam::Frame& frame);
    void liveRunEnded(dgnam::RunEnd end, const QString& message);
    void unitFinished(const dgnam::UnitResult& result);
    void resultAdded(const dgnam::UnitResult& result);
    void galleryProgress(int done, int total);
    void galleryEnded(dgnam::RunEnd end, const QString& message);
    void topImagesFound(const dgnam::TopImagesAnswer& answer);
    void verdictReady(const dgnam::VerdictAnswer& answer);
    void errorOccurred(const QString& message);

  private:
    void onFrame(const Frame& frame);
    void askVerdict(const Image8& image);

    std::filesystem::path pack_folder_;
    std::unique_ptr<WorkerBridge> live_;
    std::unique_ptr<WorkerBridge> gallery_;
    std::unique_ptr<InspectorBridge> inspector_;
    UnitResults results_;
    SessionSettings settings_;
    UnitRef current_;
    std::optional<Frame> newest_frame_;
    QElapsedTimer since_verdict_;
    std::vector<std::int64_t> gallery_units_;
};

}  // namespace dgnam::studio
