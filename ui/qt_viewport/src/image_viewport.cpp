#include "dgnam/studio/image_viewport.h"

#include <QFontMetrics>
#include <QMouseEvent>
#include <QOpenGLContext>
#include <QOpenGLPixelTransferOptions>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>
#include <QPainter>
#include <QSurfaceFormat>
#include <QVector2D>
#include <QVector4D>
#include <QWheelEvent>
#include <QtDebug>
#include <cmath>

namespace dgnam::studio {

namespace {

constexpr double kZoomPerWheelNotch = 1.2;  // one notch (120 eighths of a degree) of the wheel
constexpr float kGridStrength = 0.6f;       // the grid shows without hiding the texels
constexpr float kBackgroundGrey = 0.16f;    // tells the image's black border from the view

// The shaders as the resource system holds them (see this folder's CMakeLists.txt).
const char* const kVertexShaderResource = ":/dgnam/shaders/image.vert";
const char* const kFragmentShaderResource = ":/dgnam/shaders/image.frag";

QString glString(QOpenGLFunctions* gl, GLenum name) {
    const auto* text = reinterpret_cast<const char*>(gl->glGetString(name));
    return text != nullptr ? QString::fromLatin1(text) : QStringLiteral("(unknown)");
}

}  // namespace

void ImageViewport::useOpenGl33CoreByDefault() {
    QSurfaceFormat format = QSurfaceFormat::defaultFormat();
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    QSurfaceFormat::setDefaultFormat(format);
}

ImageViewport::ImageViewport(QWidget* parent) : QOpenGLWidget(parent) {
    QSurfaceFormat format = QSurfaceFormat::defaultFormat();
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    setFormat(format);
    setMinimumSize(64, 64);
    setFocusPolicy(Qt::StrongFocus);
}

ImageViewport::~ImageViewport() {
    // The context outlives this class's part of the object (QOpenGLWidget's destructor
    // destroys it): free the GL objects now and stop the signal from reaching a half-destroyed
    // object.
    QObject::disconnect(context_connection_);
    releaseGlObjects();
}

void ImageViewport::showImage(const dgnam::Image8& image) {
    if (image.empty() || image.rgb.size() != static_cast<std::size_t>(image.width) *
                                                 static_cast<std::size_t>(image.height) * 3) {
        qWarning("ImageViewport: ignoring an image of %dx%d with %zu bytes", image.width,
                 image.height, image.rgb.size());
        return;
    }
    if (image.width != image_.width || image.height != image_.height) {
        smoothed_stretch_.reset();  // a new size is a new picture
    }
    image_ = image;
    upload_pending_ = true;
    if (stretch_mode_ == dgnam::view::StretchMode::Percentile) {
        smoothed_stretch_.update(dgnam::view::percentile_range(image_));
    }
    syncTransformSizes();
    update();
}

void ImageViewport::setStretchMode(dgnam::view::StretchMode mode) {
    if (mode == stretch_mode_) {
        return;
    }
    stretch_mode_ = mode;
    smoothed_stretch_.reset();
    if (mode == dgnam::view::StretchMode::Percentile && hasImage()) {
        smoothed_stretch_.update(dgnam::view::percentile_range(image_));
    }
    update();
}

dgnam::view::PercentileRange ImageViewport::stretchRange() const {
    return stretch_mode_ == dgnam::view::StretchMode::Fixed ? dgnam::view::kFixedRange
                                                            : smoothed_stretch_.current();
}

void ImageViewport::setLinearFiltering(bool linear) {
    linear_filtering_ = linear;
    update();
}

void ImageViewport::setPixelGrid(bool on) {
    pixel_grid_ = on;
    update();
}

void ImageViewport::setOverlayText(const QString& text) {
    overlay_text_ = text;
    update();
}

void ImageViewport::fitToWindow() {
    transform_.fit(image_.width, image_.height, framebufferWidth(), framebufferHeight());
    update();
}

void ImageViewport::initializeGL() {
    // initializeGL runs again on a new context when the widget moves to another window.
    QObject::disconnect(context_connection_);
    QOpenGLContext* gl_context = context();
    context_connection_ = connect(gl_context, &QOpenGLContext::aboutToBeDestroyed, this,
                                  &ImageViewport::releaseGlObjects, Qt::DirectConnection);
    initializeOpenGLFunctions();

    const QSurfaceFormat actual = gl_context->format();
    const QString version = glString(this, GL_VERSION);
    qInfo("ImageViewport: OpenGL %d.%d %s profile; GL_VERSION %s; renderer %s",
          actual.majorVersion(), actual.minorVersion(),
          actual.profile() == QSurfaceFormat::CoreProfile ? "core" : "compatibility",
          qPrintable(version), qPrintable(glString(this, GL_RENDERER)));

    gl_error_.clear();
    if (gl_context->isOpenGLES() || actual.version() < qMakePair(3, 3)) {
        gl_error_ = tr("Cannot draw the picture: it needs OpenGL 3.3 core, and this system "
                       "offers %1.\nUpdate the graphics driver, or run with "
                       "LIBGL_ALWAYS_SOFTWARE=1 for Mesa's software renderer.")
                        .arg(version);
        qWarning("ImageViewport: %s", qPrintable(gl_error_));
        return;
    }
    gl_ready_ = createGlObjects();
    upload_pending_ = hasImage();  // a new context holds no texture yet
}

bool ImageViewport::createGlObjects() {
    program_ = std::make_unique<QOpenGLShaderProgram>();
    if (!program_->addShaderFromSourceFile(QOpenGLShader::Vertex, kVertexShaderResource) ||
        !program_->addShaderFromSourceFile(QOpenGLShader::Fragment, kFragmentShaderResource) ||
        !program_->link()) {
        gl_error_ = tr("Cannot draw the picture: the image shaders did not build.\n%1")
                        .arg(program_->log());
        qWarning("ImageViewport: %s", qPrintable(gl_error_));
        program_.reset();
        return false;
    }

    // A core profile draws nothing without a vertex array object.
    quad_array_.create();
    QOpenGLVertexArrayObject::Binder bind_array(&quad_array_);
    static constexpr GLfloat kCorners[] = {0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f};
    quad_buffer_.create();
    quad_buffer_.bind();
    quad_buffer_.allocate(kCorners, static_cast<int>(sizeof kCorners));
    program_->enableAttributeArray(0);  // layout(location = 0) in image.vert
    program_->setAttributeBuffer(0, GL_FLOAT, 0, 2);
    quad_buffer_.release();
    return true;
}

void ImageViewport::releaseGlObjects() {
    if (!gl_ready_ && !program_ && !texture_) {
        return;  // nothing was created, or it is already freed
    }
    makeCurrent();
    texture_.reset();
    program_.reset();
    quad_buffer_.destroy();
    quad_array_.destroy();
    doneCurrent();
    gl_ready_ = false;
}

void ImageViewport::resizeGL(int /*w*/, int /*h*/) {
    syncTransformSizes();
}

void ImageViewport::paintGL() {
    glViewport(0, 0, framebufferWidth(), framebufferHeight());
    glClearColor(kBackgroundGrey, kBackgroundGrey, kBackgroundGrey, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (gl_ready_) {
        uploadPendingImage();
        if (texture_) {
            drawImage();
        }
    }
    if (!gl_error_.isEmpty()) {
        drawTextBar(gl_error_, true);
    } else if (!overlay_text_.isEmpty()) {
        drawTextBar(overlay_text_, false);
    }
}

void ImageViewport::uploadPendingImage() {
    if (!upload_pending_ || image_.empty()) {
        return;
    }
    if (!texture_ || texture_->width() != image_.width || texture_->height() != image_.height) {
        texture_ = std::make_unique<QOpenGLTexture>(QOpenGLTexture::Target2D);
        texture_->setFormat(QOpenGLTexture::RGB8_UNorm);
        texture_->setSize(image_.width, image_.height);
        texture_->setMipLevels(1);
        texture_->setWrapMode(QOpenGLTexture::ClampToEdge);
        texture_->allocateStorage(QOpenGLTexture::RGB, QOpenGLTexture::UInt8);
    }
    QOpenGLPixelTransferOptions tight_rows;
    tight_rows.setAlignment(1);  // RGB8 rows are width * 3 bytes, not a multiple of 4
    texture_->setData(0, QOpenGLTexture::RGB, QOpenGLTexture::UInt8, image_.rgb.data(),
                      &tight_rows);
    upload_pending_ = false;
}

void ImageViewport::drawImage() {
    syncTransformSizes();
    const dgnam::view::ClipTransform clip =
        transform_.image_to_clip(framebufferWidth(), framebufferHeight());
    const dgnam::view::PercentileRange stretch = stretchRange();

    // QPainter may have left blending, scissoring and the like on after the last frame.
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);

    const auto filter = linear_filtering_ ? QOpenGLTexture::Linear : QOpenGLTexture::Nearest;
    texture_->setMinMagFilters(filter, filter);

    program_->bind();
    program_->setUniformValue("u_image_size", QVector2D(static_cast<float>(image_.width),
                                                        static_cast<float>(image_.height)));
    program_->setUniformValue("u_image_to_clip",
                              QVector4D(clip.scale_x, clip.scale_y, clip.offset_x, clip.offset_y));
    program_->setUniformValue(
        "u_stretch", QVector2D(static_cast<float>(stretch.low), static_cast<float>(stretch.high)));
    program_->setUniformValue("u_grid_strength", pixel_grid_ ? kGridStrength : 0.0f);
    program_->setUniformValue("u_image", 0);
    texture_->bind(0);
    {
        QOpenGLVertexArrayObject::Binder bind_array(&quad_array_);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    }
    texture_->release(0);
    program_->release();
}

void ImageViewport::drawTextBar(const QString& text, bool centred) {
    constexpr int kMargin = 6;   // from the widget's edge, in logical pixels
    constexpr int kPadding = 4;  // around the text inside the bar
    QPainter painter(this);
    painter.setRenderHint(QPainter::TextAntialiasing);
    const int flags = Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap;
    const QRect room(0, 0, qMax(1, width() - 2 * (kMargin + kPadding)), height());
    QRect bar = painter.fontMetrics()
                    .boundingRect(room, flags, text)
                    .adjusted(-kPadding, -kPadding, kPadding, kPadding);
    if (centred) {
        bar.moveCenter(rect().center());
    } else {
        bar.moveBottomLeft(QPoint(kMargin, height() - 1 - kMargin));
    }
    painter.fillRect(bar, QColor(0, 0, 0, 170));
    painter.setPen(Qt::white);
    painter.drawText(bar.adjusted(kPadding, kPadding, -kPadding, -kPadding), flags, text);
}

void ImageViewport::wheelEvent(QWheelEvent* event) {
    const double notches = event->angleDelta().y() / 120.0;
    if (!hasImage() || notches == 0.0) {
        event->ignore();
        return;
    }
    syncTransformSizes();
    const QPointF cursor = toFramebuffer(event->position());
    transform_.zoom_at(std::pow(kZoomPerWheelNotch, notches), cursor.x(), cursor.y());
    event->accept();
    update();
}

void ImageViewport::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QOpenGLWidget::mousePressEvent(event);
        return;
    }
    dragging_ = true;
    last_drag_position_ = event->position();
    setCursor(Qt::ClosedHandCursor);
    event->accept();
}

