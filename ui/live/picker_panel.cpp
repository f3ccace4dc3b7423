#include <imgui.h>
#include <imgui_stdlib.h>

#include <cfloat>
#include <exception>

#include "dgnam/shape_text.h"
#include "panels.h"
#include "unit_filter.h"

namespace dgnam::live {
namespace {

std::string layer_caption(const LayerInfo& layer) {
    return layer.name + "  (" + layer.type + ", " + joined_sizes(layer.shape) + ")";
}

void pick(PanelContext& context, const UnitRef& unit) {
    try {
        context.session.select_unit(unit);
    } catch (const std::exception& e) {
        context.state.report(e.what(), true);
    }
}

void draw_pack_row(PanelContext& context) {
    PanelState& state = context.state;
    ImGui::TextUnformatted("Model pack");
    ImGui::SetNextItemWidth(-60.0f);
    const bool entered =
        ImGui::InputText("##pack", &state.pack_folder, ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if (ImGui::Button("Open") || entered)
        state.open_pack = state.pack_folder;
    ImGui::Checkbox("Allow TorchScript code", &state.allow_torchscript);
    const ModelPack& pack = context.session.pack();
    ImGui::TextDisabled("%s%s", pack.name.c_str(), pack.generator ? "" : " (no generator)");
}

void draw_network_and_layer(PanelContext& context) {
    LiveSession& session = context.session;
    const UnitRef current = session.current();
    const ModelPack& pack = session.pack();

    ImGui::TextUnformatted("Network");
    ImGui::SetNextItemWidth(-FLT_MIN);
    const Classifier& shown = pack.classifier(current.classifier);
    const std::string shown_caption = shown.id() + "  " + shown.name();
    if (ImGui::BeginCombo("##network", shown_caption.c_str())) {
        for (const auto& classifier : pack.classifiers) {
            const std::string caption = classifier->id() + "  " + classifier->name();
            if (ImGui::Selectable(caption.c_str(), classifier->id() == shown.id()) &&
                classifier->id() != shown.id())
                pick(context, UnitRef{classifier->id(), "", 0});
        }
        ImGui::EndCombo();
    }

    ImGui::TextUnformatted("Layer");
    ImGui::SetNextItemWidth(-FLT_MIN);
    const std::string layer_shown = layer_caption(shown.layer(current.layer));
    if (ImGui::BeginCombo("##layer", layer_shown.c_str(), ImGuiComboFlags_HeightLarge)) {
        for (const LayerInfo& layer : shown.layers()) {
            if (layer.units() <= 0)
                continue;
            const bool selected = layer.name == current.layer;
            if (ImGui::Selectable(layer_caption(layer).c_str(), selected) && !selected)
                pick(context, UnitRef{current.classifier, layer.name, 0});
        }
        ImGui::EndCombo();
    }
}

void draw_unit_list(PanelContext& context) {
    LiveSession& session = context.session;
    PanelState& state = context.state;
    const UnitRef current = session.current();
    const Classifier& classifier = session.pack().classifier(current.classifier);

    ImGui::TextUnformatted("Unit");
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputTextWithHint("##filter", "Filter: unit number or class", &state.unit_filter);

    const std::vector<UnitEntry> shown =
        filter_units(layer_units(classifier, current.layer), state.unit_filter);
    // The keyboard (Left/Right) or a thumbnail may have changed the unit: bring it into view.
    const bool scroll = state.shown_unit != current;
    state.shown_unit = current;
    if (ImGui::BeginListBox("##units", ImVec2(-FLT_MIN, -FLT_MIN))) {
        for (const UnitEntry& entry : shown) {
            const bool selected = entry.unit == current.unit;
            const bool finished =
                session.results().find(current.classifier, current.layer, entry.unit) != nullptr;
            // A mark for units with a finished image in this session.
            const std::string caption = (finished ? "* " : "  ") + unit_caption(entry);
            ImGui::PushID(static_cast<int>(entry.unit));
            if (ImGui::Selectable(caption.c_str(), selected) && !selected)
                pick(context, UnitRef{current.classifier, current.layer, entry.unit});
            if (selected && scroll)
                ImGui::SetScrollHereY();
            ImGui::PopID();
        }
        if (shown.empty())
            ImGui::TextDisabled("no unit matches \"%s\"", state.unit_filter.c_str());
        ImGui::EndListBox();
    }
}

}  // namespace

void draw_picker_panel(const Rect& area, PanelContext& context) {
    ImGui::SetNextWindowPos(ImVec2(area.x, area.y));
    ImGui::SetNextWindowSize(ImVec2(area.w, area.h));
    if (ImGui::Begin("Units", nullptr, kPanelFlags)) {
        draw_pack_row(context);
        ImGui::Separator();
        draw_network_and_layer(context);
        ImGui::Separator();
        draw_unit_list(context);
    }
    ImGui::End();
}

}  // namespace dgnam::live
