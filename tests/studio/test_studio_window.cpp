// The studio's window as a user sees it, under Xvfb with Mesa's software OpenGL: the first unit
// forms on start, the viewport draws it and the picture changes across steps, zoom changes what
// is drawn, clicking a unit and moving a slider reach the worker, export and errors.
#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QWheelEvent>

#include <filesystem>
#include <iterator>

#include "activation_plot.h"
#include "dgnam/device.h"
#include "dgnam/studio/image_viewport.h"
#include "examples_panel.h"
#include "layer_tree_model.h"
#include "main_window.h"
#include "parameter_panel.h"
#include "slider_field.h"
#include "studio_test_support.h"
#include "torchscript_pack.h"

using namespace dgnam;
using namespace dgnam::studio;
using namespace dgnam::studio::test;

namespace {

// Share of pixels that differ between two images of the same size.
double changed_fraction(const QImage& a, const QImage& b) {
    if (a.size() != b.size())
        return 1.0;
    qint64 changed = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            changed += a.pixel(x, y) != b.pixel(x, y);
    return double(changed) / (qint64(a.width()) * a.height());
}

int distinct_values(const QImage& image) {
    QSet<QRgb> values;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            values.insert(image.pixel(x, y));
    return values.size();
}

// Answers the next modal question by clicking the button with this text; polls until the
// question is up, since it opens inside the call under test.
void answer_next_question(const QString& button_text) {
    auto* poll = new QTimer(qApp);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, button_text] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box)
            return;
        for (QAbstractButton* button : box->buttons())
            if (button->text() == button_text) {
                button->click();
                poll->deleteLater();
                poll->stop();
                return;
            }
    });
    poll->start(20);
}

StudioOptions test_options() {
    StudioOptions options;
    options.pack = bundled_pack();
    options.device = "cpu";
    options.data_folder = data_folder();
    options.restore_settings = false;
    return options;
}

// As the user would: the parameter panel shows the settings, the session runs with them.
void apply_settings(MainWindow& window, const SessionSettings& settings) {
    window.parameterPanel()->setSettings(settings);
    window.session()->setSettings(settings);
}

// Threads of this process now (LibTorch's pool, Mesa's, Qt's, the worker's).
int thread_count() {
    return int(std::distance(std::filesystem::directory_iterator("/proc/self/task"),
                             std::filesystem::directory_iterator()));
}

// Opens a window on a run of `iterations` steps, waits until it draws, closes it as the user
// would and returns how long the close took, in milliseconds (-1 if it never finished).
qint64 close_mid_run(int iterations) {
    auto* window = new MainWindow(test_options());
    window->setAttribute(Qt::WA_DeleteOnClose);
    window->show();
    if (!QTest::qWaitForWindowExposed(window))
        return -1;
    SessionSettings slow = window->session()->settings();
    slow.params.iterations = iterations;
    apply_settings(*window, slow);
    window->selectUnit(UnitRef{"A", "fc5", 4});
    const int shown = window->framesShown();
    if (!QTest::qWaitFor([&] { return window->framesShown() >= shown + 5; }, 30000))
        return -1;
    QSignalSpy destroyed(window, &QObject::destroyed);
    QElapsedTimer clock;
    clock.start();
    window->close();  // the close box's path: closeEvent, then deletion
    if (!QTest::qWaitFor([&] { return destroyed.count() == 1; }, 10000))
        return -1;
    return clock.elapsed();
}

}  // namespace

