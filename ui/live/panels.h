#pragma once
// The window's Dear ImGui panels. Each draws one rectangle of the layout from the session's
// state; what the user asks for either goes straight to the session (picking a unit, changing
// a parameter) or comes back as a Command for the app, which also serves the keyboard.
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "image_view.h"
#include "live_layout.h"
#include "live_session.h"
#include "shortcuts.h"
#include "thumbnail_cache.h"

namespace dgnam::live {

// Every panel sits where the layout puts it: no moving, resizing, collapsing or saved positions.
inline constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
    ImGuiWindowFlags_NoSavedSettings;

// What the panels remember between frames.
struct PanelState {
    std::string pack_folder;         // the text field; "Open" asks for it
    bool allow_torchscript = false;  // the checkbox beside it: packs may run TorchScript code
    std::string unit_filter;         // the unit picker's filter box
    std::string export_folder = "dgnam-live-export";
    bool overwrite_gallery = false;
    std::string status;  // the last outcome, shown under the export buttons
    bool status_is_error = false;
    std::optional<std::string> open_pack;  // set by "Open": the app replaces the session
    UnitRef shown_unit;                    // to scroll the picker when the unit changes

    void report(const std::string& text, bool error) {
        status = text;
        status_is_error = error;
    }
};

struct PanelContext {
    LiveSession& session;
    ImageView& view;
    ThumbnailCache& thumbnails;
    PanelState& state;
    std::vector<Command>& commands;
};

// Left: pack folder, network, layer, filter box and unit list.
void draw_picker_panel(const Rect& area, PanelContext& context);
// Right: run controls, parameters, the activation plot, view options, export.
void draw_control_panel(const Rect& area, PanelContext& context);
// Middle: a transparent window over the GL image taking the wheel and drags, with a caption.
// `framebuffer_scale`: framebuffer pixels per display unit (high-DPI screens).
void draw_viewport_panel(const Rect& area, float framebuffer_scale, PanelContext& context);
// Under the image: the units finished in this session; a click picks one again.
void draw_thumbnail_strip(const Rect& area, PanelContext& context);

}  // namespace dgnam::live
