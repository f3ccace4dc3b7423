#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "activation_plot.h"
#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/fashion_mnist.h"
#include "dgnam/png_io.h"
#include "dgnam/runtime_report.h"
#include "dgnam/studio/image_viewport.h"
#include "examples_panel.h"
#include "image_conversion.h"
#include "layer_tree_model.h"
#include "parameter_panel.h"

namespace dgnam::studio {
namespace {

constexpr int kRecentPacks = 8;

QString format_optional(const std::optional<double>& value) {
    return value ? QString::number(*value, 'f', 4) : QStringLiteral("-");
}

}  // namespace

MainWindow::MainWindow(StudioOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)) {
    setWindowTitle(tr("DGN-AM Studio"));
    setObjectName(QStringLiteral("MainWindow"));
    buildWidgets();
    buildMenus();
    if (options_.restore_settings)
        readSettings();

    std::filesystem::path pack = options_.pack;
    if (pack.empty() && options_.restore_settings) {
        const QString last = QSettings().value(QStringLiteral("session/pack")).toString();
        if (!last.isEmpty() && std::filesystem::exists(last.toStdString()))
            pack = last.toStdString();
    }
    if (pack.empty()) {
        try {
            pack = default_pack_folder();
        } catch (const std::exception& e) {
            showError(QString::fromStdString(e.what()));
        }
    }
    if (!pack.empty() && openPack(pack, options_.device)) {
        const Classifier& c = session_->pack().classifier();
        selectUnit(UnitRef{c.id(), options_.layer.empty() ? c.output_layer() : options_.layer,
                           options_.unit});
    }
}

MainWindow::~MainWindow() {
    tree_model_->setPack(nullptr);  // the model must not outlive the pack it shows
}

