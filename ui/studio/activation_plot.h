#pragma once
// The objective's activation (left axis) and, on the output layer, the target probability (right
// axis, 0 to 1) against iteration, drawn with QPainter as the run goes.
#include <QWidget>

#include "dgnam/step_trace.h"

namespace dgnam::studio {

class ActivationPlot : public QWidget {
    Q_OBJECT
  public:
    explicit ActivationPlot(QWidget* parent = nullptr);
    void reset(int iterations);
    // The batch's first unit at every step so far (Frame::trace); `iterations` is the run's n,
    // which may change while it runs.
    void showTrace(const StepTrace& trace, int iterations);
    std::size_t pointCount() const { return trace_.size(); }
    QSize sizeHint() const override { return {320, 160}; }

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    StepTrace trace_;
    int iterations_ = 1;
};

}  // namespace dgnam::studio