void ImageViewport::mouseMoveEvent(QMouseEvent* event) {
    if (!dragging_ || !(event->buttons() & Qt::LeftButton)) {
        QOpenGLWidget::mouseMoveEvent(event);
        return;
    }
    const QPointF delta = toFramebuffer(event->position()) - toFramebuffer(last_drag_position_);
    last_drag_position_ = event->position();
    syncTransformSizes();
    transform_.pan_by(delta.x(), delta.y());
    event->accept();
    update();
}

void ImageViewport::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QOpenGLWidget::mouseReleaseEvent(event);
        return;
    }
    dragging_ = false;
    unsetCursor();
    event->accept();
}

void ImageViewport::mouseDoubleClickEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) {
        QOpenGLWidget::mouseDoubleClickEvent(event);
        return;
    }
    fitToWindow();
    event->accept();
}

int ImageViewport::framebufferWidth() const {
    return qRound(width() * devicePixelRatioF());
}

int ImageViewport::framebufferHeight() const {
    return qRound(height() * devicePixelRatioF());
}

QPointF ImageViewport::toFramebuffer(QPointF widget_point) const {
    return widget_point * devicePixelRatioF();
}

void ImageViewport::syncTransformSizes() {
    transform_.update_sizes(image_.width, image_.height, framebufferWidth(), framebufferHeight());
}

}  // namespace dgnam::studio