void MainWindow::buildWidgets() {
    viewport_ = new ImageViewport(this);
    viewport_->setMinimumSize(320, 320);
    viewport_->setToolTip(tr("Wheel: zoom around the cursor. Drag: pan. Double-click: fit."));
    plot_ = new ActivationPlot(this);
    auto* centre = new QSplitter(Qt::Vertical, this);
    centre->addWidget(viewport_);
    centre->addWidget(plot_);
    centre->setStretchFactor(0, 4);
    centre->setStretchFactor(1, 1);
    setCentralWidget(centre);

    tree_model_ = new LayerTreeModel(this);
    tree_filter_ = new LayerFilterProxy(this);
    tree_filter_->setSourceModel(tree_model_);
    tree_ = new QTreeView(this);
    tree_->setModel(tree_filter_);
    tree_->setHeaderHidden(true);
    tree_->setUniformRowHeights(true);
    tree_->setIconSize(QSize(28, 28));
    tree_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    tree_->setObjectName(QStringLiteral("layerTree"));
    filter_ = new QLineEdit(this);
    filter_->setPlaceholderText(tr("Filter: layer, unit number or class"));
    filter_->setClearButtonEnabled(true);
    connect(filter_, &QLineEdit::textChanged, this, [this](const QString& text) {
        tree_filter_->setFilterText(text);
        if (!text.isEmpty())
            tree_->expandAll();
    });
    auto* model_side = new QWidget(this);
    auto* model_layout = new QVBoxLayout(model_side);
    model_layout->setContentsMargins(2, 2, 2, 2);
    model_layout->addWidget(filter_);
    model_layout->addWidget(tree_);
    auto* model_dock = new QDockWidget(tr("Model"), this);
    model_dock->setObjectName(QStringLiteral("modelDock"));
    model_dock->setWidget(model_side);
    addDockWidget(Qt::LeftDockWidgetArea, model_dock);
    connect(tree_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                const QVariant ref = current.data(LayerTreeModel::UnitRefRole);
                if (ref.isValid() &&
                    ref.value<UnitRef>() != (session_ ? session_->currentUnit() : UnitRef{}))
                    selectUnit(ref.value<UnitRef>());
            });

    parameters_ = new ParameterPanel(this);
    auto* parameter_dock = new QDockWidget(tr("Parameters"), this);
    parameter_dock->setObjectName(QStringLiteral("parameterDock"));
    parameter_dock->setWidget(parameters_);
    addDockWidget(Qt::RightDockWidgetArea, parameter_dock);
    connect(parameters_, &ParameterPanel::settingsChanged, this, [this](SessionSettings settings) {
        if (!session_)
            return;
        if (parameters_->startsFromImage()) {
            settings.start_image = session_->settings().start_image;
            settings.start_image_name = session_->settings().start_image_name;
        }
        session_->setSettings(settings);
    });
    connect(parameters_, &ParameterPanel::startImageWanted, this, &MainWindow::chooseStartImage);
    connect(parameters_, &ParameterPanel::deviceChosen, this, [this](const QString& device) {
        if (!session_)
            return;
        const UnitRef unit = session_->currentUnit();  // carry on with the same unit there
        if (openPack(session_->packFolder(), device.toStdString()) && unit.valid())
            selectUnit(unit);
    });
    connect(parameters_, &ParameterPanel::threadsChosen, this, [this](int threads) {
        set_compute_threads(threads);
        if (session_)
            session_->restart();  // a run takes the thread count at its start
    });

    examples_ = new ExamplesPanel(this);
    auto* examples_dock = new QDockWidget(tr("Real examples and realism check"), this);
    examples_dock->setObjectName(QStringLiteral("examplesDock"));
    examples_dock->setWidget(examples_);
    addDockWidget(Qt::RightDockWidgetArea, examples_dock);
    connect(examples_, &ExamplesPanel::exampleClicked, this, [this](int index) {
        const TopImagesAnswer& answer = examples_->lastAnswer();
        if (index < 0 || std::size_t(index) >= answer.pictures.size())
            return;
        startFromImage(answer.pictures[std::size_t(index)],
                       tr("test image %1").arg(answer.images[std::size_t(index)].index));
    });

    status_ = new QLabel(this);
    statusBar()->addWidget(status_, 1);
    gallery_progress_ = new QProgressBar(this);
    gallery_progress_->setMaximumWidth(220);
    gallery_progress_->setFormat(tr("gallery %v/%m"));
    gallery_progress_->hide();
    gallery_cancel_ = new QToolButton(this);
    gallery_cancel_->setText(tr("Cancel"));
    gallery_cancel_->setToolTip(tr("Stop visualising the queued units"));
    gallery_cancel_->hide();
    connect(gallery_cancel_, &QToolButton::clicked, this, [this] {
        if (session_)
            session_->cancelGallery();
    });
    statusBar()->addPermanentWidget(gallery_progress_);
    statusBar()->addPermanentWidget(gallery_cancel_);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Pack..."), this, &MainWindow::chooseAndOpenPack);
    open->setShortcut(QKeySequence::Open);
    recent_packs_ = file->addMenu(tr("Open &Recent Pack"));
    connect(recent_packs_, &QMenu::aboutToShow, this, &MainWindow::fillRecentPacks);
    QAction* export_action =
        file->addAction(tr("&Export Gallery..."), this, &MainWindow::chooseAndExport);
    export_action->setShortcut(QKeySequence(tr("Ctrl+E")));
    export_action->setToolTip(
        tr("Write every finished image of this classifier as a gallery: "
           "PNGs, a contact sheet, gallery.json and index.html"));
    QAction* save = file->addAction(tr("&Save Image..."), this, &MainWindow::chooseAndSaveImage);
    save->setShortcut(QKeySequence::Save);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    pause_action_ = run->addAction(tr("&Pause / Resume"), this, [this] {
        if (session_)
            session_->togglePause();
        updateTitle();
    });
    pause_action_->setShortcut(QKeySequence(Qt::Key_Space));
    QAction* reseed = run->addAction(tr("&Restart with a New Seed"), this, [this] {
        if (!session_)
            return;
        session_->restartWithNewSeed();
        parameters_->setSettings(session_->settings());
    });
    reseed->setShortcut(QKeySequence(Qt::Key_R));
    QAction* previous = run->addAction(tr("P&revious Unit"), this, [this] { stepUnit(-1); });
    previous->setShortcut(QKeySequence(Qt::Key_Left));
    QAction* next = run->addAction(tr("&Next Unit"), this, [this] { stepUnit(+1); });
    next->setShortcut(QKeySequence(Qt::Key_Right));
    run->addSeparator();
    QAction* visualise =
        run->addAction(tr("&Visualise All"), this, &MainWindow::visualiseSelection);
    visualise->setShortcut(QKeySequence(tr("Ctrl+L")));
    visualise->setToolTip(
        tr("Visualise every unit of the selected layer, or the selected "
           "units, in the background"));
    run->addAction(tr("&Cancel Gallery"), this, [this] {
        if (session_)
            session_->cancelGallery();
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    QAction* fit = view->addAction(tr("&Fit to Window"), viewport_, &ImageViewport::fitToWindow);
    fit->setShortcut(QKeySequence(Qt::Key_F));
    QAction* linear = view->addAction(tr("&Linear Filtering"));
    linear->setCheckable(true);
    connect(linear, &QAction::toggled, viewport_, &ImageViewport::setLinearFiltering);
    QAction* grid = view->addAction(tr("Pixel &Grid"));
    grid->setCheckable(true);
    connect(grid, &QAction::toggled, viewport_, &ImageViewport::setPixelGrid);
    QAction* stretch = view->addAction(tr("&Contrast Stretch (2nd-98th percentile)"));
    stretch->setCheckable(true);
    stretch->setToolTip(
        tr("Stretch each frame's 2nd to 98th percentiles to black and white, "
           "smoothed over time so the live picture does not flicker"));
    connect(stretch, &QAction::toggled, this, [this](bool on) {
        viewport_->setStretchMode(on ? view::StretchMode::Percentile : view::StretchMode::Fixed);
    });
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        view->addAction(dock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(
            this, tr("About DGN-AM Studio"),
            tr("<b>DGN-AM Studio</b><p>Preferred images of neurons by optimising the code of a "
               "deep generator network (Nguyen, Dosovitskiy, Yosinski, Brox, Clune, NIPS 2016, "
               "arXiv 1605.09304).</p><p>What the maths runs on:</p><pre>%1</pre>")
                .arg(QString::fromStdString(runtime_report().text()).toHtmlEscaped()));
    });
}

