#include "layer_tree_model.h"

#include <QIcon>
#include <QPixmap>

#include "dgnam/shape_text.h"

namespace dgnam::studio {
namespace {

QString shape_text(const std::vector<std::int64_t>& shape) {
    return QString::fromStdString(joined_sizes(shape));
}

}  // namespace

LayerTreeModel::LayerTreeModel(QObject* parent) : QAbstractItemModel(parent) {}

void LayerTreeModel::setPack(const ModelPack* pack) {
    beginResetModel();
    pack_ = pack;
    thumbnails_.clear();
    endResetModel();
}

void LayerTreeModel::setThumbnail(const UnitRef& unit, const QImage& image) {
    thumbnails_[{unit.classifier, unit.layer, unit.unit}] = image;
    const QModelIndex index = unitIndex(unit);
    if (index.isValid())
        emit dataChanged(index, index, {Qt::DecorationRole});
}

void LayerTreeModel::clearThumbnails() {
    beginResetModel();
    thumbnails_.clear();
    endResetModel();
}

// Bits 62-63: level; 32-61: classifier; 0-31: layer. A unit's row is its number.
quintptr LayerTreeModel::encode(Level level, int classifier, int layer) {
    return (quintptr(level) << 62) | (quintptr(classifier) << 32) | quintptr(layer);
}

LayerTreeModel::Node LayerTreeModel::node(const QModelIndex& index) const {
    const quintptr id = index.internalId();
    const auto level = Level(id >> 62);
    const int classifier = int((id >> 32) & 0x3fffffff);
    const int layer = int(id & 0xffffffff);
    switch (level) {
        case ClassifierLevel:
            return {level, index.row(), -1, -1};
        case LayerLevel:
            return {level, classifier, index.row(), -1};
        default:
            return {UnitLevel, classifier, layer, index.row()};
    }
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex& parent) const {
    if (!pack_ || column != 0 || row < 0 || row >= rowCount(parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, 0, encode(ClassifierLevel, 0, 0));
    const Node p = node(parent);
    if (p.level == ClassifierLevel)
        return createIndex(row, 0, encode(LayerLevel, p.classifier, 0));
    if (p.level == LayerLevel)
        return createIndex(row, 0, encode(UnitLevel, p.classifier, p.layer));
    return {};
}

QModelIndex LayerTreeModel::parent(const QModelIndex& child) const {
    if (!child.isValid())
        return {};
    const Node n = node(child);
    if (n.level == LayerLevel)
        return createIndex(n.classifier, 0, encode(ClassifierLevel, 0, 0));
    if (n.level == UnitLevel)
        return createIndex(n.layer, 0, encode(LayerLevel, n.classifier, 0));
    return {};
}

int LayerTreeModel::rowCount(const QModelIndex& parent) const {
    if (!pack_)
        return 0;
    if (!parent.isValid())
        return int(pack_->classifiers.size());
    if (parent.column() != 0)
        return 0;
    const Node p = node(parent);
    const Classifier& c = *pack_->classifiers[p.classifier];
    if (p.level == ClassifierLevel)
        return int(c.layers().size());
    if (p.level == LayerLevel)
        return int(c.layers()[p.layer].units());
    return 0;
}

int LayerTreeModel::columnCount(const QModelIndex&) const {
    return 1;
}

QVariant LayerTreeModel::data(const QModelIndex& index, int role) const {
    if (!pack_ || !index.isValid())
        return {};
    const Node n = node(index);
    const Classifier& c = *pack_->classifiers[n.classifier];
    if (role == ClassifierRole)
        return QString::fromStdString(c.id());
    if (role == NodeLevelRole)
        return int(n.level);
    if (n.level == ClassifierLevel) {
        if (role == Qt::DisplayRole)
            return QStringLiteral("%1: %2").arg(QString::fromStdString(c.id()),
                                                QString::fromStdString(c.name()));
        if (role == Qt::ToolTipRole)
            return tr("Classifier %1, input %2")
                .arg(QString::fromStdString(c.id()), shape_text(c.input().shape));
        return {};
    }
    const LayerInfo& layer = c.layers()[n.layer];
    if (role == LayerNameRole)
        return QString::fromStdString(layer.name);
    if (n.level == LayerLevel) {
        if (role == Qt::DisplayRole)
            return QStringLiteral("%1   %2   %3")
                .arg(QString::fromStdString(layer.name), QString::fromStdString(layer.type),
                     shape_text(layer.shape));
        if (role == Qt::ToolTipRole)
            return layer.is_spatial()
                       ? tr("%1 channels of %2x%3; a unit is a channel, read at the centre (the "
                            "paper's choice) or averaged over space")
                             .arg(layer.shape[0])
                             .arg(layer.shape[1])
                             .arg(layer.shape[2])
                       : tr("%1 units").arg(layer.units());
        return {};
    }
    const std::string label = c.label_of(layer.name, n.unit);
    if (role == Qt::DisplayRole)
        return label.empty()
                   ? tr("unit %1").arg(n.unit)
                   : QStringLiteral("%1  %2").arg(n.unit).arg(QString::fromStdString(label));
    if (role == UnitRefRole)
        return QVariant::fromValue(UnitRef{c.id(), layer.name, n.unit});
    if (role == Qt::DecorationRole) {
        auto it = thumbnails_.find({c.id(), layer.name, n.unit});
        if (it != thumbnails_.end())
            return QIcon(QPixmap::fromImage(it->second));
    }
    return {};
}

QModelIndex LayerTreeModel::layerIndex(const std::string& classifier,
                                       const std::string& layer) const {
    if (!pack_)
        return {};
    for (std::size_t ci = 0; ci < pack_->classifiers.size(); ++ci) {
        const Classifier& c = *pack_->classifiers[ci];
        if (c.id() != classifier)
            continue;
        const auto& layers = c.layers();
        for (std::size_t li = 0; li < layers.size(); ++li)
            if (layers[li].name == layer)
                return index(int(li), 0, index(int(ci), 0));
    }
    return {};
}

QModelIndex LayerTreeModel::unitIndex(const UnitRef& unit) const {
    const QModelIndex layer = layerIndex(unit.classifier, unit.layer);
    return layer.isValid() ? index(int(unit.unit), 0, layer) : QModelIndex();
}

LayerFilterProxy::LayerFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setRecursiveFilteringEnabled(true);
}

void LayerFilterProxy::setFilterText(const QString& text) {
    text_ = text.trimmed();
    invalidateFilter();
}

bool LayerFilterProxy::filterAcceptsRow(int row, const QModelIndex& parent) const {
    if (text_.isEmpty())
        return true;
    const QModelIndex index = sourceModel()->index(row, 0, parent);
    const int level = index.data(LayerTreeModel::NodeLevelRole).toInt();
    if (level == LayerTreeModel::ClassifierLevel)
        return false;  // shown through its children
    if (level == LayerTreeModel::LayerLevel)
        return index.data(LayerTreeModel::LayerNameRole)
            .toString()
            .contains(text_, Qt::CaseInsensitive);
    // A unit: its layer matched, its number is the text, or its label contains the text.
    if (parent.data(LayerTreeModel::LayerNameRole).toString().contains(text_, Qt::CaseInsensitive))
        return true;
    bool is_number = false;
    const int number = text_.toInt(&is_number);
    if (is_number)
        return number == row;
    const QString display = index.data(Qt::DisplayRole).toString();
    const QString label = display.section(QLatin1Char(' '), 2);  // after "<unit>  "
    return label.contains(text_, Qt::CaseInsensitive);
}

}  // namespace dgnam::studio
