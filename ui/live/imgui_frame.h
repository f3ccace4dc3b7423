#pragma once
// Dear ImGui's context with its GLFW and OpenGL 3 backends, set up and shut down together.
struct GLFWwindow;
struct ImDrawData;

namespace dgnam::live {

class ImGuiSetup {
  public:
    // The window's context must be current. Installs ImGui's GLFW input callbacks.
    explicit ImGuiSetup(GLFWwindow* window);
    ~ImGuiSetup();
    ImGuiSetup(const ImGuiSetup&) = delete;
    ImGuiSetup& operator=(const ImGuiSetup&) = delete;

    void new_frame();
    // Builds the frame's draw lists and draws them over what is in the framebuffer.
    void render();
};

}  // namespace dgnam::live
