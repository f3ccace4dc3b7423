#include "activation_plot.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace dgnam::studio {

ActivationPlot::ActivationPlot(QWidget* parent) : QWidget(parent) {
    setMinimumHeight(120);
    setToolTip(
        tr("Activation of the chosen unit (raw, before softmax; left axis) and the target "
           "class probability (right axis) at each step"));
}

void ActivationPlot::reset(int iterations) {
    points_.clear();
    iterations_ = std::max(1, iterations);
    update();
}

void ActivationPlot::addPoint(int iteration, double activation, std::optional<double> probability) {
    if (!std::isfinite(activation))
        return;
    // A frame may be skipped or repeated; keep the curve monotonic in iteration.
    if (!points_.empty() && iteration <= points_.back().iteration) {
        while (!points_.empty() && points_.back().iteration >= iteration)
            points_.pop_back();
    }
    points_.push_back({iteration, activation, probability});
    iterations_ = std::max(iterations_, iteration + 1);
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
    if (points_.empty() || area.width() < 10 || area.height() < 10) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(area, Qt::AlignCenter, tr("activation appears here as the image forms"));
        return;
    }
    auto [lo_it, hi_it] = std::minmax_element(
        points_.begin(), points_.end(),
        [](const Point& a, const Point& b) { return a.activation < b.activation; });
    double lo = std::min(0.0, lo_it->activation), hi = std::max(hi_it->activation, lo + 1e-6);
    const double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    auto x_of = [&](int it) { return area.left() + area.width() * double(it) / iterations_; };
    auto y_of = [&](double v) { return area.bottom() - area.height() * (v - lo) / (hi - lo); };
    auto y_prob = [&](double v) { return area.bottom() - area.height() * v; };

    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRect(0, area.top() - fm.height() / 2, left - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(hi, 'f', 1));
    p.drawText(QRect(0, area.bottom() - fm.height() / 2, left - 4, fm.height()),
               Qt::AlignRight | Qt::AlignVCenter, QString::number(lo, 'f', 1));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), fm.height()), Qt::AlignHCenter,
               tr("iteration (of %1)").arg(iterations_));

    QPainterPath activation;
    QPainterPath probability;
    bool any_probability = false;
    for (const Point& pt : points_) {
        const QPointF a(x_of(pt.iteration), y_of(pt.activation));
        activation.elementCount() ? activation.lineTo(a) : activation.moveTo(a);
        if (pt.probability) {
            const QPointF b(x_of(pt.iteration), y_prob(*pt.probability));
            any_probability ? probability.lineTo(b) : probability.moveTo(b);
            any_probability = true;
        }
    }
    p.setPen(QPen(pal.color(QPalette::Highlight), 2));
    p.drawPath(activation);
    if (any_probability) {
        const QColor orange(230, 140, 20);
        p.setPen(QPen(orange, 1.5, Qt::DashLine));
        p.drawPath(probability);
        p.setPen(orange);
        p.drawText(QRect(area.right() + 4, area.top() - fm.height() / 2, right, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("1.00"));
        p.drawText(QRect(area.right() + 4, area.bottom() - fm.height() / 2, right, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("0"));
    }
}

}  // namespace dgnam::studio