bool MainWindow::openPack(const std::filesystem::path& folder, const std::string& device) {
    std::unique_ptr<StudioSession> next;
    try {
        const c10::Device parsed = parse_device(device);
        const std::filesystem::path data =
            options_.data_folder.empty() ? default_fashion_mnist_folder() : options_.data_folder;
        PackTrust trust = PackTrust::DataOnly;
        if (const auto code = pack_code_files(folder); !code.empty()) {
            if (options_.torchscript == CodeConsent::Ask && !consentToCode(folder, code))
                return false;  // the user said no: nothing to report
            if (options_.torchscript != CodeConsent::Refuse)
                trust = PackTrust::AllowTorchScript;
        }
        next =
            std::make_unique<StudioSession>(folder, parsed, data, trust, options_.execution_mode);
    } catch (const std::exception& e) {
        showError(
            tr("Could not open the model pack %1:\n%2")
                .arg(QString::fromStdString(folder.string()), QString::fromStdString(e.what())));
        return false;
    }
    const SessionSettings settings = session_ ? session_->settings() : parameters_->settings();
    tree_model_->setPack(nullptr);
    session_ = std::move(next);
    session_->setSettings(settings);
    tree_model_->setPack(&session_->pack());
    tree_->expand(tree_filter_->index(0, 0));
    QStringList devices;
    for (const auto& d : available_devices())
        devices << QString::fromStdString(d);
    parameters_->setDevices(devices, QString::fromStdString(session_->device().str()));
    parameters_->setThreads(compute_threads());
    connectSession();
    plot_->reset(settings.params.iterations);
    examples_->clear(tr("Pick a unit to see the real images that drive it hardest."));
    updateTitle();
    if (options_.restore_settings) {
        const QString path = QString::fromStdString(folder.string());
        QSettings settings;
        settings.setValue(QStringLiteral("session/pack"), path);
        QStringList recent = settings.value(QStringLiteral("session/recentPacks")).toStringList();
        recent.removeAll(path);
        recent.prepend(path);
        settings.setValue(QStringLiteral("session/recentPacks"), recent.mid(0, kRecentPacks));
    }
    return true;
}

