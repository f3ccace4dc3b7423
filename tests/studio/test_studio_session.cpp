// The studio's logic without widgets, on the offscreen platform: runs, live parameters,
// pause/resume/cancel, the gallery queue, export, the inspector, and errors.
#include <QSignalSpy>
#include <QTest>

#include <cmath>
#include <fstream>

#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/gallery.h"
#include "studio_session.h"
#include "studio_test_support.h"
#include "torchscript_pack.h"
#include "trace_envelope.h"

Q_DECLARE_METATYPE(dgnam::Frame)
Q_DECLARE_METATYPE(dgnam::UnitResult)
Q_DECLARE_METATYPE(dgnam::RunEnd)
Q_DECLARE_METATYPE(dgnam::TopImagesAnswer)
Q_DECLARE_METATYPE(dgnam::VerdictAnswer)

using namespace dgnam;
using namespace dgnam::studio;
using namespace dgnam::studio::test;

class TestStudioSession : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase() {
        qRegisterMetaType<Frame>();
        qRegisterMetaType<UnitResult>();
        qRegisterMetaType<RunEnd>();
        qRegisterMetaType<TopImagesAnswer>();
        qRegisterMetaType<VerdictAnswer>();
        set_compute_threads(1);
    }

    void theTraceEnvelopeKeepsEachColumnsExtremesInOrder() {
        // Four points a column; breaks at points 6 and 10.
        const std::vector<std::optional<double>> values = {
            2.0,          5.0,
            -1.0,         3.0,  // column 0: high 5 at 1 before low -1 at 2
            4.0,          4.0,
            std::nullopt, 7.0,  // column 1: one value, then a break; 7 opens column 1 anew
            1.0,          0.5,
            NAN,          9.0};  // column 2: low 0.5 after 1; 9 lone in column 2
        const auto lines = trace_envelope(
            values.size(), [&](std::size_t i) { return values[i]; },
            [](std::size_t i) { return static_cast<long>(i / 4); });
        QCOMPARE(lines.size(), std::size_t(3));
        auto as_pairs = [](const EnvelopeLine& line) {
            std::vector<std::pair<long, double>> pairs;
            for (const EnvelopePoint& point : line)
                pairs.emplace_back(point.column, point.value);
            return pairs;
        };
        using Pairs = std::vector<std::pair<long, double>>;
        QCOMPARE(as_pairs(lines[0]), (Pairs{{0, 5.0}, {0, -1.0}, {1, 4.0}}));
        QCOMPARE(as_pairs(lines[1]), (Pairs{{1, 7.0}, {2, 1.0}, {2, 0.5}}));
        QCOMPARE(as_pairs(lines[2]), (Pairs{{2, 9.0}}));
        // Fewer points than columns: every point is its own vertex.
        const auto sparse = trace_envelope(
            3, [](std::size_t i) { return std::optional<double>(double(i)); },
            [](std::size_t i) { return static_cast<long>(10 * i); });
        QCOMPARE(sparse.size(), std::size_t(1));
        QCOMPARE(as_pairs(sparse[0]), (Pairs{{0, 0.0}, {10, 1.0}, {20, 2.0}}));
    }

    void selectingAUnitStartsARunForIt() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(2000));
        QSignalSpy frames(&session, &StudioSession::frameArrived);
        QVERIFY(session.selectUnit(output_unit(session, 7)));
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 3, 20000);
        const auto frame = frames.last().at(0).value<Frame>();
        QCOMPARE(frame.unit, 7);
        QCOMPARE(frame.layer, std::string("fc5"));
        QVERIFY(frame.image);
        QCOMPARE(frame.image->width, 32);
        QCOMPARE(session.liveWorker().currentRequest().units, std::vector<std::int64_t>{7});

        // Another unit replaces the run: frames of the old one stop arriving.
        QVERIFY(session.selectUnit(output_unit(session, 2)));
        frames.clear();
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        for (const auto& args : frames)
            QCOMPARE(args.at(0).value<Frame>().unit, 2);
    }

    void aBFloat16SessionFormsImages() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder(),
                              PackTrust::DataOnly, ExecutionMode::fast_bfloat16());
        session.setSettings(settings_with(30));
        QSignalSpy ended(&session, &StudioSession::liveRunEnded);
        QSignalSpy finished(&session, &StudioSession::unitFinished);
        QVERIFY(session.selectUnit(output_unit(session, 7)));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 20000);
        QCOMPARE(finished.count(), 1);
        const auto result = finished.last().at(0).value<UnitResult>();
        QCOMPARE(result.unit, 7);
        QCOMPARE(result.image.width, 32);
        QVERIFY(result.probability && *result.probability > 0.5);
    }

    void aParameterChangeReachesTheRunningOptimisation() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(2000));
        QSignalSpy frames(&session, &StudioSession::frameArrived);
        QVERIFY(session.selectUnit(output_unit(session, 1)));
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        const std::uint64_t run = session.liveWorker().currentRun();

        SessionSettings changed = session.settings();
        changed.params.lr_start = 0.5;
        changed.params.lr_end = 0.5;  // a constant step size, easy to see in a frame
        QVERIFY(session.setSettings(changed));
        QCOMPARE(session.liveWorker().worker().params().lr_start, 0.5);
        frames.clear();
        QTRY_VERIFY_WITH_TIMEOUT(
            !frames.isEmpty() && frames.last().at(0).value<Frame>().step.step_size == 0.5, 20000);
        // Same run: no restart.
        QCOMPARE(session.liveWorker().currentRun(), run);
    }

    void aFinishedRunIsRunAgainWithNewParameters() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(5));
        QSignalSpy ended(&session, &StudioSession::liveRunEnded);
        QVERIFY(session.selectUnit(output_unit(session, 3)));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 20000);
        const std::uint64_t first = session.liveWorker().currentRun();
        SessionSettings changed = session.settings();
        changed.params.l2 = 0.95;
        QVERIFY(session.setSettings(changed));
        QVERIFY(session.liveWorker().currentRun() > first);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 20000);
        QCOMPARE(ended.last().at(0).value<RunEnd>(), RunEnd::Completed);
        QCOMPARE(session.liveWorker().currentRequest().params.l2, 0.95);
    }

    void pauseHoldsTheRunAndResumeContinuesIt() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(2000));
        QSignalSpy frames(&session, &StudioSession::frameArrived);
        QVERIFY(session.selectUnit(output_unit(session, 5)));
        QTRY_VERIFY_WITH_TIMEOUT(frames.count() >= 2, 20000);
        session.togglePause();
        QVERIFY(session.paused());
        QTest::qWait(300);  // a step in flight may still land
        const int iteration = session.newestFrame()->step.iteration;
        QTest::qWait(500);
        QCOMPARE(session.newestFrame()->step.iteration, iteration);
        session.togglePause();
        QVERIFY(!session.paused());
        QTRY_VERIFY_WITH_TIMEOUT(session.newestFrame()->step.iteration > iteration, 20000);
    }

    void restartWithANewSeedStartsAgainFromTheNextSeed() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(2000));
        QVERIFY(session.selectUnit(output_unit(session, 0)));
        const std::uint64_t run = session.liveWorker().currentRun();
        session.restartWithNewSeed();
        QCOMPARE(session.settings().params.seed, std::uint64_t(1));
        QVERIFY(session.liveWorker().currentRun() > run);
        QCOMPARE(session.liveWorker().currentRequest().params.seed, std::uint64_t(1));
    }

    void galleryQueueFillsResultsAndExportWritesTheGallery() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(4));
        QSignalSpy added(&session, &StudioSession::resultAdded);
        QSignalSpy ended(&session, &StudioSession::galleryEnded);
        QVERIFY(session.visualiseAll("A", "fc5", {0, 1, 2, 3}));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 30000);
        QCOMPARE(ended.last().at(0).value<RunEnd>(), RunEnd::Completed);
        QCOMPARE(added.count(), 4);
        QCOMPARE(session.results().size(), std::size_t(4));
        QVERIFY(session.results().find("A", "fc5", 2) != nullptr);

        QTemporaryDir dir;
        const std::filesystem::path out = dir.filePath("gallery").toStdString();
        session.exportGallery(out, false);
        QVERIFY(std::filesystem::exists(out / "gallery.json"));
        QVERIFY(std::filesystem::exists(out / "contact_sheet.png"));
        QVERIFY(std::filesystem::exists(out / "index.html"));
        const GalleryIndex index = read_gallery_index(out / "gallery.json");
        QCOMPARE(index.items.size(), std::size_t(4));
        QCOMPARE(index.items[3].unit, 3);
        QCOMPARE(index.params["iterations"].get<int>(), 4);
        for (const auto& file : index.files)
            QVERIFY(std::filesystem::exists(out / file));

        // A second export into the same folder without overwrite fails and leaves it intact.
        const auto before = std::filesystem::last_write_time(out / "gallery.json");
        QVERIFY_THROWS_EXCEPTION(dgnam::Error, session.exportGallery(out, false));
        QCOMPARE(std::filesystem::last_write_time(out / "gallery.json"), before);
        // A folder that cannot be made (a file is in the way) gives an error naming it.
        std::ofstream(dir.filePath("blocker").toStdString()) << "x";
        try {
            session.exportGallery(dir.filePath("blocker").toStdString() + "/sub", false);
            QFAIL("export into a path under a file succeeded");
        } catch (const dgnam::Error& e) {
            QVERIFY(QString(e.what()).contains("blocker"));
        }
    }

    void cancellingTheGalleryStopsIt() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(2000));
        QSignalSpy ended(&session, &StudioSession::galleryEnded);
        std::vector<std::int64_t> units(256);
        for (int u = 0; u < 256; ++u)
            units[std::size_t(u)] = u;
        QVERIFY(session.visualiseAll("A", "relu4", units));
        QVERIFY(session.galleryRunning());
        session.cancelGallery();
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 20000);
        QCOMPARE(ended.last().at(0).value<RunEnd>(), RunEnd::Cancelled);
        QVERIFY(!session.galleryRunning());
        QTest::qWait(300);
        QCOMPARE(session.results().size(), std::size_t(0));  // nothing of the cancelled run lands
    }

    void theInspectorFindsRealExamplesAndJudgesTheImage() {
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        session.setSettings(settings_with(30));
        QSignalSpy top(&session, &StudioSession::topImagesFound);
        QSignalSpy verdicts(&session, &StudioSession::verdictReady);
        QVERIFY(session.selectUnit(output_unit(session, 1)));  // Trouser
        QTRY_COMPARE_WITH_TIMEOUT(top.count(), 1, 60000);
        const auto answer = top.last().at(0).value<TopImagesAnswer>();
        QCOMPARE(answer.unit, 1);
        QCOMPARE(answer.pictures.size(), std::size_t(9));
        int trousers = 0;
        for (const auto& image : answer.images)
            trousers += image.label == 1;
        QVERIFY2(trousers >= 8, "the top images of the Trouser unit should be trousers");
        for (std::size_t i = 1; i < answer.images.size(); ++i)
            QVERIFY(answer.images[i - 1].activation >= answer.images[i].activation);

        QTRY_VERIFY_WITH_TIMEOUT(!verdicts.isEmpty(), 30000);
        const auto verdict = verdicts.last().at(0).value<VerdictAnswer>();
        QCOMPARE(verdict.judge, std::string("C"));  // the pack's realism judge
        QCOMPARE(verdict.target, 1);
        QVERIFY(session.judge() != nullptr);
        // A hidden layer has no realism check.
        QVERIFY(session.selectUnit(UnitRef{"A", "conv2", 4}));
        QVERIFY(session.judge() == nullptr);
    }

    void badInputGivesClearErrors() {
        QTemporaryDir dir;
        // A pack folder with a corrupt manifest: the error names the file.
        std::ofstream(dir.filePath("manifest.json").toStdString()) << "{ not json";
        try {
            StudioSession broken(dir.path().toStdString(), c10::Device(c10::kCPU), data_folder());
            QFAIL("a corrupt pack loaded");
        } catch (const dgnam::Error& e) {
            QVERIFY2(QString(e.what()).contains("manifest.json"), e.what());
        }
        StudioSession session(bundled_pack(), c10::Device(c10::kCPU), data_folder());
        QSignalSpy errors(&session, &StudioSession::errorOccurred);
        QVERIFY(!session.selectUnit(UnitRef{"A", "no_such_layer", 0}));
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.last().at(0).toString().contains("no_such_layer"));
        QVERIFY(!session.selectUnit(UnitRef{"A", "fc5", 10}));
        QCOMPARE(errors.count(), 2);
        SessionSettings bad = session.settings();
        bad.params.iterations = 0;
        QVERIFY(!session.setSettings(bad));
        QCOMPARE(errors.count(), 3);
        QCOMPARE(session.settings().params.iterations, 200);  // the old settings stay
        QVERIFY_THROWS_EXCEPTION(dgnam::Error, session.saveCurrentImage("/tmp/never.png"));
        QVERIFY_THROWS_EXCEPTION(dgnam::Error,
                                 session.exportGallery(dir.filePath("empty").toStdString(), false));
    }

    // TorchScript runs code when loaded: refused unless trusted, then like any classifier
    // (live run through the generator, hidden layer, inspector).
    void aTorchScriptPackLoadsOnlyWhenTrusted() {
        QTemporaryDir dir;
        const std::filesystem::path folder = dir.filePath("pack").toStdString();
        dgnam::test::write_pack_with_torchscript(bundled_pack(), folder);
        try {
            StudioSession refused(folder, c10::Device(c10::kCPU), data_folder());
            QFAIL("a TorchScript pack loaded without consent");
        } catch (const dgnam::Error& e) {
            QVERIFY2(QString(e.what()).contains("runs code"), e.what());
        }
        StudioSession session(folder, c10::Device(c10::kCPU), data_folder(),
                              PackTrust::AllowTorchScript);
        session.setSettings(settings_with(6));
        QSignalSpy finished(&session, &StudioSession::unitFinished);
        QSignalSpy top(&session, &StudioSession::topImagesFound);
        QVERIFY(session.selectUnit(UnitRef{"T", "fc", 8}));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        const auto result = finished.last().at(0).value<UnitResult>();
        QCOMPARE(result.classifier, std::string("T"));
        QCOMPARE(result.label.value_or(""), std::string("Bag"));
        QTRY_VERIFY_WITH_TIMEOUT(!top.isEmpty(), 60000);
        QCOMPARE(top.last().at(0).value<TopImagesAnswer>().images.size(), std::size_t(9));

        QVERIFY(session.selectUnit(UnitRef{"T", "pool", 0}));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QCOMPARE(finished.last().at(0).value<UnitResult>().layer, std::string("pool"));
    }
};

QTEST_MAIN(TestStudioSession)
#include "test_studio_session.moc"
