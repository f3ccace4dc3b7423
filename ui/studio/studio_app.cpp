#include "studio_app.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QScreen>
#include <QTimer>

#include <cstdio>

#include "dgnam/build_config.h"
#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/studio/image_viewport.h"
#include "main_window.h"

namespace dgnam::studio {

int run_studio(int argc, char** argv) {
    ImageViewport::useOpenGl33CoreByDefault();

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("dgnam-studio"));
    QApplication::setOrganizationName(QStringLiteral("DGN-AM Studio"));
    QApplication::setApplicationVersion(QStringLiteral(DGNAM_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/dgnam/icons/dgnam-studio.png")));
    QApplication::setDesktopFileName(QStringLiteral("dgnam-studio"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("DGN-AM Studio: watch the preferred image of a neuron form"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption pack({QStringLiteral("pack")},
                            QStringLiteral("Model pack folder (default: the last one, else the "
                                           "bundled pack)"),
                            QStringLiteral("dir"));
    QCommandLineOption device({QStringLiteral("device")},
                              QStringLiteral("auto, cpu, cuda or cuda:N"), QStringLiteral("device"),
                              QStringLiteral("auto"));
    QCommandLineOption precision(
        {QStringLiteral("precision")},
        QStringLiteral("float32, or bfloat16: convolutions in bfloat16 (faster on CPUs with "
                       "AVX512-BF16; results within about 1% of float32)"),
        QStringLiteral("precision"), QStringLiteral("float32"));
    QCommandLineOption threads({QStringLiteral("threads")},
                               QStringLiteral("CPU threads for the maths (0 = all cores)"),
                               QStringLiteral("n"), QStringLiteral("0"));
    QCommandLineOption layer({QStringLiteral("layer")},
                             QStringLiteral("Layer of the first unit (default: the output layer)"),
                             QStringLiteral("name"));
    QCommandLineOption unit({QStringLiteral("unit")}, QStringLiteral("First unit to visualise"),
                            QStringLiteral("n"), QStringLiteral("0"));
    QCommandLineOption data({QStringLiteral("data")},
                            QStringLiteral("Fashion-MNIST folder for the real examples"),
                            QStringLiteral("dir"));
    QCommandLineOption screenshot({QStringLiteral("screenshot")},
                                  QStringLiteral("Save the window to this PNG and exit"),
                                  QStringLiteral("file"));
    QCommandLineOption frames({QStringLiteral("frames")},
                              QStringLiteral("With --screenshot: frames to show first"),
                              QStringLiteral("n"), QStringLiteral("60"));
    QCommandLineOption fresh({QStringLiteral("no-settings")},
                             QStringLiteral("Neither read nor write the saved settings"));
    QCommandLineOption allow_code(
        {QStringLiteral("allow-torchscript")},
        QStringLiteral("Load the TorchScript models of a pack without asking (their files run "
                       "code when loaded; only for packs you trust)"));
    parser.addOptions({pack, device, precision, threads, layer, unit, data, screenshot, frames,
                       fresh, allow_code});
    parser.process(app);

    bool ok = true;
    const int thread_count = parser.value(threads).toInt(&ok);
    if (!ok || thread_count < 0) {
        std::fprintf(stderr, "dgnam-studio: error: --threads wants a number of 0 or more, not %s\n",
                     qPrintable(parser.value(threads)));
        return 2;
    }
    const long long first_unit = parser.value(unit).toLongLong(&ok);
    if (!ok || first_unit < 0) {
        std::fprintf(stderr, "dgnam-studio: error: --unit wants a unit number, not %s\n",
                     qPrintable(parser.value(unit)));
        return 2;
    }
    StudioOptions options;
    try {
        options.execution_mode = ExecutionMode::fast_in(parser.value(precision).toStdString());
    } catch (const Error& e) {
        std::fprintf(stderr, "dgnam-studio: error: --precision: %s\n", e.what());
        return 2;
    }
    set_compute_threads(thread_count);

    options.pack = parser.value(pack).toStdString();
    options.device = parser.value(device).toStdString();
    options.data_folder = parser.value(data).toStdString();
    options.layer = parser.value(layer).toStdString();
    options.unit = first_unit;
    options.restore_settings = !parser.isSet(fresh) && !parser.isSet(screenshot);
    const bool scripted = parser.isSet(screenshot);
    // The scripted mode cannot ask: without the flag, a TorchScript pack is refused with the
    // error that names the flag.
    options.torchscript = parser.isSet(allow_code) ? CodeConsent::Allow
                          : scripted               ? CodeConsent::Refuse
                                                   : CodeConsent::Ask;
    if (scripted && !options.pack.empty() && !std::filesystem::exists(options.pack)) {
        std::fprintf(stderr, "dgnam-studio: error: the model pack folder %s does not exist\n",
                     options.pack.c_str());
        return 1;
    }

    MainWindow window(options);
    window.resize(1280, 800);
    window.show();
    if (!scripted)
        return app.exec();

    // Scripted mode: an error while loading ends the run with its message and exit code 1.
    if (!window.session()) {
        std::fprintf(stderr, "dgnam-studio: error: %s\n", qPrintable(window.lastError()));
        return 1;
    }
    const int wanted = std::max(1, parser.value(frames).toInt());
    const QString file = parser.value(screenshot);
    int status = 0;
    auto save = [&] {
        // What the screen shows: QWidget::grab() re-renders the GL viewport without the text
        // drawn over it.
        QPixmap shot = window.screen()->grabWindow(window.winId());
        if (shot.isNull())
            shot = window.grab();
        if (!shot.save(file, "PNG")) {
            std::fprintf(stderr, "dgnam-studio: error: cannot write the screenshot %s\n",
                         qPrintable(file));
            status = 1;
        } else {
            std::printf("screenshot of %d frames written to %s\n", window.framesShown(),
                        qPrintable(file));
        }
        app.quit();
    };
    QObject::connect(&window, &MainWindow::frameShown, &app, [&] {
        if (window.framesShown() == wanted)
            QTimer::singleShot(50, &app, save);
    });
    QObject::connect(window.session(), &StudioSession::liveRunEnded, &app, [&] {
        // A run shorter than the frames asked for: save what it ended with.
        if (window.framesShown() < wanted)
            QTimer::singleShot(200, &app, save);
    });
    QTimer::singleShot(120000, &app, [&] {
        std::fprintf(stderr, "dgnam-studio: error: no frame within 120 s\n");
        status = 1;
        app.quit();
    });
    const int rc = app.exec();
    return rc != 0 ? rc : status;
}

}  // namespace dgnam::studio