bool MainWindow::consentToCode(const std::filesystem::path& folder,
                               const std::vector<std::filesystem::path>& code_files) {
    QString files;
    for (const auto& file : code_files)
        files += QStringLiteral("\n    ") + QString::fromStdString(file.filename().string());
    QMessageBox question(
        QMessageBox::Warning, tr("Run the code in this pack?"),
        tr("The model pack %1 holds TorchScript models:%2\n\nA TorchScript file runs code "
           "when it is loaded, with your rights. Open the pack only if you trust where it "
           "came from.")
            .arg(QString::fromStdString(folder.string()), files),
        QMessageBox::Cancel, this);
    QPushButton* run = question.addButton(tr("Open and run its code"), QMessageBox::AcceptRole);
    question.setDefaultButton(QMessageBox::Cancel);
    question.exec();
    return question.clickedButton() == run;
}

QStringList MainWindow::recentPacks() const {
    return options_.restore_settings
               ? QSettings().value(QStringLiteral("session/recentPacks")).toStringList()
               : QStringList();
}

void MainWindow::fillRecentPacks() {
    recent_packs_->clear();
    for (const QString& path : recentPacks()) {
        recent_packs_->addAction(path, this, [this, path] {
            if (!openPack(path.toStdString(),
                          session_ ? session_->device().str() : options_.device))
                return;
            const Classifier& c = session_->pack().classifier();
            selectUnit(UnitRef{c.id(), c.output_layer(), 0});
        });
    }
    if (recent_packs_->isEmpty())
        recent_packs_->addAction(tr("(none yet)"))->setEnabled(false);
}

void MainWindow::connectSession() {
    StudioSession* s = session_.get();
    connect(s, &StudioSession::frameArrived, this, &MainWindow::showFrame);
    connect(s, &StudioSession::resultAdded, this, &MainWindow::onResultAdded);
    connect(s, &StudioSession::errorOccurred, this, &MainWindow::showError);
    connect(s, &StudioSession::liveRunEnded, this, [this](RunEnd end, const QString& message) {
        // A completed run's message says which units ended early and why; a failed run's is
        // the error (also shown in a dialog).
        QString text = end != RunEnd::Completed ? tr("stopped")
                       : message.isEmpty()      ? tr("finished")
                                                : tr("ended early");
        if (!message.isEmpty())
            text += QStringLiteral(": ") + message.section(QLatin1Char('\n'), 0, 0);
        status_->setText(text);
        status_->setToolTip(message);
    });
    connect(s, &StudioSession::galleryProgress, this, [this](int done, int total) {
        gallery_progress_->setRange(0, total);
        gallery_progress_->setValue(done);
        gallery_progress_->show();
        gallery_cancel_->show();
    });
    connect(s, &StudioSession::galleryEnded, this, [this](RunEnd end, const QString& message) {
        gallery_progress_->hide();
        gallery_cancel_->hide();
        QString text = end == RunEnd::Completed ? tr("gallery finished") : tr("gallery stopped");
        if (end == RunEnd::Completed && !message.isEmpty())
            text += QStringLiteral(": ") + message.section(QLatin1Char('\n'), 0, 0);
        statusBar()->showMessage(text, message.isEmpty() ? 4000 : 20000);
    });
    connect(s, &StudioSession::topImagesFound, examples_, &ExamplesPanel::showTopImages);
    connect(s, &StudioSession::verdictReady, this, [this](const VerdictAnswer& answer) {
        const UnitRef& unit = session_->currentUnit();
        const std::string label =
            session_->pack().classifier(unit.classifier).label_of(unit.layer, unit.unit);
        examples_->showVerdict(answer, QString::fromStdString(label));
    });
}

