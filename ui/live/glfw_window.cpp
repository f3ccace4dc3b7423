#include "glfw_window.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "dgnam/error.h"

namespace dgnam::live {
namespace {

// GLFW's description of its last error (3.3 keeps it per thread, no callback needed).
std::string last_glfw_error() {
    const char* description = nullptr;
    glfwGetError(&description);
    return description != nullptr ? description : "no reason given";
}

}  // namespace

GlfwWindow::GlfwWindow(int width, int height, const std::string& title) {
    if (glfwInit() != GLFW_TRUE)
        throw Error("cannot open a window: GLFW did not start (" + last_glfw_error() +
                    "); is there a display? (DISPLAY or WAYLAND_DISPLAY; try xvfb-run)");
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
    if (window_ == nullptr) {
        const std::string reason = last_glfw_error();
        glfwTerminate();
        throw Error("cannot open a window with an OpenGL 3.3 core context (" + reason +
                    "); update the graphics driver, or run with LIBGL_ALWAYS_SOFTWARE=1 for "
                    "Mesa's software renderer");
    }
    glfwMakeContextCurrent(window_);
}

GlfwWindow::~GlfwWindow() {
    glfwDestroyWindow(window_);
    glfwTerminate();
}

bool GlfwWindow::should_close() const {
    return glfwWindowShouldClose(window_) == GLFW_TRUE;
}

void GlfwWindow::set_swap_interval(int interval) {
    glfwSwapInterval(interval);
}

void GlfwWindow::swap_buffers() {
    glfwSwapBuffers(window_);
}

int GlfwWindow::framebuffer_width() const {
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    return w;
}

int GlfwWindow::framebuffer_height() const {
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    return h;
}

}  // namespace dgnam::live
