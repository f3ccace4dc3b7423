#include "dgnam/worker.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>

#include "dgnam/device.h"
#include "dgnam/dgn_am_batch.h"
#include "dgnam/error.h"
#include "dgnam/frame_images.h"
#include "dgnam/image_input.h"
#include "dgnam/pixel_am.h"
#include "dgnam/stall_watch.h"

namespace dgnam {

const char* to_string(RunEnd end) {
    switch (end) {
        case RunEnd::Completed:
            return "completed";
        case RunEnd::Cancelled:
            return "cancelled";
        case RunEnd::Failed:
            return "failed";
    }
    return "failed";
}

Worker::Worker(ModelPack pack, c10::Device device, WorkerEvents events)
    : pack_(std::move(pack)), device_(device), events_(std::move(events)) {
    pack_.to(device_);
    thread_ = std::thread([this] { loop(); });
}

Worker::~Worker() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        cancel_ = true;
        pending_.reset();
    }
    wake_.notify_all();
    thread_.join();
}

std::uint64_t Worker::start(RunRequest request) {
    request.params.validate();
    if (request.batch_size < 1)
        throw Error("batch size must be at least 1");
    const Classifier& classifier = pack_.classifier(request.classifier);
    if (request.objective.layer.empty())
        request.objective.layer = classifier.output_layer();
    validate_objective(classifier.layer(request.objective.layer), request.units, request.objective);
    if (request.method == Method::Dgn && !pack_.generator)
        throw Error("model pack \"" + pack_.name +
                    "\" has no generator, so DGN-AM cannot run; use the pixel method");
    if (request.start_image && request.method != Method::Dgn)
        throw Error("a start image needs DGN-AM (it is encoded into the generator's code)");
    if (request.start_image && request.start_image->empty())
        throw Error("the start image is empty");
    std::uint64_t id = 0;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        id = ++next_id_;
        params_ = request.params;
        ++params_version_;
        pending_ = std::move(request);
        pending_id_ = id;
        cancel_ = running_id_ != 0;  // the run in progress gives way
        paused_ = false;
    }
    wake_.notify_all();
    return id;
}

void Worker::pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = true;
}

void Worker::resume() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        paused_ = false;
    }
    wake_.notify_all();
}

void Worker::cancel() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_.reset();
        cancel_ = running_id_ != 0;
    }
    wake_.notify_all();
}

bool Worker::set_params(const OptimizerParams& params) {
    params.validate();
    std::lock_guard<std::mutex> lock(mutex_);
    params_ = params;
    ++params_version_;
    return pending_.has_value() || (running_id_ != 0 && !cancel_ && !closed_to_params_);
}

OptimizerParams Worker::params() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return params_;
}

bool Worker::paused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paused_;
}

bool Worker::wait_until_idle(std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return wake_.wait_for(lock, timeout, [this] { return !pending_ && running_id_ == 0; });
}

void Worker::loop() {
    for (;;) {
        RunRequest request;
        std::uint64_t id = 0;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
            if (stopping_)
                return;
            request = std::move(*pending_);
            pending_.reset();
            id = pending_id_;
            running_id_ = id;
            cancel_ = false;
            closed_to_params_ = false;
        }
        // Each run takes the thread count set_compute_threads chose last: a new thread (and
        // OpenMP's per-thread setting) would otherwise keep the default team size.
        at::init_num_threads();
        execute(id, request);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_id_ = 0;
        }
        wake_.notify_all();
    }
}

bool Worker::checkpoint(std::uint64_t& version, std::optional<OptimizerParams>& changed) {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return !paused_ || cancel_ || stopping_; });
    if (cancel_ || stopping_)
        return false;
    if (params_version_ != version) {
        version = params_version_;
        changed = params_;
    }
    return true;
}

bool Worker::close_to_params(std::uint64_t version) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (params_version_ != version)
        return false;
    closed_to_params_ = true;
    return true;
}

void Worker::finish(std::uint64_t id, RunEnd end, const std::string& message) {
    if (events_.run_finished)
        events_.run_finished(id, end, message);
}

at::Tensor Worker::encode_start_image(const Image8& image) const {
    at::NoGradGuard no_grad;
    const Classifier& encoder = pack_.classifier(pack_.generator_classifier);
    const auto input = image_to_input(encoder.input(), image, ImageFit::ResizeThenCrop).to(device_);
    return encoder.forward_to(input, pack_.code_layer)[0].reshape({-1}).to(at::kCPU);
}

