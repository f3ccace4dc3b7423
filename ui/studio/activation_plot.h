#pragma once
// The objective's activation (left axis) and, on the output layer, the target probability (right
// axis, 0 to 1) against iteration, drawn with QPainter as the run goes.
#include <QWidget>

#include <optional>
#include <vector>

namespace dgnam::studio {

class ActivationPlot : public QWidget {
    Q_OBJECT
  public:
    explicit ActivationPlot(QWidget* parent = nullptr);
    void reset(int iterations);
    void addPoint(int iteration, double activation, std::optional<double> probability);
    std::size_t pointCount() const { return points_.size(); }
    QSize sizeHint() const override { return {320, 160}; }

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    struct Point {
        int iteration;
        double activation;
        std::optional<double> probability;
    };
    std::vector<Point> points_;
    int iterations_ = 1;
};

}  // namespace dgnam::studio
