// app/studio/panels/legend.cpp — see legend.h. Draws from the same tables
// the panels colour with (draw/palette.h), so it lists exactly what is used.
#include "app/studio/panels/legend.h"

#include <imgui.h>

#include <algorithm>

#include "app/studio/draw/highlight.h"
#include "app/studio/draw/palette.h"
#include "app/studio/draw/shapes.h"
#include "app/studio/panels/widgets.h"

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
        label(e.label);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", e.meaning);
        ImGui::SameLine(0, 10);
        label_wrapped(e.meaning, dim_color());
    }
}

}  // namespace

void draw_legend(const View& view) {
    label_wrapped("Topology: a dot is a connection; its colour is where its request is now.");
    label_wrapped("The server's trace has no URL paths (it sees bytes and stages), so by default colours show the "
                  "stage. The client knows which path it asked for: \"dots by: path\" in the Clients box colours "
                  "each dot by its path instead (below). Hover anything for its details.",
                  dim_color());
    entries(topology_legend());
    ImGui::Separator();
    label_wrapped("Clients (when minicorn load runs): what each connection's client is doing.");
    entries(client_legend());
    label_wrapped("With \"dots by: path\", a dot's colour is the path of the traffic mix it asked for:");
    {
        // The trace carries only the path's place in the mix; the studio knows the mix.
        const float r = 5.0f;
        std::size_t n = view.mix_paths.empty() ? kMixColors : std::min(kMixColors, view.mix_paths.size());
        for (std::size_t i = 0; i < n; ++i) {
            ImVec2 at = ImGui::GetCursorScreenPos();
            float h = ImGui::GetTextLineHeight();
            ImGui::Dummy({2 * r + 4, h});
            draw_shape(ImGui::GetWindowDrawList(), Shape::Token, {at.x + r + 2, at.y + h * 0.5f}, r, mix_color(static_cast<std::int64_t>(i)));
            ImGui::SameLine();
            label(view.mix_path(static_cast<std::int64_t>(i)));
            if (view.mix_paths.empty() && i + 1 < n) ImGui::SameLine(0, 12);
        }
    }
    ImGui::Separator();
    label_wrapped("Timeline: one lane per process, OS thread and greenlet.");
    entries(timeline_legend());
    label_wrapped("The strip along the top of an event loop's lane (tornado, asyncio): its phase.");
    entries(loop_phase_legend());
    ImGui::Separator();
    {
        // A lesson's pointer: the same ring the studio draws (draw/highlight.h).
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeight();
        ImGui::Dummy({h * 1.6f, h});
        ImGui::GetWindowDrawList()->AddRect({at.x + 2, at.y + 1}, {at.x + h * 1.6f - 2, at.y + h - 1}, kHighlightColor, 4.0f,
                                            0, 2.5f);
        ImGui::SameLine();
        labelf_wrapped(0, "Lessons: a pulsing {} ring is what the lesson's step points at.", kHighlightColorName);
    }
}

}  // namespace minicorn::studio
