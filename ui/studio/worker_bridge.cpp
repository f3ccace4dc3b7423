#include "worker_bridge.h"

#include <QPointer>

#include "queued_call.h"

namespace dgnam::studio {

WorkerBridge::WorkerBridge(ModelPack pack, c10::Device device, int frame_interval_ms,
                           QObject* parent)
    : QObject(parent) {
    // The callbacks capture a guarded pointer: an event posted while this object is being
    // destroyed is dropped instead of reaching freed memory.
    QPointer<WorkerBridge> self(this);
    WorkerEvents events;
    events.unit_done = [self](const UnitResult& result) {
        call_queued(self, [result](WorkerBridge& bridge) {
            if (result.run_id == bridge.current_run_)
                emit bridge.unitFinished(result);
        });
    };
    events.progress = [self](const RunProgress& progress) {
        call_queued(self, [progress](WorkerBridge& bridge) {
            if (progress.run_id == bridge.current_run_)
                emit bridge.progressed(progress);
        });
    };
    events.run_finished = [self](std::uint64_t id, RunEnd end, const std::string& message) {
        call_queued(self, [id, end, text = QString::fromStdString(message)](WorkerBridge& bridge) {
            if (id != bridge.current_run_)
                return;
            bridge.running_ = false;
            bridge.pollFrames();  // the last step's frame before the end
            emit bridge.runEnded(id, end, text);
        });
    };
    worker_ = std::make_unique<Worker>(std::move(pack), device, std::move(events));
    frame_timer_.setInterval(frame_interval_ms);
    connect(&frame_timer_, &QTimer::timeout, this, &WorkerBridge::pollFrames);
    frame_timer_.start();
}

WorkerBridge::~WorkerBridge() {
    frame_timer_.stop();
    worker_.reset();  // joins the thread; events it posts meanwhile find a null guard
}

std::uint64_t WorkerBridge::start(const RunRequest& request) {
    current_run_ = worker_->start(request);
    request_ = request;
    running_ = true;
    return current_run_;
}

void WorkerBridge::cancel() {
    worker_->cancel();
    if (running_) {
        running_ = false;
        emit runEnded(current_run_, RunEnd::Cancelled, QString());
    }
    current_run_ = 0;  // run ids start at 1: whatever the cancelled run still reports is dropped
}

void WorkerBridge::pause() {
    worker_->pause();
}
void WorkerBridge::resume() {
    worker_->resume();
}
bool WorkerBridge::paused() const {
    return worker_->paused();
}

bool WorkerBridge::setParams(const OptimizerParams& params) {
    request_.params = params;
    return worker_->set_params(params);
}

void WorkerBridge::pollFrames() {
    auto frame = worker_->frames().newer_than(frames_seen_);
    if (frame && frame->run_id == current_run_)
        emit frameArrived(*frame);
}

}  // namespace dgnam::studio
