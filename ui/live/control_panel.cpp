#include <imgui.h>
#include <imgui_stdlib.h>

#include <cfloat>
#include <cstdint>
#include <exception>

#include "panels.h"

namespace dgnam::live {
namespace {

constexpr float kLabelWidth = 130.0f;  // room for the longest parameter name right of a slider
constexpr float kPlotHeight = 70.0f;

// The same ranges as the studio's parameter panel.
bool slider_double(const char* label, double* value, double low, double high, const char* format,
                   bool logarithmic) {
    return ImGui::SliderScalar(label, ImGuiDataType_Double, value, &low, &high, format,
                               logarithmic ? ImGuiSliderFlags_Logarithmic : 0);
}

void tooltip(const char* text) {
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s", text);
}

void draw_run_controls(PanelContext& context) {
    LiveSession& session = context.session;
    if (ImGui::Button(session.paused() ? "Resume (Space)" : "Pause (Space)"))
        context.commands.push_back(Command::TogglePause);
    ImGui::SameLine();
    if (ImGui::Button("Next seed (R)"))
        context.commands.push_back(Command::RestartNextSeed);
    ImGui::SameLine();
    if (ImGui::ArrowButton("##previous", ImGuiDir_Left))
        context.commands.push_back(Command::PreviousUnit);
    tooltip("Previous unit (Left)");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next", ImGuiDir_Right))
        context.commands.push_back(Command::NextUnit);
    tooltip("Next unit (Right)");

    const char* state = session.paused() ? "paused" : session.run_active() ? "running" : "finished";
    ImGui::Text("%s on %s%s", state, session.device().str().c_str(),
                session.execution_mode().bfloat16 ? ", bfloat16" : "");
}

void draw_parameters(PanelContext& context) {
    LiveSession& session = context.session;
    RunSettings edited = session.settings();
    OptimizerParams& p = edited.params;
    ImGui::PushItemWidth(-kLabelWidth);

    int method = edited.method == Method::Dgn ? 0 : 1;
    ImGui::BeginDisabled(!session.pack().generator);
    ImGui::RadioButton("DGN-AM", &method, 0);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::RadioButton("pixel", &method, 1);
    ImGui::SameLine();
    ImGui::TextUnformatted("Method");
    edited.method = method == 0 ? Method::Dgn : Method::Pixel;

    slider_double("Step size, start", &p.lr_start, 1e-3, 100.0, "%.4g", true);
    slider_double("Step size, end", &p.lr_end, 1e-12, 10.0, "%.3g", true);
    slider_double("L2 decay", &p.l2, 0.9, 1.0, "%.4f", false);
    tooltip("The code (or image) is multiplied by this after every step; 1 turns it off.");
    ImGui::SliderInt("Iterations", &p.iterations, 1, 2000);
    slider_double("Clip scale", &p.clip_scale, 0.1, 5.0, "%.2f", false);
    tooltip("DGN-AM: multiplies the generator code's per-unit bounds.");
    ImGui::SliderInt("Jitter (px)", &p.jitter, 0, 8);
    tooltip("Pixel method: random shift of up to this many pixels per step.");
    const std::uint64_t one = 1;
    ImGui::InputScalar("Seed", ImGuiDataType_U64, &p.seed, &one);

    int spatial = edited.spatial == SpatialMode::Mean ? 1 : 0;
    ImGui::RadioButton("centre", &spatial, 0);
    ImGui::SameLine();
    ImGui::RadioButton("mean", &spatial, 1);
    ImGui::SameLine();
    ImGui::TextUnformatted("Conv objective");
    tooltip("Convolutional layers: the channel at the centre position, or its spatial mean.");
    edited.spatial = spatial == 1 ? SpatialMode::Mean : SpatialMode::Centre;
    ImGui::PopItemWidth();

    if (edited == session.settings())
        return;
    try {
        session.set_settings(edited);
    } catch (const std::exception& e) {
        context.state.report(e.what(), true);
    }
}

void draw_plot(PanelContext& context) {
    const LiveSession& session = context.session;
    const ActivationHistory& history = session.history();
    const std::optional<Frame>& frame = session.newest_frame();
    if (history.empty() || !frame) {
        ImGui::TextDisabled("The activation per step appears here.");
        return;
    }
    const auto& activation = history.activation();
    // Dear ImGui 1.86's plots take no negative ("fill the row") width: give it in full.
    const ImVec2 plot_size(ImGui::GetContentRegionAvail().x, kPlotHeight);
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "activation %.3f", activation.back());
    ImGui::PlotLines("##activation", activation.data(), static_cast<int>(activation.size()), 0,
                     overlay, FLT_MAX, FLT_MAX, plot_size);
    const auto& probability = history.probability();
    if (!probability.empty()) {
        std::snprintf(overlay, sizeof overlay, "probability %.3f", probability.back());
        ImGui::PlotLines("##probability", probability.data(), static_cast<int>(probability.size()),
                         0, overlay, 0.0f, 1.0f, plot_size);
    }
    ImGui::Text("step %d of %d", frame->step.iteration + 1, frame->step.iterations);
    if (!frame->step.rows.empty() && frame->step.rows.front().skipped)
        ImGui::TextColored(ImVec4(1.0f, 0.6f, 0.2f, 1.0f), "step skipped: %s",
                           frame->step.rows.front().skip_reason.c_str());
}

void draw_view_options(PanelContext& context) {
    ImageView& view = context.view;
    bool stretch = view.stretch();
    if (ImGui::Checkbox("Contrast stretch", &stretch))
        view.set_stretch(stretch);
    tooltip("Stretch the 2nd..98th percentile of the picture's values to black..white.");
    ImGui::SameLine();
    ImGui::Checkbox("Pixel grid", &view.pixel_grid);
    ImGui::Checkbox("Smooth", &view.linear_filtering);
    ImGui::SameLine();
    if (ImGui::Button("Fit (F)"))
        context.commands.push_back(Command::FitImage);
}

void draw_export(PanelContext& context) {
    PanelState& state = context.state;
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputTextWithHint("##export", "folder to export into", &state.export_folder);
    if (ImGui::Button("Save image (Ctrl+S)"))
        context.commands.push_back(Command::SaveImage);
    ImGui::SameLine();
    if (ImGui::Button("Export gallery (Ctrl+E)"))
        context.commands.push_back(Command::ExportGallery);
    ImGui::Checkbox("Replace an existing gallery", &state.overwrite_gallery);
    if (!state.status.empty()) {
        const ImVec4 colour = state.status_is_error ? ImVec4(1.0f, 0.45f, 0.4f, 1.0f)
                                                    : ImVec4(0.6f, 0.9f, 0.6f, 1.0f);
        ImGui::PushStyleColor(ImGuiCol_Text, colour);
        ImGui::TextWrapped("%s", state.status.c_str());
        ImGui::PopStyleColor();
    }
}

}  // namespace

void draw_control_panel(const Rect& area, PanelContext& context) {
    ImGui::SetNextWindowPos(ImVec2(area.x, area.y));
    ImGui::SetNextWindowSize(ImVec2(area.w, area.h));
    if (ImGui::Begin("Run", nullptr, kPanelFlags)) {
        draw_run_controls(context);
        ImGui::Separator();
        if (ImGui::CollapsingHeader("Parameters", ImGuiTreeNodeFlags_DefaultOpen))
            draw_parameters(context);
        if (ImGui::CollapsingHeader("Activation", ImGuiTreeNodeFlags_DefaultOpen))
            draw_plot(context);
        if (ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen))
            draw_view_options(context);
        if (ImGui::CollapsingHeader("Export", ImGuiTreeNodeFlags_DefaultOpen))
            draw_export(context);
    }
    ImGui::End();
}

}  // namespace dgnam::live