bool MainWindow::selectUnit(const UnitRef& unit) {
    if (!session_)
        return false;
    if (!session_->selectUnit(unit))
        return false;
    plot_->reset(session_->settings().params.iterations);
    rate_iteration_ = -1;
    examples_->clear(tr("Searching the test images..."));
    if (!session_->judge())
        examples_->showNoJudge();
    const QModelIndex source = tree_model_->unitIndex(unit);
    const QModelIndex shown = tree_filter_->mapFromSource(source);
    if (shown.isValid() && tree_->currentIndex() != shown) {
        tree_->scrollTo(shown);
        tree_->selectionModel()->setCurrentIndex(shown, QItemSelectionModel::ClearAndSelect);
    }
    updateTitle();
    return true;
}

void MainWindow::showFrame(const Frame& frame) {
    if (!frame.image)
        return;
    viewport_->showImage(*frame.image);
    const RowStep* row = frame.step.rows.empty() ? nullptr : &frame.step.rows.front();
    plot_->showTrace(frame.trace, frame.step.iterations);
    // The rate over half a second of frames, and at the run's last step over what it saw of the
    // run: a run shorter than half a second (200 steps of the bundled pack) would otherwise end
    // showing no rate. When that last step is the only frame seen, its own time says it.
    const bool last_step = frame.step.iteration + 1 >= frame.step.iterations;
    if (rate_iteration_ < 0 || frame.step.iteration < rate_iteration_) {
        rate_clock_.start();
        rate_iteration_ = frame.step.iteration;
        if (last_step && frame.step.milliseconds > 0.0)
            steps_per_second_ = 1000.0 / frame.step.milliseconds;
    } else if (rate_clock_.elapsed() >= 500 ||
               (last_step && frame.step.iteration > rate_iteration_ && rate_clock_.elapsed() > 0)) {
        steps_per_second_ =
            (frame.step.iteration - rate_iteration_) * 1000.0 / double(rate_clock_.elapsed());
        rate_clock_.start();
        rate_iteration_ = frame.step.iteration;
    }
    QString text = tr("%1 unit %2").arg(QString::fromStdString(frame.layer)).arg(frame.unit);
    if (frame.label)
        text += QStringLiteral(" (%1)").arg(QString::fromStdString(*frame.label));
    text += tr("   iteration %1/%2").arg(frame.step.iteration + 1).arg(frame.step.iterations);
    if (row) {
        text += tr("   activation %1").arg(row->activation, 0, 'f', 3);
        if (row->probability)
            text += tr("   p %1").arg(format_optional(row->probability));
        if (row->skipped)
            text += tr("   step skipped: %1").arg(QString::fromStdString(row->skip_reason));
    }
    text += tr("   %1 steps/s   %2")
                .arg(steps_per_second_, 0, 'f', 0)
                .arg(QString::fromStdString(session_->device().str()));
    if (options_.execution_mode.bfloat16)
        text += tr(", bfloat16");
    viewport_->setOverlayText(text);
    ++frames_shown_;
    emit frameShown();
}

void MainWindow::onResultAdded(const UnitResult& result) {
    tree_model_->setThumbnail(UnitRef{result.classifier, result.layer, result.unit},
                              to_qimage(result.image));
}

void MainWindow::stepUnit(int delta) {
    if (!session_ || !session_->currentUnit().valid())
        return;
    UnitRef unit = session_->currentUnit();
    const auto count = session_->pack().classifier(unit.classifier).layer(unit.layer).units();
    unit.unit = ((unit.unit + delta) % count + count) % count;
    selectUnit(unit);
}

void MainWindow::visualiseLayer(const std::string& classifier, const std::string& layer) {
    if (!session_)
        return;
    try {
        const auto count = session_->pack().classifier(classifier).layer(layer).units();
        std::vector<std::int64_t> units(static_cast<std::size_t>(count));
        for (std::int64_t u = 0; u < count; ++u)
            units[std::size_t(u)] = u;
        session_->visualiseAll(classifier, layer, units);
    } catch (const std::exception& e) {
        showError(QString::fromStdString(e.what()));
    }
}

