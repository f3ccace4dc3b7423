#include "parameter_panel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>

#include <cmath>

#include "slider_field.h"

namespace dgnam::studio {
namespace {
constexpr int kFromImage = -1;  // the initial-code box's entry for a start image
}

ParameterPanel::ParameterPanel(QWidget* parent) : QWidget(parent) {
    using Scale = SliderField::Scale;
    lr_start_ = new SliderField(1e-3, 100.0, 4, Scale::Logarithmic, this);
    lr_start_->setToolTip(
        tr("Step size at the first iteration. Each step moves the image, then the code, by this "
           "much times the gradient divided by its mean magnitude (the released code uses 8)."));
    lr_end_ = new SliderField(1e-12, 10.0, 12, Scale::Logarithmic, this);
    lr_end_->setToolTip(
        tr("Step size at the last iteration; the step size falls linearly from "
           "the start value to this one (the released code uses 1e-10)."));
    l2_ = new SliderField(0.9, 1.0, 4, Scale::Linear, this);
    l2_->setToolTip(
        tr("L2 decay: the code is multiplied by this after every step, pulling it "
           "toward zero (0.99 in the paper; 1 turns it off)."));
    iterations_ = new SliderField(1, 2000, 0, Scale::Linear, this);
    iterations_->setToolTip(
        tr("Number of steps. The image shown at the end is the last iterate, "
           "as the released code returns it (200 in the paper)."));
    clip_scale_ = new SliderField(0.1, 5.0, 2, Scale::Linear, this);
    clip_scale_->setToolTip(
        tr("Scales the code bounds: each code unit is clipped to [0, scale x upper], the upper "
           "bound being mean + 3 standard deviations of that unit over the training images "
           "(the paper's 3x bound). Larger values allow less natural images."));
    jitter_ = new SliderField(0, 8, 0, Scale::Linear, this);
    jitter_->setToolTip(
        tr("Pixel method only: random shift of up to this many pixels per step, "
           "a natural-image regulariser of pixel-space activation maximisation."));
    seed_ = new QSpinBox(this);
    seed_->setRange(0, 1000000);
    seed_->setToolTip(
        tr("Seed of the random starting code (or image); 0 in every script of the "
           "paper. R starts again with the next seed."));
    method_ = new QComboBox(this);
    method_->addItem(tr("DGN-AM (through the generator)"), int(Method::Dgn));
    method_->addItem(tr("Pixel space (baseline)"), int(Method::Pixel));
    method_->setToolTip(
        tr("DGN-AM optimises the generator's input code, so the image stays on "
           "the generator's learned prior; the pixel method optimises pixels "
           "directly and tends to give adversarial noise."));
    spatial_ = new QComboBox(this);
    spatial_->addItem(tr("Centre unit"), int(SpatialMode::Centre));
    spatial_->addItem(tr("Channel mean"), int(SpatialMode::Mean));
    spatial_->setToolTip(
        tr("Convolutional layers: maximise the channel at the centre position "
           "(the paper's hidden-unit script) or its mean over all positions."));
    initial_ = new QComboBox(this);
    initial_->addItem(tr("Random code N(0, 1)"), int(InitialCode::Kind::Random));
    initial_->addItem(tr("Zero code"), int(InitialCode::Kind::Zeros));
    initial_->addItem(tr("Start from an image..."), kFromImage);
    initial_->setToolTip(
        tr("Where the optimisation starts: a random code from the seed (as in "
           "the paper), the zero code, or the code of a picture (the paper's "
           "\"from a real image\" script; clicking a real example does the same)."));
    device_ = new QComboBox(this);
    device_->setToolTip(tr("Where the networks run. Changing it reloads the pack."));
    threads_ = new QSpinBox(this);
    threads_->setRange(0, 256);
    threads_->setSpecialValueText(tr("all cores"));
    threads_->setToolTip(
        tr("CPU threads for the maths (0 = one per core); the run starts again with them."));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Method"), method_);
    form->addRow(tr("Step size, start"), lr_start_);
    form->addRow(tr("Step size, end"), lr_end_);
    form->addRow(tr("L2 decay"), l2_);
    form->addRow(tr("Iterations"), iterations_);
    form->addRow(tr("Code bound scale"), clip_scale_);
    form->addRow(tr("Jitter (pixels)"), jitter_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Conv objective"), spatial_);
    form->addRow(tr("Initial code"), initial_);
    form->addRow(tr("Device"), device_);
    form->addRow(tr("Threads"), threads_);

    for (SliderField* field : {lr_start_, lr_end_, l2_, iterations_, clip_scale_, jitter_})
        connect(field, &SliderField::valueChanged, this, &ParameterPanel::emitSettings);
    connect(seed_, &QSpinBox::valueChanged, this, &ParameterPanel::emitSettings);
    for (QComboBox* box : {method_, spatial_})
        connect(box, &QComboBox::currentIndexChanged, this, &ParameterPanel::emitSettings);
    connect(initial_, &QComboBox::activated, this, [this](int) {
        if (startsFromImage())
            emit startImageWanted();
        else
            emitSettings();
    });
    connect(device_, &QComboBox::activated, this,
            [this](int) { emit deviceChosen(device_->currentText()); });
    connect(threads_, &QSpinBox::valueChanged, this, &ParameterPanel::threadsChosen);
    setSettings(SessionSettings{});
}

SessionSettings ParameterPanel::settings() const {
    SessionSettings s;
    s.params.lr_start = lr_start_->value();
    s.params.lr_end = lr_end_->value();
    s.params.l2 = l2_->value();
    s.params.iterations = int(std::lround(iterations_->value()));
    s.params.clip_scale = clip_scale_->value();
    s.params.jitter = int(std::lround(jitter_->value()));
    s.params.seed = std::uint64_t(seed_->value());
    s.method = Method(method_->currentData().toInt());
    s.spatial = SpatialMode(spatial_->currentData().toInt());
    s.initial = startsFromImage() ? InitialCode::Kind::Random
                                  : InitialCode::Kind(initial_->currentData().toInt());
    return s;
}

void ParameterPanel::setSettings(const SessionSettings& s) {
    loading_ = true;
    lr_start_->setValue(s.params.lr_start);
    lr_end_->setValue(s.params.lr_end);
    l2_->setValue(s.params.l2);
    iterations_->setValue(s.params.iterations);
    clip_scale_->setValue(s.params.clip_scale);
    jitter_->setValue(s.params.jitter);
    seed_->setValue(int(s.params.seed));
    method_->setCurrentIndex(method_->findData(int(s.method)));
    spatial_->setCurrentIndex(spatial_->findData(int(s.spatial)));
    initial_->setCurrentIndex(s.start_image ? initial_->findData(kFromImage)
                                            : initial_->findData(int(s.initial)));
    setStartImageName(s.start_image ? QString::fromStdString(s.start_image_name) : QString());
    loading_ = false;
}

void ParameterPanel::setDevices(const QStringList& devices, const QString& current) {
    const QSignalBlocker block(device_);
    device_->clear();
    device_->addItems(devices);
    device_->setCurrentText(current);
}

bool ParameterPanel::startsFromImage() const {
    return initial_->currentData().toInt() == kFromImage;
}

void ParameterPanel::setStartImageName(const QString& name) {
    const int index = initial_->findData(kFromImage);
    initial_->setItemText(
        index, name.isEmpty() ? tr("Start from an image...") : tr("Start from %1").arg(name));
    const QSignalBlocker block(initial_);
    if (name.isEmpty() && startsFromImage())
        initial_->setCurrentIndex(initial_->findData(int(InitialCode::Kind::Random)));
    else if (!name.isEmpty())
        initial_->setCurrentIndex(index);
}

QString ParameterPanel::device() const {
    return device_->currentText();
}
int ParameterPanel::threads() const {
    return threads_->value();
}

void ParameterPanel::setThreads(int threads) {
    const QSignalBlocker block(threads_);
    threads_->setValue(threads);
}

void ParameterPanel::emitSettings() {
    if (!loading_)
        emit settingsChanged(settings());
}

}  // namespace dgnam::studio
