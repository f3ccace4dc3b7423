#pragma once
// Beside the synthetic image: the real test images that drive the unit hardest (3 x 3), and the
// realism check, the pack's second classifier's verdict on the image being formed.
#include <QWidget>

#include <vector>

#include "dgnam/unit_inspector.h"

class QLabel;
class QToolButton;

namespace dgnam::studio {

class ExamplesPanel : public QWidget {
    Q_OBJECT
  public:
    explicit ExamplesPanel(QWidget* parent = nullptr);
    void clear(const QString& status);
    void showTopImages(const TopImagesAnswer& answer);
    void showVerdict(const VerdictAnswer& answer, const QString& target_label);
    void showNoJudge();
    QString verdictText() const;
    int imagesShown() const;
    const TopImagesAnswer& lastAnswer() const { return answer_; }

  signals:
    // The user clicked the i-th real example: start the optimisation from it.
    void exampleClicked(int index);

  private:
    std::vector<QToolButton*> cells_;
    TopImagesAnswer answer_;
    QLabel* caption_;
    QLabel* verdict_;
};

}  // namespace dgnam::studio