void MainWindow::visualiseSelection() {
    if (!session_)
        return;
    std::vector<std::int64_t> units;
    std::string classifier, layer;
    for (const QModelIndex& index : tree_->selectionModel()->selectedIndexes()) {
        const QVariant ref = index.data(LayerTreeModel::UnitRefRole);
        if (ref.isValid()) {
            const UnitRef unit = ref.value<UnitRef>();
            if (!layer.empty() && (unit.layer != layer || unit.classifier != classifier))
                continue;
            classifier = unit.classifier;
            layer = unit.layer;
            units.push_back(unit.unit);
        } else if (index.data(LayerTreeModel::NodeLevelRole).toInt() ==
                       LayerTreeModel::LayerLevel &&
                   layer.empty()) {
            return visualiseLayer(
                index.data(LayerTreeModel::ClassifierRole).toString().toStdString(),
                index.data(LayerTreeModel::LayerNameRole).toString().toStdString());
        }
    }
    if (units.size() > 1) {
        std::sort(units.begin(), units.end());
        session_->visualiseAll(classifier, layer, units);
    } else if (session_->currentUnit().valid()) {
        visualiseLayer(session_->currentUnit().classifier, session_->currentUnit().layer);
    }
}

bool MainWindow::exportGalleryTo(const std::filesystem::path& folder, bool overwrite) {
    if (!session_)
        return false;
    try {
        session_->exportGallery(folder, overwrite);
    } catch (const std::exception& e) {
        showError(tr("Export failed: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    statusBar()->showMessage(
        tr("gallery written to %1").arg(QString::fromStdString(folder.string())), 6000);
    return true;
}

bool MainWindow::saveImageTo(const std::filesystem::path& file) {
    if (!session_)
        return false;
    try {
        session_->saveCurrentImage(file);
    } catch (const std::exception& e) {
        showError(tr("Saving the image failed: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    statusBar()->showMessage(tr("image written to %1").arg(QString::fromStdString(file.string())),
                             6000);
    return true;
}

void MainWindow::startFromImage(const Image8& image, const QString& name) {
    if (!session_)
        return;
    SessionSettings settings = parameters_->settings();
    settings.method = Method::Dgn;  // a start image is a code for the generator
    settings.start_image = image;
    settings.start_image_name = name.toStdString();
    if (session_->setSettings(settings)) {
        parameters_->setSettings(settings);
        plot_->reset(settings.params.iterations);
        rate_iteration_ = -1;
    }
}

void MainWindow::chooseStartImage() {
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Start from the code of an image"),
                                     rememberedFolder("images"), tr("PNG images (*.png)"));
    if (file.isEmpty()) {
        parameters_->setSettings(session_ ? session_->settings() : parameters_->settings());
        return;
    }
    rememberFolder("images", QFileInfo(file).absolutePath());
    try {
        startFromImage(read_png(file.toStdString()), QFileInfo(file).fileName());
    } catch (const std::exception& e) {
        parameters_->setSettings(session_ ? session_->settings() : parameters_->settings());
        showError(tr("Cannot start from %1: %2").arg(file, QString::fromStdString(e.what())));
    }
}

void MainWindow::chooseAndOpenPack() {
    const QString folder = QFileDialog::getExistingDirectory(
        this, tr("Open a model pack (a folder with manifest.json)"), rememberedFolder("packs"));
    if (folder.isEmpty())
        return;
    rememberFolder("packs", folder);
    if (openPack(folder.toStdString(), session_ ? session_->device().str() : options_.device)) {
        const Classifier& c = session_->pack().classifier();
        selectUnit(UnitRef{c.id(), c.output_layer(), 0});
    }
}

void MainWindow::chooseAndExport() {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export the gallery into"),
                                                             rememberedFolder("export"));
    if (folder.isEmpty())
        return;
    rememberFolder("export", folder);
    const std::filesystem::path path = folder.toStdString();
    bool overwrite = false;
    if (std::filesystem::exists(path / "gallery.json")) {
        if (QMessageBox::question(this, tr("Replace the gallery?"),
                                  tr("%1 already holds a gallery. Replace it?").arg(folder)) !=
            QMessageBox::Yes)
            return;
        overwrite = true;
    }
    exportGalleryTo(path, overwrite);
}

void MainWindow::chooseAndSaveImage() {
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Save the image"), rememberedFolder("images"), tr("PNG images (*.png)"));
    if (file.isEmpty())
        return;
    rememberFolder("images", QFileInfo(file).absolutePath());
    saveImageTo(file.toStdString());
}

void MainWindow::showError(const QString& message) {
    last_error_ = message;
    statusBar()->showMessage(message.section(QLatin1Char('\n'), 0, 0), 10000);
    emit errorShown(message);
    // Not modal: the session keeps running and tests are not blocked.
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("DGN-AM Studio"), message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::updateTitle() {
    QString title = tr("DGN-AM Studio");
    if (session_) {
        title += QStringLiteral(" - %1").arg(QString::fromStdString(session_->pack().name));
        const UnitRef& unit = session_->currentUnit();
        if (unit.valid())
            title += QStringLiteral(" - %1 %2 unit %3")
                         .arg(QString::fromStdString(unit.classifier),
                              QString::fromStdString(unit.layer))
                         .arg(unit.unit);
        if (session_->paused())
            title += tr(" (paused)");
    }
    setWindowTitle(title);
}

void MainWindow::readSettings() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    SessionSettings s = parameters_->settings();
    settings.beginGroup(QStringLiteral("parameters"));
    s.params.lr_start = settings.value(QStringLiteral("lr_start"), s.params.lr_start).toDouble();
    s.params.lr_end = settings.value(QStringLiteral("lr_end"), s.params.lr_end).toDouble();
    s.params.l2 = settings.value(QStringLiteral("l2"), s.params.l2).toDouble();
    s.params.iterations = settings.value(QStringLiteral("iterations"), s.params.iterations).toInt();
    s.params.clip_scale =
        settings.value(QStringLiteral("clip_scale"), s.params.clip_scale).toDouble();
    s.params.jitter = settings.value(QStringLiteral("jitter"), s.params.jitter).toInt();
    s.params.seed = settings.value(QStringLiteral("seed"), qulonglong(s.params.seed)).toULongLong();
    s.method = Method(settings.value(QStringLiteral("method"), int(s.method)).toInt());
    s.spatial = SpatialMode(settings.value(QStringLiteral("spatial"), int(s.spatial)).toInt());
    settings.endGroup();
    try {
        s.params.validate();
        parameters_->setSettings(s);
    } catch (const std::exception&) {
        // Stored values from an older version that no longer validate: keep the defaults.
    }
}

void MainWindow::writeSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    const SessionSettings s = parameters_->settings();
    settings.beginGroup(QStringLiteral("parameters"));
    settings.setValue(QStringLiteral("lr_start"), s.params.lr_start);
    settings.setValue(QStringLiteral("lr_end"), s.params.lr_end);
    settings.setValue(QStringLiteral("l2"), s.params.l2);
    settings.setValue(QStringLiteral("iterations"), s.params.iterations);
    settings.setValue(QStringLiteral("clip_scale"), s.params.clip_scale);
    settings.setValue(QStringLiteral("jitter"), s.params.jitter);
    settings.setValue(QStringLiteral("seed"), qulonglong(s.params.seed));
    settings.setValue(QStringLiteral("method"), int(s.method));
    settings.setValue(QStringLiteral("spatial"), int(s.spatial));
    settings.endGroup();
}

void MainWindow::rememberFolder(const QString& key, const QString& folder) const {
    if (options_.restore_settings)
        QSettings().setValue(QStringLiteral("folders/") + key, folder);
}

QString MainWindow::rememberedFolder(const QString& key) const {
    return options_.restore_settings
               ? QSettings().value(QStringLiteral("folders/") + key).toString()
               : QString();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (options_.restore_settings)
        writeSettings();
    event->accept();
}

}  // namespace dgnam::studio
