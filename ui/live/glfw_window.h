#pragma once
// GLFW and the one window with its OpenGL 3.3 core context, owned together: the library is
// initialised for as long as the window lives.
#include <string>

struct GLFWwindow;

namespace dgnam::live {

class GlfwWindow {
  public:
    // Initialises GLFW, opens the window and makes its context current. Throws dgnam::Error
    // saying what failed (no display, no OpenGL 3.3 core) and what to try.
    GlfwWindow(int width, int height, const std::string& title);
    ~GlfwWindow();
    GlfwWindow(const GlfwWindow&) = delete;
    GlfwWindow& operator=(const GlfwWindow&) = delete;

    GLFWwindow* get() const { return window_; }
    bool should_close() const;
    // 1 waits for the display's refresh; 0 draws as fast as it can (the scripted mode).
    void set_swap_interval(int interval);
    void swap_buffers();
    int framebuffer_width() const;
    int framebuffer_height() const;

  private:
    GLFWwindow* window_ = nullptr;
};

}  // namespace dgnam::live
