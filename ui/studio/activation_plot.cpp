#include "activation_plot.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

#include "trace_envelope.h"

namespace dgnam::studio {
namespace {

// The envelope's lines in widget coordinates; a lone value becomes a dot.
template <typename ToY>
void draw_envelope(QPainter& p, const std::vector<EnvelopeLine>& lines, ToY y_of) {
    for (const EnvelopeLine& line : lines) {
        if (line.size() == 1) {
            p.drawPoint(QPointF(line[0].column, y_of(line[0].value)));
            continue;
        }
        QPainterPath path;
        path.moveTo(QPointF(line[0].column, y_of(line[0].value)));
        for (std::size_t i = 1; i < line.size(); ++i)
            path.lineTo(QPointF(line[i].column, y_of(line[i].value)));
        p.drawPath(path);
    }
}

}  // namespace

ActivationPlot::ActivationPlot(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(120);
    setToolTip(
        tr("Activation of the chosen unit (raw, before softmax; left axis) and the target "
           "class probability (right axis) at each step"));
}

void ActivationPlot::reset(int iterations) {
    trace_ = StepTrace();
    iterations_ = std::max(1, iterations);
    update();
}

void ActivationPlot::showTrace(const StepTrace& trace, int iterations) {
    trace_ = trace;
    iterations_ = std::max({1, iterations, static_cast<int>(trace_.size())});
    update();
}

void ActivationPlot::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette& pal = palette();
    p.fillRect(rect(), pal.base());
    const QFontMetrics fm(font());
    const int left = fm.horizontalAdvance(QStringLiteral("-000.0")) + 6;
    const int right = fm.horizontalAdvance(QStringLiteral("1.00")) + 8;
    const QRect area = rect().adjusted(left, fm.height() / 2 + 2, -right, -fm.height() - 4);
    p.setPen(pal.color(QPalette::Mid));
    p.drawRect(area);
    auto column_of = [&](std::size_t it) {
        return std::lround(area.left() + area.width() * double(it) / iterations_);
    };
    const auto activation = trace_envelope(
        trace_.size(), [&](std::size_t i) { return std::optional<double>(trace_[i].activation); },
        column_of);
    const auto probability = trace_envelope(
        trace_.size(), [&](std::size_t i) { return trace_[i].probability; }, column_of);
    // Each column's lowest and highest value are in the envelope: the axis needs no other pass.
    double lo = 0.0, hi = 0.0;
    bool any_activation = false;
    for (const EnvelopeLine& line : activation)
        for (const EnvelopePoint& point : line) {
            lo = any_activation ? std::min(lo, point.value) : std::min(0.0, point.value);
            hi = any_activation ? std::max(hi, point.value) : point.value;
            any_activation = true;
        }
    if (!any_activation || area.width() < 10 || area.height() < 10) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter, tr("activation appears here as the image forms"));
        return;
    }
    hi = std::max(hi, lo + 1e-6);
    const double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    auto y_of = [&](double v) { return area.bottom() - area.height() * (v - lo) / (hi - lo); };
    auto y_prob = [&](double v) { return area.bottom() - area.height() * v; };

    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(0, area.top() - fm.height() / 2, left - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(hi, 'f', 1));
    p.drawText(QRect(0, area.bottom() - fm.height() / 2, left - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(lo, 'f', 1));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), fm.height()), Qt::AlignHCenter,
               tr("iteration (of %1)").arg(iterations_));

    p.setPen(QPen(pal.color(QPalette::Highlight), 2));
    draw_envelope(p, activation, y_of);
    if (!probability.empty()) {
        // Solid and half transparent: early steps of a large step size swing the probability
        // between 0 and 1, and dashes over such a swing read as noise.
        const QColor orange(230, 140, 20);
        p.setPen(QPen(QColor(230, 140, 20, 150), 1.2));
        draw_envelope(p, probability, y_prob);
        p.setPen(orange);
        p.drawText(QRect(area.right() + 4, area.top() - fm.height() / 2, right, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("1.00"));
        p.drawText(QRect(area.right() + 4, area.bottom() - fm.height() / 2, right, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("0"));
    }
}

}  // namespace dgnam::studio