void Worker::execute(std::uint64_t id, const RunRequest& request) {
    try {
        const Classifier& classifier = pack_.classifier(request.classifier);
        const std::string& layer = request.objective.layer;
        std::uint64_t version = 0;
        std::optional<OptimizerParams> changed;
        if (!checkpoint(version, changed))
            return finish(id, RunEnd::Cancelled, "");
        OptimizerParams params = changed.value_or(request.params);

        const bool dgn = request.method == Method::Dgn;
        const DisplayMapping display = dgn ? pack_.display : DisplayMapping{};
        auto label_of = [&](std::int64_t unit) -> std::optional<std::string> {
            auto label = classifier.label_of(layer, unit);
            if (label.empty())
                return std::nullopt;
            return label;
        };
        InitialCode initial = request.initial;
        if (dgn && request.start_image)
            initial = InitialCode::given(encode_start_image(*request.start_image));
        const std::size_t total = request.units.size();
        std::string notes;  // units that ended early, for the run's message
        for (std::size_t first = 0; first < total; first += request.batch_size) {
            const std::size_t count = std::min<std::size_t>(request.batch_size, total - first);
            std::vector<std::int64_t> units(request.units.begin() + first,
                                            request.units.begin() + first + count);
            std::unique_ptr<ActivationMaximizer> optimizer;
            if (dgn)
                optimizer = make_dgn_am(*pack_.generator, classifier, request.objective, units,
                                        params, initial, device_);
            else
                optimizer = std::make_unique<PixelAm>(classifier, request.objective, units, params,
                                                      device_);
            FrameImages frame_images(display, optimizer->image_space());
            StallWatch stall;
            StepTrace trace;
            std::optional<std::string> stopped_early;
            // The last batch ends only if no newer parameters came since the checkpoint (more
            // iterations, or ones that may get a stalled unit going); from then on set_params
            // says that the run no longer takes any.
            const bool last_batch = first + count >= total;
            auto batch_ends = [&] { return !last_batch || close_to_params(version); };
            for (;;) {
                changed.reset();
                if (!checkpoint(version, changed))
                    return finish(id, RunEnd::Cancelled, "");
                if (changed) {
                    params = *changed;
                    optimizer->set_params(params);
                }
                if (optimizer->done()) {
                    if (batch_ends())
                        break;
                    continue;
                }
                // Several steps of a split batch at once (steps_per_call), so parameters and a
                // cancel are taken, and a frame shown, once for all of them.
                // Not done and at least 1 asked for: at least 1 taken.
                auto steps = optimizer->steps(optimizer->steps_per_call());
                for (const StepResult& taken : steps) {
                    if (!stopped_early)
                        stopped_early = stall.observe(taken);
                    if (request.publish_frames && !taken.rows.empty())
                        trace.append({taken.rows[0].activation, taken.rows[0].probability});
                }
                StepResult step = std::move(steps.back());
                if (request.publish_frames) {
                    Frame frame;
                    frame.run_id = id;
                    frame.layer = layer;
                    frame.unit = units.front();
                    frame.label = label_of(frame.unit);
                    frame.image = frame_images.convert(step.images[0]);
                    step.images = at::Tensor();
                    frame.step = std::move(step);
                    frame.trace = trace;
                    frames_.publish(std::move(frame));
                }
                if (events_.progress)
                    events_.progress({id, first, total, optimizer->iteration(), params.iterations});
                if (stopped_early) {
                    if (batch_ends())
                        break;
                    stopped_early.reset();
                    stall = StallWatch();
                }
            }
            for (const RowOutcome& row : optimizer->evaluate()) {
                UnitResult result;
                result.run_id = id;
                result.classifier = classifier.id();
                result.layer = layer;
                result.unit = row.unit;
                result.label = label_of(row.unit);
                result.image = display.to_rgb8(row.image, optimizer->image_space());
                result.activation = row.activation;
                result.probability = row.probability;
                result.best_image = display.to_rgb8(row.best_image, optimizer->image_space());
                result.best_activation = row.best_activation;
                result.iterations = optimizer->iteration();
                result.seed = params.seed;
                result.skipped_steps = row.skipped_steps;
                if (stopped_early)
                    result.stopped_early = *stopped_early;
                if (events_.unit_done)
                    events_.unit_done(result);
            }
            if (stopped_early) {
                std::string list;
                for (auto u : units)
                    list += (list.empty() ? "" : ", ") + std::to_string(u);
                notes += (notes.empty() ? "" : "\n") +
                         std::string(units.size() == 1 ? "unit " : "units ") + list + ": " +
                         *stopped_early;
            }
            if (events_.progress)
                events_.progress(
                    {id, first + count, total, optimizer->iteration(), params.iterations});
        }
        finish(id, RunEnd::Completed, notes);
    } catch (const std::exception& e) {
        const auto batch = std::min<std::size_t>(request.batch_size, request.units.size());
        finish(id, RunEnd::Failed,
               is_out_of_memory(e) ? out_of_memory_message(batch, device_, e) : e.what());
    }
}

}  // namespace dgnam
