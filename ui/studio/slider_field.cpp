#include "slider_field.h"

#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>

#include <cmath>

namespace dgnam::studio {
namespace {
constexpr int kSteps = 1000;
}

SliderField::SliderField(double minimum, double maximum, int decimals, Scale scale, QWidget* parent)
    : QWidget(parent), minimum_(minimum), maximum_(maximum), scale_(scale) {
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setRange(0, kSteps);
    spin_ = new QDoubleSpinBox(this);
    spin_->setRange(minimum, maximum);
    spin_->setDecimals(decimals);
    spin_->setKeyboardTracking(false);
    if (scale == Scale::Logarithmic)
        spin_->setStepType(QAbstractSpinBox::AdaptiveDecimalStepType);
    spin_->setMinimumWidth(110);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(slider_, 1);
    layout->addWidget(spin_);

    connect(slider_, &QSlider::valueChanged, this, [this](int position) {
        if (syncing_)
            return;
        syncing_ = true;
        spin_->setValue(fromSlider(position));
        syncing_ = false;
        emit valueChanged(spin_->value());
    });
    connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        if (syncing_)
            return;
        syncing_ = true;
        slider_->setValue(toSlider(value));
        syncing_ = false;
        emit valueChanged(value);
    });
}

double SliderField::value() const {
    return spin_->value();
}

void SliderField::setValue(double value) {
    if (value == spin_->value())
        return;
    spin_->setValue(value);  // the spin box's handler moves the slider and emits
}

int SliderField::toSlider(double value) const {
    double t = 0.0;
    if (scale_ == Scale::Logarithmic)
        t = (std::log(std::max(value, minimum_)) - std::log(minimum_)) /
            (std::log(maximum_) - std::log(minimum_));
    else
        t = (value - minimum_) / (maximum_ - minimum_);
    return int(std::lround(std::clamp(t, 0.0, 1.0) * kSteps));
}

double SliderField::fromSlider(int position) const {
    const double t = double(position) / kSteps;
    if (scale_ == Scale::Logarithmic)
        return std::exp(std::log(minimum_) + t * (std::log(maximum_) - std::log(minimum_)));
    return minimum_ + t * (maximum_ - minimum_);
}

}  // namespace dgnam::studio
