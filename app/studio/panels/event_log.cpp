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
    ImGui::TextDisabled("%zu events \u00B7 s since the first \u00B7 pid\u00B7tid kind conn green a0 a1",
                        view.rec.size());
    ImGui::BeginChild("##events", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const auto events = view.rec.events();
    const std::uint64_t t0 = view.rec.first_time();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(events.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const trace::Event& e = events[static_cast<std::size_t>(i)];
            std::string_view kind = trace::to_string(e.kind);
            // Fixed columns: time, pid (·tid when not the main thread), kind, conn, greenlet, a0, a1.
            char thread[24] = "";
            if (e.tid != 0 && e.tid != e.pid) std::snprintf(thread, sizeof thread, "\u00B7%d", e.tid);
            char green[16] = "";
            if (e.green) std::snprintf(green, sizeof green, "g#%u", e.green);
            char line[240];
            std::snprintf(line, sizeof line, "%9.4f %6d%-7s %-18.*s %-12s %-6s %" PRId64 " %" PRId64,
                          static_cast<double>(e.t_ns - t0) / 1e9, e.pid, thread, static_cast<int>(kind.size()),
                          kind.data(), e.conn ? trace::format_id(e.conn).c_str() : "", green, e.a0, e.a1);
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
