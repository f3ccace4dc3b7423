#pragma once
// The pack's networks as a tree: classifier -> layer (name, kind, shape) -> unit (number and, on
// the output layer, the class name). Units show the thumbnail of their finished image.
#include <QAbstractItemModel>
#include <QImage>
#include <QSortFilterProxyModel>

#include <map>
#include <tuple>

#include "dgnam/model_pack.h"
#include "unit_ref.h"

namespace dgnam::studio {

class LayerTreeModel : public QAbstractItemModel {
    Q_OBJECT
  public:
    enum Role { UnitRefRole = Qt::UserRole + 1, LayerNameRole, ClassifierRole, NodeLevelRole };
    enum Level { ClassifierLevel = 0, LayerLevel = 1, UnitLevel = 2 };

    explicit LayerTreeModel(QObject* parent = nullptr);
    // The pack must outlive the model or be replaced through setPack first.
    void setPack(const ModelPack* pack);
    void setThumbnail(const UnitRef& unit, const QImage& image);
    void clearThumbnails();

    QModelIndex unitIndex(const UnitRef& unit) const;
    QModelIndex layerIndex(const std::string& classifier, const std::string& layer) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

  private:
    struct Node {
        Level level;
        int classifier;
        int layer;
        int unit;
    };
    Node node(const QModelIndex& index) const;
    static quintptr encode(Level level, int classifier, int layer);

    const ModelPack* pack_ = nullptr;
    std::map<std::tuple<std::string, std::string, std::int64_t>, QImage> thumbnails_;
};

// Filters by layer name, unit number (exact) or class label (substring), case-insensitively;
// a layer whose name matches shows all its units.
class LayerFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
  public:
    explicit LayerFilterProxy(QObject* parent = nullptr);
    void setFilterText(const QString& text);

  protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

  private:
    QString text_;
};

}  // namespace dgnam::studio
