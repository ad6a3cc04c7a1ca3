// app/studio/panels/event_log.cpp — see event_log.h.
#include "app/studio/panels/event_log.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "engine/trace/world.h"

namespace minicorn::studio {

namespace {

bool contains_nocase(std::string_view hay, std::string_view needle) {
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                          [&](char a, char b) { return lower(a) == lower(b); });
    return it != hay.end();
}

// Brings state.matches up to date with the Recording and the filter.
void update_matches(const View& view, EventLogState& state) {
    const auto events = view.rec.events();
    if (state.filter != state.matched_filter || state.scanned > events.size()) {
        state.matches.clear();
        state.scanned = 0;
        state.matched_filter = state.filter;
    }
    if (state.filter.empty()) return;
    const int pid = std::atoi(state.filter.c_str());
    for (; state.scanned < events.size(); ++state.scanned) {
        const trace::Event& e = events[state.scanned];
        bool keep = pid > 0 ? e.pid == pid || e.tid == pid : contains_nocase(trace::to_string(e.kind), state.filter);
        if (keep) state.matches.push_back(static_cast<std::uint32_t>(state.scanned));
    }
}

void draw_events(const View& view, EventLogState& state) {
    ImGui::Checkbox("follow", &state.follow);
    ImGui::SameLine();
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%s", state.filter.c_str());
    ImGui::SetNextItemWidth(140);
    if (ImGui::InputTextWithHint("##filter", "kind or pid", buf.data(), buf.size())) state.filter = buf.data();
    update_matches(view, state);
    const bool filtered = !state.filter.empty();
    ImGui::SameLine();
    ImGui::TextDisabled("%zu of %zu", filtered ? state.matches.size() : view.rec.size(), view.rec.size());
    ImGui::TextDisabled("s since the first \u00B7 pid\u00B7tid \u00B7 kind \u00B7 conn \u00B7 greenlet \u00B7 a0 a1");
    ImGui::BeginChild("##events", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    const auto events = view.rec.events();
    const std::uint64_t t0 = view.rec.first_time();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(filtered ? state.matches.size() : events.size()));
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            auto i = static_cast<std::size_t>(row);
            const trace::Event& e = events[filtered ? state.matches[i] : i];
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
