#pragma once
// dgnam::UnitInspector seen from the Qt side: answers become signals on the GUI thread, and only
// the answer to the newest query of each kind gets through.
#include <QObject>

#include <filesystem>
#include <memory>

#include "dgnam/unit_inspector.h"

namespace dgnam::studio {

class InspectorBridge : public QObject {
    Q_OBJECT
  public:
    InspectorBridge(std::filesystem::path pack_folder, std::filesystem::path data_folder,
                    PackTrust trust, QObject* parent = nullptr);
    ~InspectorBridge() override;

    void findTopImages(const std::string& classifier, const Objective& objective, std::int64_t unit,
                       int k = 9);
    void judge(const std::string& judge, const Image8& image, std::int64_t target);

  signals:
    void topImagesFound(const dgnam::TopImagesAnswer& answer);
    void verdictReady(const dgnam::VerdictAnswer& answer);
    void failed(const QString& message);

  private:
    std::unique_ptr<UnitInspector> inspector_;
    std::uint64_t newest_top_ = 0;
    std::uint64_t newest_verdict_ = 0;
};

}  // namespace dgnam::studio
