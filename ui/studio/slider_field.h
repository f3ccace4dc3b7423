#pragma once
// A slider with an exact spin box beside it, kept in step; optionally logarithmic, for the step
// sizes that span many decades.
#include <QWidget>

class QDoubleSpinBox;
class QSlider;

namespace dgnam::studio {

class SliderField : public QWidget {
    Q_OBJECT
  public:
    enum class Scale { Linear, Logarithmic };
    SliderField(double minimum, double maximum, int decimals, Scale scale,
                QWidget* parent = nullptr);
    double value() const;
    void setValue(double value);  // emits valueChanged only when the value changes
    QSlider* slider() const { return slider_; }
    QDoubleSpinBox* spinBox() const { return spin_; }

  signals:
    void valueChanged(double value);

  private:
    int toSlider(double value) const;
    double fromSlider(int position) const;

    double minimum_;
    double maximum_;
    Scale scale_;
    QSlider* slider_;
    QDoubleSpinBox* spin_;
    bool syncing_ = false;
};

}  // namespace dgnam::studio
