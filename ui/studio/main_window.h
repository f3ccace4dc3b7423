#pragma once
// The studio's window: layer tree (left), viewport and activation plot (centre), parameters and
// the real examples with the realism check (right), menus, shortcuts and persisted settings.
// Everything it does with models goes through StudioSession.
#include <QElapsedTimer>
#include <QMainWindow>

#include <filesystem>
#include <memory>

#include "studio_session.h"

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QToolButton;
class QTreeView;

namespace dgnam::studio {

class ActivationPlot;
class ExamplesPanel;
class ImageViewport;
class LayerFilterProxy;
class LayerTreeModel;
class ParameterPanel;

// What the studio does with a pack that holds TorchScript models, whose files run code when
// loaded: ask the user each time (the default), or decide without asking (the command line's
// --allow-torchscript, the scripted mode, tests).
enum class CodeConsent { Ask, Allow, Refuse };

struct StudioOptions {
    std::filesystem::path pack;  // empty: the last pack, else the bundled one
    std::string device = "auto";
    ExecutionMode execution_mode = ExecutionMode::fast();  // --precision
    std::filesystem::path data_folder;                     // Fashion-MNIST for the real examples
    std::string layer;                                     // empty: the output layer
    std::int64_t unit = 0;                                 // the first unit to form
    bool restore_settings = true;  // false in tests: QSettings are neither read nor written
    CodeConsent torchscript = CodeConsent::Ask;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(StudioOptions options, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a pack; on failure shows the error and keeps the session that was open. A pack with
    // TorchScript models opens only with the user's consent (StudioOptions::torchscript).
    bool openPack(const std::filesystem::path& folder, const std::string& device);
    bool selectUnit(const UnitRef& unit);
    void visualiseLayer(const std::string& classifier, const std::string& layer);
    bool exportGalleryTo(const std::filesystem::path& folder, bool overwrite);
    bool saveImageTo(const std::filesystem::path& file);
    // DGN-AM starts from this picture's code; `name` says where it came from.
    void startFromImage(const Image8& image, const QString& name);

    StudioSession* session() const { return session_.get(); }
    ImageViewport* viewport() const { return viewport_; }
    ParameterPanel* parameterPanel() const { return parameters_; }
    ActivationPlot* plot() const { return plot_; }
    ExamplesPanel* examples() const { return examples_; }
    QTreeView* tree() const { return tree_; }
    LayerTreeModel* treeModel() const { return tree_model_; }
    LayerFilterProxy* treeFilter() const { return tree_filter_; }
    QLineEdit* filterBox() const { return filter_; }
    QString lastError() const { return last_error_; }
    int framesShown() const { return frames_shown_; }
    double stepsPerSecond() const { return steps_per_second_; }
    QStringList recentPacks() const;  // newest first

  signals:
    void errorShown(const QString& message);
    void frameShown();

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildWidgets();
    void buildMenus();
    void connectSession();
    // Whether the pack's TorchScript files (code) may load; asks when the options say so.
    bool consentToCode(const std::filesystem::path& folder,
                       const std::vector<std::filesystem::path>& code_files);
    void showError(const QString& message);
    void showFrame(const Frame& frame);
    void onResultAdded(const UnitResult& result);
    void stepUnit(int delta);
    void visualiseSelection();
    void chooseAndOpenPack();
    void chooseAndExport();
    void chooseAndSaveImage();
    void chooseStartImage();
    void fillRecentPacks();
    void updateTitle();
    void readSettings();
    void writeSettings() const;
    void rememberFolder(const QString& key, const QString& folder) const;
    QString rememberedFolder(const QString& key) const;

    StudioOptions options_;
    std::unique_ptr<StudioSession> session_;
    LayerTreeModel* tree_model_ = nullptr;
    LayerFilterProxy* tree_filter_ = nullptr;
    QTreeView* tree_ = nullptr;
    QLineEdit* filter_ = nullptr;
    ImageViewport* viewport_ = nullptr;
    ActivationPlot* plot_ = nullptr;
    ParameterPanel* parameters_ = nullptr;
    ExamplesPanel* examples_ = nullptr;
    QProgressBar* gallery_progress_ = nullptr;
    QToolButton* gallery_cancel_ = nullptr;
    QLabel* status_ = nullptr;
    QAction* pause_action_ = nullptr;
    QMenu* recent_packs_ = nullptr;
    QString last_error_;
    int frames_shown_ = 0;
    // steps per second, from the iterations between frames
    QElapsedTimer rate_clock_;
    int rate_iteration_ = -1;
    double steps_per_second_ = 0.0;
};

}  // namespace dgnam::studio
