// How responsive the studio stays while the live worker optimises at full speed: the latency
// of events posted to the GUI thread (p50, p99, max) and the frames the viewport shows per
// second. A benchmark, not a test: it prints figures and asserts nothing about them.
//
//   studio_responsiveness_bench [seconds=10] [threads=0]
// Run it with a display (or under xvfb-run) so the viewport really draws.
#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "dgnam/device.h"
#include "dgnam/studio/image_viewport.h"
#include "main_window.h"

namespace {

// An event that carries the time it was posted.
class ProbeEvent : public QEvent {
  public:
    static QEvent::Type kind() {
        static const int type = QEvent::registerEventType();
        return QEvent::Type(type);
    }
    explicit ProbeEvent(qint64 posted_ns) : QEvent(kind()), posted_ns(posted_ns) {}
    qint64 posted_ns;
};

class ProbeReceiver : public QObject {
  public:
    explicit ProbeReceiver(const QElapsedTimer& clock) : clock_(clock) {}
    bool event(QEvent* e) override {
        if (e->type() != ProbeEvent::kind())
            return QObject::event(e);
        latencies_us.push_back(
            double(clock_.nsecsElapsed() - static_cast<ProbeEvent*>(e)->posted_ns) / 1000.0);
        return true;
    }
    std::vector<double> latencies_us;

  private:
    const QElapsedTimer& clock_;
};

double percentile(std::vector<double> values, double p) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    return values[std::size_t(p / 100.0 * double(values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
    dgnam::studio::ImageViewport::useOpenGl33CoreByDefault();
    QApplication app(argc, argv);
    const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;
    dgnam::set_compute_threads(argc > 2 ? std::atoi(argv[2]) : 0);

    dgnam::studio::StudioOptions options;
    options.device = "cpu";
    options.restore_settings = false;
    dgnam::studio::MainWindow window(options);
    window.resize(1280, 800);
    window.show();
    if (!window.session()) {
        std::fprintf(stderr, "error: %s\n", qPrintable(window.lastError()));
        return 1;
    }
    // A run long enough to keep the worker busy for the whole measurement.
    auto settings = window.session()->settings();
    settings.params.iterations = 1000000;
    window.session()->setSettings(settings);
    window.selectUnit(window.session()->currentUnit());

    QElapsedTimer clock;
    clock.start();
    ProbeReceiver receiver(clock);
    QTimer probe;
    probe.setInterval(5);
    QObject::connect(&probe, &QTimer::timeout, &app, [&] {
        QCoreApplication::postEvent(&receiver, new ProbeEvent(clock.nsecsElapsed()));
    });
    int frames_at_start = 0;
    int steps_at_start = 0;
    QTimer::singleShot(1000, &app, [&] {  // after the first second: models warm, run going
        receiver.latencies_us.clear();
        frames_at_start = window.framesShown();
        steps_at_start =
            window.session()->newestFrame() ? window.session()->newestFrame()->step.iteration : 0;
        clock.restart();
        probe.start();
    });
    QTimer::singleShot(int(1000 + seconds * 1000), &app, [&] {
        probe.stop();
        const double elapsed = double(clock.elapsed()) / 1000.0;
        const int frames = window.framesShown() - frames_at_start;
        const int steps =
            (window.session()->newestFrame() ? window.session()->newestFrame()->step.iteration
                                             : 0) -
            steps_at_start;
        const auto& l = receiver.latencies_us;
        std::printf("studio responsiveness over %.1f s, worker at full speed on %d threads\n",
                    elapsed, dgnam::compute_threads());
        std::printf("  posted-event latency: n %zu  p50 %.0f us  p99 %.0f us  max %.0f us\n",
                    l.size(), percentile(l, 50), percentile(l, 99),
                    l.empty() ? 0.0 : *std::max_element(l.begin(), l.end()));
        std::printf("  frames shown: %d (%.1f per second); optimiser steps: %d (%.1f per second)\n",
                    frames, frames / elapsed, steps, steps / elapsed);
        app.quit();
    });
    return app.exec();
}
