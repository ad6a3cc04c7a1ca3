// app/studio/panels/widgets.h — small drawing helpers shared by the
// Controls, Traffic, Stats and Event log panels (ImGui 1.86 has no
// SeparatorText yet).
//
// The main thread, inside an ImGui frame.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string_view>

#include "app/studio/panels/view.h"

namespace minicorn::studio {

// A titled divider between groups of a panel.
inline void section(const char* title) {
    ImGui::Spacing();
    ImGui::TextColored(ImVec4(0.55f, 0.7f, 1.0f, 1.0f), "%s", title);
    ImGui::Separator();
}

// A tooltip on the last item.
inline void explain(std::string_view text) {
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 28.0f);
        ImGui::TextUnformatted(text.data(), text.data() + text.size());
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

inline Action make_action(Action::Kind kind, int signo = 0, pid_t pid = 0, std::uint64_t t_ns = 0) {
    Action a{kind, signo, pid, t_ns};
    return a;
}

}  // namespace minicorn::studio
