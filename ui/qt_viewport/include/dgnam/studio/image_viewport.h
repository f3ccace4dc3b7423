#pragma once
// The studio's picture: one RGB8 image drawn with OpenGL 3.3 core (shaders/image.vert and
// image.frag, loaded through the Qt resource system), with wheel zoom around the cursor,
// left-drag pan, double-click fit, a contrast stretch, an optional pixel grid and a text bar.
#include <QMetaObject>
#include <QOpenGLBuffer>
#include <QOpenGLFunctions>
#include <QOpenGLVertexArrayObject>
#include <QOpenGLWidget>
#include <QPointF>
#include <QString>
#include <memory>

#include "dgnam/image.h"
#include "dgnam/view/contrast_stretch.h"
#include "dgnam/view/view_transform.h"

class QOpenGLShaderProgram;
class QOpenGLTexture;

namespace dgnam::studio {

class ImageViewport : public QOpenGLWidget, protected QOpenGLFunctions {
    Q_OBJECT

  public:
    explicit ImageViewport(QWidget* parent = nullptr);
    // Makes OpenGL 3.3 core the default for every context, so the widget's context and the
    // window's share one format. Call before the QApplication exists.
    static void useOpenGl33CoreByDefault();
    ~ImageViewport() override;

    ImageViewport(const ImageViewport&) = delete;
    ImageViewport& operator=(const ImageViewport&) = delete;

    // Copies the image; it is uploaded at the next paint. Call on the GUI thread (a worker's
    // frames arrive through a queued invocation). The texture is re-created only when the size
    // changes.
    void showImage(const dgnam::Image8& image);
    void setStretchMode(dgnam::view::StretchMode mode);
    void setLinearFiltering(bool linear);
    void setPixelGrid(bool on);
    // The caller formats it (iteration, activation, probability, steps/s, device); empty hides
    // the bar.
    void setOverlayText(const QString& text);
    // Centres the image at the largest zoom that fits and keeps fitting on resize until the
    // user zooms or pans.
    void fitToWindow();

    // Screen (device) pixels per image pixel.
    double zoom() const { return transform_.zoom(); }
    bool hasImage() const { return !image_.empty(); }
    dgnam::view::StretchMode stretchMode() const { return stretch_mode_; }
    // The range the next paint stretches to black..white.
    dgnam::view::PercentileRange stretchRange() const;
    // In framebuffer (device) pixels, as the shader sees them.
    const dgnam::view::ViewTransform& viewTransform() const { return transform_; }
    // Empty while drawing works; otherwise why the picture cannot be drawn.
    QString glError() const { return gl_error_; }

  protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;

    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

  private:
    bool createGlObjects();
    void releaseGlObjects();
    void uploadPendingImage();
    void drawImage();
    void drawTextBar(const QString& text, bool centred);
    int framebufferWidth() const;
    int framebufferHeight() const;
    QPointF toFramebuffer(QPointF widget_point) const;
    void syncTransformSizes();

    dgnam::Image8 image_;
    bool upload_pending_ = false;
    dgnam::view::ViewTransform transform_;
    dgnam::view::StretchMode stretch_mode_ = dgnam::view::StretchMode::Fixed;
    dgnam::view::SmoothedStretch smoothed_stretch_;
    bool linear_filtering_ = false;
    bool pixel_grid_ = false;
    QString overlay_text_;
    bool dragging_ = false;
    QPointF last_drag_position_;

    // GL objects, created in initializeGL on this widget's context and released before it goes.
    bool gl_ready_ = false;
    QMetaObject::Connection context_connection_;  // aboutToBeDestroyed -> releaseGlObjects
    QString gl_error_;
    std::unique_ptr<QOpenGLShaderProgram> program_;
    std::unique_ptr<QOpenGLTexture> texture_;
    QOpenGLBuffer quad_buffer_;
    QOpenGLVertexArrayObject quad_array_;
};

}  // namespace dgnam::studio
