#pragma once
// What the user asks for, from a key or a button, handled in one place by the app.
#include <vector>

namespace dgnam::live {

enum class Command {
    TogglePause,      // Space
    RestartNextSeed,  // R
    PreviousUnit,     // Left
    NextUnit,         // Right
    SaveImage,        // Ctrl+S
    ExportGallery,    // Ctrl+E
    FitImage,         // F
};

// The studio's shortcuts pressed in this ImGui frame. None while a text field has the keyboard,
// so typing "r" in the filter does not restart the run.
std::vector<Command> pressed_shortcuts();

}  // namespace dgnam::live
