#include "activation_plot.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace dgnam::studio {
namespace {

// A curve through value(i) for every point of the trace; a non-finite or missing value breaks
// it. Points that share a pixel column are drawn as that column's lowest and highest, in the
// order they came, so a long run costs a few segments per column, not one per step, and no
// spike is lost.
template <typename Value, typename ToX, typename ToY>
QPainterPath trace_path(std::size_t count, Value value, ToX x_of, ToY y_of) {
    QPainterPath path;
    bool open = false;
    long column = -1;
    double low = 0.0, high = 0.0;
    std::size_t low_at = 0, high_at = 0;
    auto flush = [&] {
        if (column < 0)
            return;
        const bool low_first = low_at <= high_at;
        const QPointF a(column, y_of(low_first ? low : high));
        open ? path.lineTo(a) : path.moveTo(a);
        if (low_at != high_at)
            path.lineTo(QPointF(column, y_of(low_first ? high : low)));
        open = true;
        column = -1;
    };
    for (std::size_t i = 0; i < count; ++i) {
        const std::optional<double> v = value(i);
        if (!v || !std::isfinite(*v)) {
            flush();
            open = false;
            continue;
        }
        const long x = std::lround(x_of(i));
        if (x != column) {
            flush();
            column = x;
            low = high = *v;
            low_at = high_at = i;
        } else if (*v < low) {
            low = *v;
            low_at = i;
        } else if (*v > high) {
            high = *v;
            high_at = i;
        }
    }
    flush();
    return path;
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
    double lo = 0.0, hi = 0.0;
    bool any_activation = false, any_probability = false;
    for (std::size_t i = 0; i < trace_.size(); ++i) {
        const TracePoint& point = trace_[i];
        any_probability = any_probability || point.probability.has_value();
        if (!std::isfinite(point.activation))
            continue;
        lo = any_activation ? std::min(lo, point.activation) : std::min(0.0, point.activation);
        hi = any_activation ? std::max(hi, point.activation) : point.activation;
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
    auto x_of = [&](std::size_t it) {
        return area.left() + area.width() * double(it) / iterations_;
    };
    auto y_of = [&](double v) { return area.bottom() - area.height() * (v - lo) / (hi - lo); };
    auto y_prob = [&](double v) { return area.bottom() - area.height() * v; };

    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(0, area.top() - fm.height() / 2, left - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(hi, 'f', 1));
    p.drawText(QRect(0, area.bottom() - fm.height() / 2, left - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(lo, 'f', 1));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), fm.height()), Qt::AlignHCenter,
               tr("iteration (of %1)").arg(iterations_));

    const QPainterPath activation = trace_path(
        trace_.size(), [&](std::size_t i) { return std::optional<double>(trace_[i].activation); },
        x_of, y_of);
    const QPainterPath probability = trace_path(
        trace_.size(), [&](std::size_t i) { return trace_[i].probability; }, x_of, y_prob);
    p.setPen(QPen(pal.color(QPalette::Highlight), 2));
    p.drawPath(activation);
    if (any_probability) {
        // Solid and half transparent: early steps of a large step size swing the probability
        // between 0 and 1, and dashes over such a swing read as noise.
        const QColor orange(230, 140, 20);
        p.setPen(QPen(QColor(230, 140, 20, 150), 1.2));
        p.drawPath(probability);
        p.setPen(orange);
        p.drawText(QRect(area.right() + 4, area.top() - fm.height() / 2, right, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("1.00"));
        p.drawText(QRect(area.right() + 4, area.bottom() - fm.height() / 2, right, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("0"));
    }
}

}  // namespace dgnam::studio
