#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "panels.h"

namespace dgnam::live {
namespace {

constexpr double kZoomPerWheelNotch = 1.2;  // as the studio's viewport
constexpr float kThumbnail = 64.0f;         // thumbnail edge in display units

// The caption over the image: which unit, which step, how strongly it fires.
std::string caption(const LiveSession& session) {
    const UnitRef& unit = session.current();
    std::string text =
        unit.classifier + " / " + unit.layer + " / unit " + std::to_string(unit.unit);
    const std::string label =
        session.pack().classifier(unit.classifier).label_of(unit.layer, unit.unit);
    if (!label.empty())
        text += " (" + label + ")";
    const std::optional<Frame>& frame = session.newest_frame();
    if (frame && !frame->step.rows.empty()) {
        char numbers[128];
        const RowStep& row = frame->step.rows.front();
        std::snprintf(numbers, sizeof numbers, "   step %d/%d   activation %.3f",
                      frame->step.iteration + 1, frame->step.iterations, row.activation);
        text += numbers;
        if (row.probability) {
            std::snprintf(numbers, sizeof numbers, "   p %.3f", *row.probability);
            text += numbers;
        }
    } else {
        text += "   starting...";
    }
    if (session.paused())
        text += "   [paused]";
    return text;
}

}  // namespace

void draw_viewport_panel(const Rect& area, float framebuffer_scale, PanelContext& context) {
    ImGui::SetNextWindowPos(ImVec2(area.x, area.y));
    ImGui::SetNextWindowSize(ImVec2(area.w, area.h));
    // Transparent and behind the panels: the GL image drawn before ImGui's frame shows through.
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoBackground |
                                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus |
                                   ImGuiWindowFlags_NoScrollWithMouse;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0.0f, 0.0f));
    if (ImGui::Begin("##viewport", nullptr, flags)) {
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        const ImVec2 size(std::max(area.w, 1.0f), std::max(area.h, 1.0f));
        ImGui::InvisibleButton("##image", size);
        const ImGuiIO& io = ImGui::GetIO();
        ImageView& view = context.view;
        // The view works in framebuffer pixels relative to its corner.
        const double cursor_x = (io.MousePos.x - origin.x) * framebuffer_scale;
        const double cursor_y = (io.MousePos.y - origin.y) * framebuffer_scale;
        if (ImGui::IsItemHovered() && io.MouseWheel != 0.0f)
            view.zoom_at(std::pow(kZoomPerWheelNotch, io.MouseWheel), cursor_x, cursor_y);
        if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0.0f))
            view.pan_by(io.MouseDelta.x * framebuffer_scale, io.MouseDelta.y * framebuffer_scale);
        if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
            context.commands.push_back(Command::FitImage);

        const std::string text = caption(context.session);
        const ImVec2 text_size = ImGui::CalcTextSize(text.c_str());
        const ImVec2 corner(origin.x + 8.0f, origin.y + 8.0f);
        ImDrawList* draw = ImGui::GetWindowDrawList();
        draw->AddRectFilled(ImVec2(corner.x - 4.0f, corner.y - 3.0f),
                            ImVec2(corner.x + text_size.x + 4.0f, corner.y + text_size.y + 3.0f),
                            IM_COL32(0, 0, 0, 170), 3.0f);
        draw->AddText(corner, IM_COL32(255, 255, 255, 255), text.c_str());
    }
    ImGui::End();
    ImGui::PopStyleVar();
}

void draw_thumbnail_strip(const Rect& area, PanelContext& context) {
    ImGui::SetNextWindowPos(ImVec2(area.x, area.y));
    ImGui::SetNextWindowSize(ImVec2(area.w, area.h));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_HorizontalScrollbar |
                                   ImGuiWindowFlags_NoTitleBar;
    if (ImGui::Begin("Finished", nullptr, flags)) {
        LiveSession& session = context.session;
        const std::vector<const UnitResult*> finished = session.finished();
        if (finished.empty())
            ImGui::TextDisabled(
                "Finished units of this session appear here; click one to run it "
                "again.");
        std::optional<UnitRef> picked;
        int index = 0;
        for (const UnitResult* result : finished) {
            const UnitRef unit{result->classifier, result->layer, result->unit};
            const GlTexture& texture = context.thumbnails.texture_for(*result);
            ImGui::PushID(index++);
            ImGui::BeginGroup();
            const bool current = unit == session.current();
            const ImVec4 frame = current ? ImVec4(0.95f, 0.75f, 0.2f, 1.0f) : ImVec4(0, 0, 0, 0);
            const auto id = reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture.id()));
            if (ImGui::ImageButton(id, ImVec2(kThumbnail, kThumbnail), ImVec2(0, 0), ImVec2(1, 1),
                                   2, frame))
                picked = unit;
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s / %s / unit %lld%s%s\nactivation %.3f, seed %llu",
                                  result->classifier.c_str(), result->layer.c_str(),
                                  static_cast<long long>(result->unit), result->label ? "  " : "",
                                  result->label ? result->label->c_str() : "", result->activation,
                                  static_cast<unsigned long long>(result->seed));
            ImGui::Text("%s %lld", result->layer.c_str(), static_cast<long long>(result->unit));
            ImGui::EndGroup();
            ImGui::PopID();
            ImGui::SameLine();
        }
        if (picked) {
            try {
                session.select_unit(*picked);
            } catch (const std::exception& e) {
                context.state.report(e.what(), true);
            }
        }
    }
    ImGui::End();
}

}  // namespace dgnam::live
