#pragma once
// A dgnam::Worker seen from the Qt side: its callbacks, which run on the worker's thread, are
// handed to the GUI thread by queued invocation and become signals; results of runs that were
// replaced are dropped there. New frames are read from the worker's latest-frame mailbox by a
// timer, so however slowly the GUI draws, nothing queues up.
#include <QObject>
#include <QTimer>

#include <memory>

#include "dgnam/worker.h"

namespace dgnam::studio {

class WorkerBridge : public QObject {
    Q_OBJECT
  public:
    // Takes the models. `frame_interval_ms` is how often the mailbox is read.
    WorkerBridge(ModelPack pack, c10::Device device, int frame_interval_ms = 15,
                 QObject* parent = nullptr);
    ~WorkerBridge() override;

    // Throws dgnam::Error for a request the models cannot run. Replaces the current run.
    std::uint64_t start(const RunRequest& request);
    void cancel();
    void pause();
    void resume();
    bool paused() const;
    // Throws dgnam::Error for values out of range.
    // False when no run takes them any more (it ended since the last event came through).
    bool setParams(const OptimizerParams& params);

    bool running() const { return running_; }
    std::uint64_t currentRun() const { return current_run_; }
    const RunRequest& currentRequest() const { return request_; }
    const Worker& worker() const { return *worker_; }
    const ModelPack& pack() const { return worker_->pack(); }
    c10::Device device() const { return worker_->device(); }

  signals:
    void frameArrived(const dgnam::Frame& frame);
    void unitFinished(const dgnam::UnitResult& result);
    void progressed(const dgnam::RunProgress& progress);
    void runEnded(quint64 runId, dgnam::RunEnd end, const QString& message);

  private:
    void pollFrames();

    std::unique_ptr<Worker> worker_;
    QTimer frame_timer_;
    std::uint64_t frames_seen_ = 0;
    std::uint64_t current_run_ = 0;
    RunRequest request_;
    bool running_ = false;
};

}  // namespace dgnam::studio
