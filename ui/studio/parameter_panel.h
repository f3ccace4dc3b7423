#pragma once
// Every optimiser knob with a tooltip in the paper's terms. Any change is sent at once; the
// session applies it to the running optimisation from its next step.
#include <QWidget>

#include "studio_session.h"

class QComboBox;
class QSpinBox;

namespace dgnam::studio {

class SliderField;

class ParameterPanel : public QWidget {
    Q_OBJECT
  public:
    explicit ParameterPanel(QWidget* parent = nullptr);
    SessionSettings settings() const;
    void setSettings(const SessionSettings& settings);  // no signal
    void setDevices(const QStringList& devices, const QString& current);
    QString device() const;
    int threads() const;
    void setThreads(int threads);
    // "Start from an image" is chosen in the initial-code box; the window holds the picture.
    bool startsFromImage() const;
    void setStartImageName(const QString& name);  // shown in the box; empty: back to random

    SliderField* lrStartField() const { return lr_start_; }
    SliderField* l2Field() const { return l2_; }
    QSpinBox* seedBox() const { return seed_; }

  signals:
    void settingsChanged(const dgnam::studio::SessionSettings& settings);
    void deviceChosen(const QString& device);
    void threadsChosen(int threads);
    void startImageWanted();

  private:
    void emitSettings();

    SliderField* lr_start_;
    SliderField* lr_end_;
    SliderField* l2_;
    SliderField* iterations_;
    SliderField* clip_scale_;
    SliderField* jitter_;
    QSpinBox* seed_;
    QComboBox* method_;
    QComboBox* spatial_;
    QComboBox* initial_;
    QComboBox* device_;
    QSpinBox* threads_;
    bool loading_ = false;
};

}  // namespace dgnam::studio
