#include "shortcuts.h"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

namespace dgnam::live {

std::vector<Command> pressed_shortcuts() {
    std::vector<Command> commands;
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput)
        return commands;
    // Dear ImGui 1.86's GLFW backend indexes io.KeysDown by GLFW key codes.
    const auto pressed = [](int key) { return ImGui::IsKeyPressed(key, false); };
    const bool plain = !io.KeyCtrl && !io.KeyAlt && !io.KeySuper;
    if (plain && pressed(GLFW_KEY_SPACE))
        commands.push_back(Command::TogglePause);
    if (plain && pressed(GLFW_KEY_R))
        commands.push_back(Command::RestartNextSeed);
    // Arrow keys repeat while held, so a long press walks through the layer.
    if (plain && ImGui::IsKeyPressed(GLFW_KEY_LEFT, true))
        commands.push_back(Command::PreviousUnit);
    if (plain && ImGui::IsKeyPressed(GLFW_KEY_RIGHT, true))
        commands.push_back(Command::NextUnit);
    if (plain && pressed(GLFW_KEY_F))
        commands.push_back(Command::FitImage);
    if (io.KeyCtrl && pressed(GLFW_KEY_S))
        commands.push_back(Command::SaveImage);
    if (io.KeyCtrl && pressed(GLFW_KEY_E))
        commands.push_back(Command::ExportGallery);
    return commands;
}

}  // namespace dgnam::live
