#include "live_session.h"

#include <algorithm>

#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/png_io.h"
#include "dgnam/run_export.h"

namespace dgnam::live {
namespace {

// Characters outside [A-Za-z0-9_.-] become '_', as gallery file names do.
std::string file_safe(const std::string& text) {
    std::string safe = text;
    for (char& c : safe) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
        if (!ok)
            c = '_';
    }
    return safe;
}

}  // namespace

LiveSession::LiveSession(const std::filesystem::path& pack_folder, const c10::Device& device,
                         PackTrust trust, const ExecutionMode& mode)
    : pack_folder_(pack_folder), mode_(mode) {
    WorkerEvents events;
    events.unit_done = [this](const UnitResult& result) {
        std::lock_guard<std::mutex> lock(inbox_.mutex);
        inbox_.finished.push_back(result);
    };
    events.run_finished = [this](std::uint64_t run_id, RunEnd end, const std::string& message) {
        std::lock_guard<std::mutex> lock(inbox_.mutex);
        inbox_.ended.push_back(Inbox::Ended{run_id, end, message});
    };
    ModelPack loaded = load_model_pack(pack_folder, trust);
    loaded.set_execution_mode(mode);
    worker_ = std::make_unique<Worker>(std::move(loaded), device, std::move(events));
    if (!pack().generator)
        settings_.method = Method::Pixel;  // DGN-AM needs a generator
}

LiveSession::~LiveSession() = default;

UnitRef LiveSession::resolve(const UnitRef& unit) const {
    const Classifier& classifier = pack().classifier(unit.classifier);
    UnitRef resolved{classifier.id(), unit.layer.empty() ? classifier.output_layer() : unit.layer,
                     unit.unit};
    const std::int64_t count = classifier.layer(resolved.layer).units();
    if (unit.unit < 0 || unit.unit >= count)
        throw Error("unit " + std::to_string(unit.unit) + " is out of range: layer \"" +
                    resolved.layer + "\" of classifier \"" + resolved.classifier + "\" has " +
                    std::to_string(count) + " units (0-" + std::to_string(count - 1) + ")");
    return resolved;
}

void LiveSession::start(const UnitRef& unit) {
    run_id_ = worker_->start(make_run_request(unit, settings_));
    run_active_ = true;
    current_ = unit;
    newest_frame_.reset();
    history_.clear();
}

void LiveSession::select_unit(const UnitRef& unit) {
    start(resolve(unit));
}

void LiveSession::step_unit(int delta) {
    if (!current_.valid())
        return;
    const std::int64_t count = pack().classifier(current_.classifier).layer(current_.layer).units();
    UnitRef next = current_;
    next.unit = ((current_.unit + delta) % count + count) % count;
    select_unit(next);
}

SettingsEffect LiveSession::set_settings(const RunSettings& settings) {
    settings.params.validate();
    const SettingsEffect effect = settings_effect(settings_, settings, run_active_);
    const RunSettings before = settings_;
    settings_ = settings;
    if (!current_.valid() || effect == SettingsEffect::None)
        return effect;
    try {
        if (effect == SettingsEffect::Restart)
            start(current_);
        else if (!worker_->set_params(settings.params)) {
            start(current_);  // the run ended since the last poll(): it takes no parameters
            return SettingsEffect::Restart;
        }
    } catch (...) {
        settings_ = before;  // e.g. pixel method on a pack without a generator's help
        throw;
    }
    return effect;
}

void LiveSession::restart_with_next_seed() {
    RunSettings next = settings_;
    ++next.params.seed;
    set_settings(next);
}

void LiveSession::toggle_pause() {
    if (worker_->paused())
        worker_->resume();
    else
        worker_->pause();
}

bool LiveSession::poll() {
    std::vector<UnitResult> finished;
    std::vector<Inbox::Ended> ended;
    {
        std::lock_guard<std::mutex> lock(inbox_.mutex);
        finished.swap(inbox_.finished);
        ended.swap(inbox_.ended);
    }
    for (const UnitResult& result : finished) {
        results_.add(result);
        const UnitRef key{result.classifier, result.layer, result.unit};
        finished_order_.erase(std::remove(finished_order_.begin(), finished_order_.end(), key),
                              finished_order_.end());
        finished_order_.push_back(key);
    }
    for (const Inbox::Ended& end : ended) {
        if (end.run_id != run_id_)
            continue;  // a run this session has already replaced
        run_active_ = false;
        // Failed: the error; Completed: why the unit ended early, when it did.
        if (end.end != RunEnd::Cancelled && !end.message.empty())
            error_ = end.message;
    }

    std::optional<Frame> frame = worker_->frames().newer_than(frame_seen_);
    if (!frame || frame->run_id != run_id_ || !frame->image)
        return false;
    history_.update(frame->trace);
    newest_frame_ = std::move(frame);
    return true;
}

std::optional<std::string> LiveSession::take_error() {
    std::optional<std::string> error;
    error.swap(error_);
    return error;
}

std::vector<const UnitResult*> LiveSession::finished() const {
    std::vector<const UnitResult*> list;
    for (const UnitRef& key : finished_order_)
        if (const UnitResult* result = results_.find(key.classifier, key.layer, key.unit))
            list.push_back(result);
    return list;
}

std::filesystem::path LiveSession::save_image(const std::filesystem::path& folder) const {
    if (!newest_frame_ || !newest_frame_->image)
        throw Error("there is no image to save yet: pick a unit first");
    std::error_code ignored;
    std::filesystem::create_directories(folder, ignored);  // write_png names the problem
    const std::filesystem::path file =
        folder / (file_safe(current_.classifier) + "_" + file_safe(current_.layer) + "_" +
                  std::to_string(current_.unit) + ".png");
    write_png(file, *newest_frame_->image);
    return file;
}

void LiveSession::export_gallery(const std::filesystem::path& folder, bool overwrite) const {
    const std::string classifier =
        current_.valid() ? current_.classifier : pack().classifier().id();
    export_results(folder, results_, pack(), classifier, make_run_request(current_, settings_),
                   device(), overwrite);
}

}  // namespace dgnam::live
