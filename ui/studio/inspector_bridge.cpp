#include "inspector_bridge.h"

#include <QMetaObject>
#include <QPointer>

namespace dgnam::studio {

InspectorBridge::InspectorBridge(std::filesystem::path pack_folder,
                                 std::filesystem::path data_folder, QObject* parent)
    : QObject(parent) {
    QPointer<InspectorBridge> self(this);
    InspectorEvents events;
    events.top_images = [self](const TopImagesAnswer& answer) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, answer] {
                if (self && answer.id == self->newest_top_)
                    emit self->topImagesFound(answer);
            },
            Qt::QueuedConnection);
    };
    events.verdict = [self](const VerdictAnswer& answer) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, answer] {
                if (self && answer.id == self->newest_verdict_)
                    emit self->verdictReady(answer);
            },
            Qt::QueuedConnection);
    };
    events.failed = [self](std::uint64_t id, const std::string& message) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, id, text = QString::fromStdString(message)] {
                if (self && (id == self->newest_top_ || id == self->newest_verdict_))
                    emit self->failed(text);
            },
            Qt::QueuedConnection);
    };
    inspector_ = std::make_unique<UnitInspector>(std::move(pack_folder), std::move(data_folder),
                                                 std::move(events));
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