class TestStudioWindow : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() {
        set_compute_threads(1);
        QCoreApplication::setOrganizationName(QStringLiteral("DGN-AM Studio tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_studio_window"));
    }

    void theFirstUnitFormsAndIsDrawn() {
        MainWindow window(test_options());
        window.resize(1280, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.session());
        QCOMPARE(window.session()->currentUnit().layer, std::string("fc5"));
        QCOMPARE(window.session()->currentUnit().unit, 0);
        // Long enough to watch 25 frames: the default 200 steps take 0.3 s on two cores now.
        SessionSettings long_run = window.session()->settings();
        long_run.params.iterations = 100000;
        apply_settings(window, long_run);
        QTRY_VERIFY_WITH_TIMEOUT(window.framesShown() >= 5, 30000);
        QVERIFY2(window.viewport()->glError().isEmpty(), qPrintable(window.viewport()->glError()));
        const QImage first = window.viewport()->grabFramebuffer();
        QVERIFY(distinct_values(first) > 8);
        first.save(QStringLiteral("studio_viewport.png"));
        const int shown = window.framesShown();
        QTRY_VERIFY_WITH_TIMEOUT(window.framesShown() >= shown + 20, 30000);
        const QImage later = window.viewport()->grabFramebuffer();
        QVERIFY2(changed_fraction(first, later) > 0.01, "the picture should change across steps");
        QVERIFY(window.plot()->pointCount() > 0);

        // Zoom around the centre changes what is drawn.
        const QPointF centre(window.viewport()->width() / 2.0, window.viewport()->height() / 2.0);
        const double zoom = window.viewport()->zoom();
        window.session()->togglePause();  // hold the picture still while comparing
        QTest::qWait(300);
        const QImage before = window.viewport()->grabFramebuffer();
        QWheelEvent wheel(centre, window.viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 480),
                          Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(window.viewport(), &wheel);
        QVERIFY(window.viewport()->zoom() > zoom);
        const QImage zoomed = window.viewport()->grabFramebuffer();
        QVERIFY(changed_fraction(before, zoomed) > 0.05);
        window.session()->togglePause();

        // The whole window as an artifact to look at.
        QTest::qWait(200);
        QVERIFY(
            window.screen()->grabWindow(window.winId()).save(QStringLiteral("studio_window.png")));
    }

    void thePlotHasEveryStepEvenWhenFramesWereMissed() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // Far more steps than frames the screen reads (a 15 ms timer takes the newest).
        SessionSettings settings = window.session()->settings();
        settings.params.iterations = 600;
        apply_settings(window, settings);
        QTRY_COMPARE_WITH_TIMEOUT(window.plot()->pointCount(), std::size_t(600), 60000);
        qInfo("%d frames shown for 600 steps", window.framesShown());
        if (window.framesShown() >= 600)
            QSKIP("the screen read every frame, so no step was missed");
    }

    void aRunShorterThanHalfASecondStillShowsItsRate() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SessionSettings settings = window.session()->settings();
        settings.params.iterations = 40;  // ~0.1 s here; the rate is otherwise taken every 0.5 s
        ++settings.params.seed;           // a new run from step 0, not the running one cut short
        apply_settings(window, settings);
        QTRY_COMPARE_WITH_TIMEOUT(window.plot()->pointCount(), std::size_t(40), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(window.stepsPerSecond() > 0.0, 5000);
    }

    void clickingAUnitInTheTreeStartsIt() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QModelIndex source = window.treeModel()->unitIndex(UnitRef{"A", "fc5", 7});
        const QModelIndex shown = window.treeFilter()->mapFromSource(source);
        QVERIFY(shown.isValid());
        window.tree()->scrollTo(shown);
        const QRect rect = window.tree()->visualRect(shown);
        QTest::mouseClick(window.tree()->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(window.session()->currentUnit().unit, 7);
        QTRY_VERIFY_WITH_TIMEOUT(
            window.session()->newestFrame() && window.session()->newestFrame()->unit == 7, 30000);
        QVERIFY(window.windowTitle().contains("unit 7"));
        // The arrow key steps to the next unit.
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.viewport()->setFocus();
        // Through the window system, as a real key press, so the shortcut map sees it.
        QTest::keyClick(window.windowHandle(), Qt::Key_Right);
        QCOMPARE(window.session()->currentUnit().unit, 8);
    }

    void clickingARealExampleStartsFromItsCode() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_COMPARE_WITH_TIMEOUT(window.examples()->imagesShown(), 9, 60000);
        const std::uint64_t run = window.session()->liveWorker().currentRun();
        auto* first = window.examples()->findChildren<QToolButton*>().front();
        QTest::mouseClick(first, Qt::LeftButton);
        QVERIFY(window.session()->settings().start_image.has_value());
        QCOMPARE(*window.session()->settings().start_image,
                 window.examples()->lastAnswer().pictures.front());
        QVERIFY2(window.session()->liveWorker().currentRun() > run, qPrintable(window.lastError()));
        QVERIFY(window.session()->liveWorker().currentRequest().start_image.has_value());
        QVERIFY(window.parameterPanel()->startsFromImage());
    }

    void choosingADeviceReloadsThePackAndKeepsTheUnit() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.selectUnit(UnitRef{"A", "fc5", 4}));
        const StudioSession* before = window.session();
        emit window.parameterPanel()->deviceChosen(QStringLiteral("cpu"));
        QVERIFY(window.session() != before);
        QCOMPARE(window.session()->currentUnit().unit, 4);
        QCOMPARE(window.session()->device().str(), std::string("cpu"));
        // A device this machine does not have: a clear error, the session stays.
        const StudioSession* kept = window.session();
        emit window.parameterPanel()->deviceChosen(QStringLiteral("cuda:7"));
        QCOMPARE(window.session(), kept);
        QVERIFY(window.lastError().contains("cuda:7"));
        // A thread count change restarts the run with it.
        const std::uint64_t run = window.session()->liveWorker().currentRun();
        emit window.parameterPanel()->threadsChosen(1);
        QVERIFY(window.session()->liveWorker().currentRun() > run);
    }

    void aSliderChangeArrivesInTheWorker() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SessionSettings long_run = window.session()->settings();
        long_run.params.iterations = 2000;
        apply_settings(window, long_run);
        QSlider* slider = window.parameterPanel()->l2Field()->slider();
        slider->setValue(slider->minimum());  // L2 decay 0.9
        QCOMPARE(window.session()->liveWorker().worker().params().l2, 0.9);
        QCOMPARE(window.session()->settings().params.l2, 0.9);
    }

    void theFilterFindsUnitsByLabelAndLayersByName() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTest::keyClicks(window.filterBox(), QStringLiteral("sneak"));
        const QAbstractItemModel* shown = window.tree()->model();
        // A: classifier -> fc5 -> "7  Sneaker" is the only path left in A.
        const QModelIndex a = shown->index(0, 0);
        QCOMPARE(shown->rowCount(a), 1);
        const QModelIndex fc5 = shown->index(0, 0, a);
        QCOMPARE(shown->rowCount(fc5), 1);
        QVERIFY(shown->index(0, 0, fc5).data().toString().contains("Sneaker"));
        window.filterBox()->setText(QStringLiteral("conv2"));
        QCOMPARE(shown->rowCount(shown->index(0, 0)), 1);
    }

    void parametersAndThePackPersistAcrossSessions() {
        QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
        QSettings().clear();
        StudioOptions options = test_options();
        options.restore_settings = true;
        {
            MainWindow window(options);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.parameterPanel()->seedBox()->setValue(42);
            window.parameterPanel()->l2Field()->setValue(0.95);
            window.close();  // writes the settings
        }
        options.pack.clear();  // the last pack is opened again
        MainWindow again(options);
        QVERIFY(again.session());
        QCOMPARE(again.session()->packFolder(), bundled_pack());
        QCOMPARE(again.parameterPanel()->settings().params.seed, std::uint64_t(42));
        QCOMPARE(again.parameterPanel()->settings().params.l2, 0.95);
        QCOMPARE(again.session()->settings().params.seed, std::uint64_t(42));
        QCOMPARE(again.recentPacks().value(0).toStdString(), bundled_pack().string());
        QSettings().clear();
    }

    void exportAndErrorsKeepTheSession() {
        MainWindow window(test_options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        SessionSettings quick = window.session()->settings();
        quick.params.iterations = 5;
        apply_settings(window, quick);
        QSignalSpy ended(window.session(), &StudioSession::galleryEnded);
        window.visualiseLayer("A", "fc5");
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 60000);
        // Thumbnails fill in.
        const QModelIndex unit3 = window.treeModel()->unitIndex(UnitRef{"A", "fc5", 3});
        QVERIFY(!unit3.data(Qt::DecorationRole).isNull());

        QTemporaryDir dir;
        QVERIFY(window.exportGalleryTo(dir.filePath("g").toStdString(), false));
        QVERIFY(QFile::exists(dir.filePath("g/gallery.json")));
        QVERIFY(QFile::exists(dir.filePath("g/images/fc5_9.png")));
        QVERIFY(window.saveImageTo(dir.filePath("one.png").toStdString()));
        QVERIFY(!QImage(dir.filePath("one.png")).isNull());

        // A bad pack: a clear message, and the open session stays as it was.
        StudioSession* before = window.session();
        QSignalSpy errors(&window, &MainWindow::errorShown);
        QVERIFY(!window.openPack(dir.filePath("no-pack-here").toStdString(), "cpu"));
        QCOMPARE(errors.count(), 1);
        QVERIFY(window.lastError().contains("no-pack-here"));
        QCOMPARE(window.session(), before);
        QCOMPARE(window.session()->results().size(), std::size_t(10));
        // An export into an existing gallery without overwrite fails and says why.
        QVERIFY(!window.exportGalleryTo(dir.filePath("g").toStdString(), false));
        QVERIFY(window.lastError().contains("gallery"));
    }

    void closingTheWindowMidRunStopsTheWorkerWithoutALeftoverThread() {
        // A first window brings up every lazily started pool (LibTorch's, Mesa's), so that the
        // count after the second one compares like with like.
        QVERIFY(close_mid_run(100000) >= 0);
        QTest::qWait(300);
        const int before = thread_count();
        const qint64 took = close_mid_run(100000);
        QVERIFY2(took >= 0, "the window did not close mid-run within 10 s");
        qInfo("closed mid-run in %lld ms", static_cast<long long>(took));
        QTRY_COMPARE_WITH_TIMEOUT(thread_count(), before, 5000);
        QCoreApplication::processEvents();  // queued results of the closed run find no receiver
    }

    void aTorchScriptPackAsksBeforeItsCodeRuns() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.filePath("pack").toStdString();
        dgnam::test::write_pack_with_torchscript(bundled_pack(), folder);
        StudioOptions options = test_options();
        options.pack = folder;

        // Declined at start: no session, and no error either (the user chose).
        answer_next_question(QStringLiteral("Cancel"));
        MainWindow window(options);
        QVERIFY(!window.session());
        QVERIFY(window.lastError().isEmpty());

        // Accepted: the pack opens with its TorchScript classifier.
        answer_next_question(QStringLiteral("Open and run its code"));
        QVERIFY(window.openPack(folder, "cpu"));
        QVERIFY(window.session());
        QCOMPARE(window.session()->pack().classifier("T").output_layer(), std::string("fc"));
        QVERIFY(window.selectUnit(UnitRef{"T", "fc", 2}));

        // The scripted mode cannot ask: refused with the error that names the way out.
        options.torchscript = CodeConsent::Refuse;
        MainWindow refusing(options);
        QVERIFY(!refusing.session());
        QVERIFY2(refusing.lastError().contains("--allow-torchscript"),
                 qPrintable(refusing.lastError()));
    }
};

QTEST_MAIN(TestStudioWindow)
#include "test_studio_window.moc"
