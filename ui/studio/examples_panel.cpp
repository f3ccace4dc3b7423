#include "examples_panel.h"

#include <QGridLayout>
#include <QImage>
#include <QLabel>
#include <QPixmap>
#include <QToolButton>
#include <QVBoxLayout>

#include "image_conversion.h"

namespace dgnam::studio {
namespace {
constexpr int kCells = 9;
constexpr int kCellPixels = 72;
}  // namespace

ExamplesPanel::ExamplesPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    caption_ = new QLabel(this);
    caption_->setWordWrap(true);
    layout->addWidget(caption_);
    auto* grid = new QGridLayout;
    grid->setSpacing(3);
    for (int i = 0; i < kCells; ++i) {
        auto* cell = new QToolButton(this);
        cell->setFixedSize(kCellPixels, kCellPixels);
        cell->setIconSize(QSize(kCellPixels - 6, kCellPixels - 6));
        cell->setAutoRaise(true);
        cell->setEnabled(false);
        connect(cell, &QToolButton::clicked, this, [this, i] { emit exampleClicked(i); });
        grid->addWidget(cell, i / 3, i % 3);
        cells_.push_back(cell);
    }
    layout->addLayout(grid);
    verdict_ = new QLabel(this);
    verdict_->setWordWrap(true);
    verdict_->setToolTip(
        tr("The realism check: a second classifier of the pack, which the generator was not "
           "trained with, judges the image. An image only the first network recognises is "
           "adversarial; one that the second also recognises looks like the class."));
    layout->addWidget(verdict_);
    layout->addStretch(1);
    clear(tr("Pick a unit to see the real images that drive it hardest."));
}

void ExamplesPanel::clear(const QString& status) {
    caption_->setText(status);
    answer_ = {};
    for (QToolButton* cell : cells_) {
        cell->setIcon({});
        cell->setToolTip({});
        cell->setEnabled(false);
    }
}

void ExamplesPanel::showTopImages(const TopImagesAnswer& answer) {
    answer_ = answer;
    caption_->setText(tr("Test images that drive %1 unit %2 hardest:")
                          .arg(QString::fromStdString(answer.layer))
                          .arg(answer.unit));
    for (std::size_t i = 0; i < cells_.size(); ++i) {
        if (i >= answer.pictures.size()) {
            cells_[i]->setIcon({});
            cells_[i]->setEnabled(false);
            continue;
        }
        const QImage image = to_qimage(answer.pictures[i]);
        cells_[i]->setIcon(QPixmap::fromImage(image.scaled(
            kCellPixels - 6, kCellPixels - 6, Qt::KeepAspectRatio, Qt::FastTransformation)));
        cells_[i]->setEnabled(true);
        cells_[i]->setToolTip(tr("test image %1 (%2): activation %3. Click to start the "
                                 "optimisation from its code.")
                                  .arg(answer.images[i].index)
                                  .arg(QString::fromStdString(answer.labels[i]))
                                  .arg(answer.images[i].activation, 0, 'f', 3));
    }
}

void ExamplesPanel::showVerdict(const VerdictAnswer& answer, const QString& target_label) {
    const bool agrees = answer.verdict.predicted == answer.target;
    verdict_->setText(tr("Classifier %1 says: <b>%2</b> (%3); p(%4) = %5 %6")
                          .arg(QString::fromStdString(answer.judge),
                               QString::fromStdString(answer.predicted_label))
                          .arg(answer.verdict.predicted_probability, 0, 'f', 3)
                          .arg(target_label)
                          .arg(answer.verdict.target_probability, 0, 'f', 3)
                          .arg(agrees ? QStringLiteral("✓") : QStringLiteral("✗")));
}

void ExamplesPanel::showNoJudge() {
    verdict_->setText(
        tr("No realism check for this layer: the pack's second classifier judges "
           "images of output units."));
}

QString ExamplesPanel::verdictText() const {
    return verdict_->text();
}

int ExamplesPanel::imagesShown() const {
    int shown = 0;
    for (QToolButton* cell : cells_)
        shown += !cell->icon().isNull();
    return shown;
}

}  // namespace dgnam::studio
