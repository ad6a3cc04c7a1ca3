// app/studio/panels/widgets.h — small drawing helpers shared by the
// Controls, Traffic, Stats and Event log panels (ImGui 1.86 has no
// SeparatorText yet).
//
// The main thread, inside an ImGui frame.
#pragma once

#include <imgui.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

// Notes the last item (a text, a button, a label) for the layout checker
// (draw/text_layout.h): its rectangle, and whether the window cut it.
inline void note_item(std::string_view text) {
    if (!text_layout()) return;
    note_text(ImGui::GetWindowDrawList(), ImGui::GetItemRectMin(), ImGui::GetItemRectSize(), text, false,
              ClipAxes::Horizontal);
}

// A line of text, noted. `color` 0: the normal text colour.
inline void label(std::string_view text, ImU32 color = 0) {
    if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    if (color) ImGui::PopStyleColor();
    note_item(text);
}
inline ImU32 dim_color() { return ImGui::GetColorU32(ImGuiCol_TextDisabled); }
// Text that wraps at the window's right edge, noted.
inline void label_wrapped(std::string_view text, ImU32 color = 0) {
    if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.data(), text.data() + text.size());
    ImGui::PopTextWrapPos();
    if (color) ImGui::PopStyleColor();
    note_item(text);
}
template <typename... Args>
void labelf(ImU32 color, fmt::format_string<Args...> f, Args&&... args) {
    char buf[512];
    auto r = fmt::format_to_n(buf, sizeof buf, f, std::forward<Args>(args)...);
    label({buf, std::min(r.size, sizeof buf)}, color);
}
template <typename... Args>
void labelf_wrapped(ImU32 color, fmt::format_string<Args...> f, Args&&... args) {
    char buf[512];
    auto r = fmt::format_to_n(buf, sizeof buf, f, std::forward<Args>(args)...);
    label_wrapped({buf, std::min(r.size, sizeof buf)}, color);
}

// A titled divider between groups of a panel.
inline void section(const char* title) {
    ImGui::Spacing();
    label(title, IM_COL32(140, 178, 255, 255));
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
