// app/studio/panels/event_log.cpp — see event_log.h.
#include "app/studio/panels/event_log.h"

#include <imgui.h>

#include <cinttypes>
#include <cstdio>

#include "engine/trace/world.h"

namespace minicorn::studio {

namespace {

void draw_events(const View& view, EventLogState& state) {
    ImGui::Checkbox("follow", &state.follow);
    ImGui::SameLine();
    ImGui::TextDisabled("%zu events; time is seconds since the first", view.rec.size());
    ImGui::BeginChild("##events", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const auto events = view.rec.events();
    const std::uint64_t t0 = view.rec.first_time();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(events.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const trace::Event& e = events[static_cast<std::size_t>(i)];
            std::string_view kind = trace::to_string(e.kind);
            char line[200];
            int n = std::snprintf(line, sizeof line, "%10.6f  pid %-6d tid %-6d %-18.*s", static_cast<double>(e.t_ns - t0) / 1e9,
                                  e.pid, e.tid, static_cast<int>(kind.size()), kind.data());
            if (e.conn && n > 0 && static_cast<std::size_t>(n) < sizeof line) {
                n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), " conn %s",
                                   trace::format_id(e.conn).c_str());
            }
            if (e.green && n > 0 && static_cast<std::size_t>(n) < sizeof line) {
                n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), " g#%u", e.green);
            }
            if (n > 0 && static_cast<std::size_t>(n) < sizeof line) {
                std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), "  a0=%" PRId64 " a1=%" PRId64,
                              e.a0, e.a1);
            }
            ImGui::TextUnformatted(line);
        }
    }
    if (state.follow) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

void draw_output(EventLogState& state) {
    ImGui::BeginChild("##output", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    for (const LogLine& l : state.output) {
        if (l.from_client) {
            ImGui::TextColored(ImVec4(0.6f, 0.75f, 1.0f, 1.0f), "load  %s", l.text.c_str());
        } else {
            ImGui::Text("serve %s", l.text.c_str());
        }
    }
    if (state.follow) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

}  // namespace

void draw_event_log(const View& view, EventLogState& state) {
    if (ImGui::BeginTabBar("##log")) {
        if (ImGui::BeginTabItem("trace events")) {
            draw_events(view, state);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("server log")) {
            draw_output(state);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
}

}  // namespace minicorn::studio
