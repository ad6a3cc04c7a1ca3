// app/studio/panels/legend.cpp — see legend.h. Draws from the same tables
// the panels colour with (draw/palette.h), so it lists exactly what is used.
#include "app/studio/panels/legend.h"

#include <imgui.h>

#include "app/studio/draw/palette.h"
#include "app/studio/draw/shapes.h"

namespace minicorn::studio {

namespace {

void entries(std::span<const LegendEntry> list) {
    const float r = 5.0f;
    for (const LegendEntry& e : list) {
        ImVec2 at = ImGui::GetCursorScreenPos();
        float h = ImGui::GetTextLineHeight();
        ImGui::Dummy({4 * r + 4, h});
        draw_shape(ImGui::GetWindowDrawList(), e.shape, {at.x + 2 * r + 2, at.y + h * 0.5f}, r, e.color);
        ImGui::SameLine();
        ImGui::TextUnformatted(e.label);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.meaning);
        ImGui::SameLine(0, 10);
        ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
        ImGui::TextWrapped("%s", e.meaning);
        ImGui::PopStyleColor();
    }
}

}  // namespace

void draw_legend(const View&) {
    ImGui::TextUnformatted("Topology: a dot is a connection; its colour is where its request is now.");
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("The URL path (/, /io, /cpu, /db, /block) is not in the trace - the server sees bytes and "
                       "stages - so colours show the stage, not the endpoint. Hover anything for its details.");
    ImGui::PopStyleColor();
    entries(topology_legend());
    ImGui::Separator();
    ImGui::TextUnformatted("Clients (when minicorn load runs): what each connection's client is doing.");
    entries(client_legend());
    ImGui::TextUnformatted("With \"dots by: path\", a dot's colour is the path of the traffic mix it asked for:");
    {
        // The paths themselves are in the Traffic panel's mix; the trace carries only their order.
        const float r = 5.0f;
        for (std::size_t i = 0; i < kMixColors; ++i) {
            ImVec2 at = ImGui::GetCursorScreenPos();
            float h = ImGui::GetTextLineHeight();
            ImGui::Dummy({2 * r + 4, h});
            draw_shape(ImGui::GetWindowDrawList(), Shape::Token, {at.x + r + 2, at.y + h * 0.5f}, r, mix_color(static_cast<std::int64_t>(i)));
            ImGui::SameLine();
            ImGui::Text("#%zu", i + 1);
            if (i + 1 < kMixColors) ImGui::SameLine(0, 12);
        }
    }
    ImGui::Separator();
    ImGui::TextUnformatted("Timeline: one lane per process, OS thread and greenlet.");
    entries(timeline_legend());
    ImGui::TextUnformatted("The strip along the top of an event loop's lane (tornado, asyncio): its phase.");
    entries(loop_phase_legend());
}

}  // namespace minicorn::studio
