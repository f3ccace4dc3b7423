#include "studio_session.h"

#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/judge.h"
#include "dgnam/png_io.h"
#include "dgnam/run_export.h"

namespace dgnam::studio {
namespace {
// A verdict on the live image at most this often: the judge is cheap, but not free.
constexpr int kVerdictIntervalMs = 200;
}  // namespace

StudioSession::StudioSession(const std::filesystem::path& pack_folder, const c10::Device& device,
                             const std::filesystem::path& data_folder, PackTrust trust,
                             const ExecutionMode& mode, QObject* parent)
    : QObject(parent), pack_folder_(pack_folder) {
    auto load = [&] {
        ModelPack pack = load_model_pack(pack_folder, trust);
        pack.set_execution_mode(mode);
        return pack;
    };
    live_ = std::make_unique<WorkerBridge>(load(), device);
    gallery_ = std::make_unique<WorkerBridge>(load(), device);
    inspector_ = std::make_unique<InspectorBridge>(pack_folder, data_folder, trust);

    connect(live_.get(), &WorkerBridge::frameArrived, this, &StudioSession::onFrame);
    connect(live_.get(), &WorkerBridge::unitFinished, this, [this](const UnitResult& result) {
        results_.add(result);
        emit unitFinished(result);
        emit resultAdded(result);
        askVerdict(result.image);
    });
    connect(live_.get(), &WorkerBridge::runEnded, this,
            [this](quint64, RunEnd end, const QString& message) {
                emit liveRunEnded(end, message);
                if (end == RunEnd::Failed)
                    emit errorOccurred(message);
            });
    connect(gallery_.get(), &WorkerBridge::unitFinished, this, [this](const UnitResult& result) {
        results_.add(result);
        emit resultAdded(result);
    });
    connect(gallery_.get(), &WorkerBridge::progressed, this, [this](const RunProgress& p) {
        emit galleryProgress(int(p.units_done), int(p.units_total));
    });
    connect(gallery_.get(), &WorkerBridge::runEnded, this,
            [this](quint64, RunEnd end, const QString& message) {
                emit galleryEnded(end, message);
                if (end == RunEnd::Failed)
                    emit errorOccurred(message);
            });
    connect(inspector_.get(), &InspectorBridge::topImagesFound, this,
            &StudioSession::topImagesFound);
    connect(inspector_.get(), &InspectorBridge::verdictReady, this, &StudioSession::verdictReady);
    connect(inspector_.get(), &InspectorBridge::failed, this, &StudioSession::errorOccurred);
}

StudioSession::~StudioSession() = default;

bool StudioSession::selectUnit(const UnitRef& unit) {
    try {
        live_->start(make_run_request(unit, settings_));
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(e.what()));
        return false;
    }
    current_ = unit;
    newest_frame_.reset();
    since_verdict_.invalidate();
    Objective objective;
    objective.layer = unit.layer;
    objective.spatial = settings_.spatial;
    inspector_->findTopImages(unit.classifier, objective, unit.unit);
    return true;
}

bool StudioSession::setSettings(const SessionSettings& settings) {
    try {
        settings.params.validate();
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(e.what()));
        return false;
    }
    const SettingsEffect effect = settings_effect(settings_, settings, live_->running());
    settings_ = settings;
    if (!current_.valid() || effect == SettingsEffect::None)
        return true;
    // A run that ended after its last event came through takes no more parameters: restart.
    if (effect == SettingsEffect::Restart || !live_->setParams(settings.params))
        return selectUnit(current_);
    return true;
}

void StudioSession::togglePause() {
    if (live_->paused())
        live_->resume();
    else
        live_->pause();
}

bool StudioSession::paused() const {
    return live_->paused();
}

void StudioSession::restartWithNewSeed() {
    SessionSettings next = settings_;
    ++next.params.seed;
    setSettings(next);
}

void StudioSession::restart() {
    if (current_.valid())
        selectUnit(current_);
}

bool StudioSession::visualiseAll(const std::string& classifier, const std::string& layer,
                                 const std::vector<std::int64_t>& units) {
    RunRequest request = make_run_request(UnitRef{classifier, layer, 0}, settings_);
    request.units = units;
    request.batch_size = settings_.gallery_batch;
    request.publish_frames = false;
    try {
        gallery_->start(request);
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(e.what()));
        return false;
    }
    gallery_units_ = units;
    emit galleryProgress(0, int(units.size()));
    return true;
}

void StudioSession::cancelGallery() {
    gallery_->cancel();
}

void StudioSession::exportGallery(const std::filesystem::path& folder, bool overwrite) const {
    const std::string classifier =
        current_.valid() ? current_.classifier : pack().classifier().id();
    export_results(folder, results_, pack(), classifier, make_run_request(current_, settings_),
                   device(), overwrite);
}

void StudioSession::saveCurrentImage(const std::filesystem::path& file) const {
    if (!newest_frame_ || !newest_frame_->image)
        throw Error("there is no image to save yet: pick a unit first");
    write_png(file, *newest_frame_->image);
}

const Classifier* StudioSession::judge() const {
    if (!current_.valid())
        return nullptr;
    return find_judge(pack(),
                      current_.classifier.empty() ? pack().classifier().id() : current_.classifier,
                      current_.layer);
}

void StudioSession::onFrame(const Frame& frame) {
    newest_frame_ = frame;
    emit frameArrived(frame);
    if (frame.image &&
        (!since_verdict_.isValid() || since_verdict_.elapsed() >= kVerdictIntervalMs))
        askVerdict(*frame.image);
}

void StudioSession::askVerdict(const Image8& image) {
    const Classifier* judge_classifier = judge();
    if (!judge_classifier)
        return;
    since_verdict_.start();
    inspector_->judge(judge_classifier->id(), image, current_.unit);
}

}  // namespace dgnam::studio
