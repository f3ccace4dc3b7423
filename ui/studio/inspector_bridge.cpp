#include "inspector_bridge.h"

#include <QPointer>

#include "queued_call.h"

namespace dgnam::studio {

InspectorBridge::InspectorBridge(std::filesystem::path pack_folder,
                                 std::filesystem::path data_folder, PackTrust trust,
                                 QObject* parent)
    : QObject(parent) {
    QPointer<InspectorBridge> self(this);
    InspectorEvents events;
    events.top_images = [self](const TopImagesAnswer& answer) {
        call_queued(self, [answer](InspectorBridge& bridge) {
            if (answer.id == bridge.newest_top_)
                emit bridge.topImagesFound(answer);
        });
    };
    events.verdict = [self](const VerdictAnswer& answer) {
        call_queued(self, [answer](InspectorBridge& bridge) {
            if (answer.id == bridge.newest_verdict_)
                emit bridge.verdictReady(answer);
        });
    };
    events.failed = [self](std::uint64_t id, const std::string& message) {
        call_queued(self, [id, text = QString::fromStdString(message)](InspectorBridge& bridge) {
            if (id == bridge.newest_top_ || id == bridge.newest_verdict_)
                emit bridge.failed(text);
        });
    };
    inspector_ = std::make_unique<UnitInspector>(std::move(pack_folder), std::move(data_folder),
                                                 std::move(events), trust);
}

InspectorBridge::~InspectorBridge() {
    inspector_.reset();
}

void InspectorBridge::findTopImages(const std::string& classifier, const Objective& objective,
                                    std::int64_t unit, int k) {
    newest_top_ = inspector_->find_top_images(classifier, objective, unit, k);
}

void InspectorBridge::judge(const std::string& judge, const Image8& image, std::int64_t target) {
    newest_verdict_ = inspector_->judge(judge, image, target);
}

}  // namespace dgnam::studio
