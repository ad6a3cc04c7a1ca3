// app/studio/panels/event_log.cpp — see event_log.h.
#include "app/studio/panels/event_log.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "app/studio/draw/request_label.h"
#include "app/studio/panels/widgets.h"
#include "engine/trace/kinds.h"
#include "engine/trace/world.h"

namespace minicorn::studio {

namespace {

bool contains_nocase(std::string_view hay, std::string_view needle) {
    auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
    auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                          [&](char a, char b) { return lower(a) == lower(b); });
    return it != hay.end();
}

// Samples and bookkeeping: many a second, and none of them is a step of a
// request. Hidden unless asked for (a filter naming one shows it too).
bool bookkeeping(trace::EventKind kind) {
    using K = trace::EventKind;
    switch (kind) {
        case K::AcceptQueueSample:
        case K::Heartbeat:
        case K::Counter:
        case K::RingDrops:
        case K::GateStep:
        case K::RequestTagged: return true;
        default: return false;
    }
}

// The simulated GIL taken and given back by a worker's only thread: it never
// waits, so its GilAcquire/GilRelease pairs (one per request step) say nothing.
bool lone_gil(const trace::World& w, const trace::Event& e) {
    using K = trace::EventKind;
    if (e.kind != K::GilAcquire && e.kind != K::GilRelease) return false;
    const trace::Process* p = w.process(e.pid);
    return p && p->threads.size() <= 1;
}

// Whether the list shows a subset (then state.matches holds it).
bool filtered(const EventLogState& state) { return !state.filter.empty() || !state.show_bookkeeping; }

// Brings state.matches up to date with the Recording and the filter.
void update_matches(const View& view, EventLogState& state) {
    const auto events = view.rec.events();
    if (state.filter != state.matched_filter || state.show_bookkeeping != state.matched_bookkeeping ||
        state.scanned > events.size()) {
        state.matches.clear();
        state.scanned = 0;
        state.matched_filter = state.filter;
        state.matched_bookkeeping = state.show_bookkeeping;
    }
    if (!filtered(state)) return;
    const int pid = std::atoi(state.filter.c_str());
    for (; state.scanned < events.size(); ++state.scanned) {
        const trace::Event& e = events[state.scanned];
        bool keep = state.filter.empty() || (pid > 0 ? e.pid == pid || e.tid == pid
                                                     : contains_nocase(trace::to_string(e.kind), state.filter));
        if (keep && !state.show_bookkeeping && state.filter.empty() &&
            (bookkeeping(e.kind) || lone_gil(view.world, e))) {
            keep = false;
        }
        if (keep) state.matches.push_back(static_cast<std::uint32_t>(state.scanned));
    }
}

// One event in two lines: when, who and what; then its connection, greenlet
// and arguments, dimmed and indented. Two fixed lines fit a narrow panel
// without cutting (and keep every row the same height for the clipper).
void event_row(const trace::Event& e, std::uint64_t t0) {
    std::string_view kind = trace::to_string(e.kind);
    char who[32];
    if (e.tid != 0 && e.tid != e.pid) {
        std::snprintf(who, sizeof who, "%d\u00B7%d", e.pid, e.tid);
    } else {
        std::snprintf(who, sizeof who, "%d", e.pid);
    }
    labelf(0, "{:9.4f}  {:<13} {}", static_cast<double>(e.t_ns - t0) / 1e9, who, kind);
    char rest[160];
    int n = std::snprintf(rest, sizeof rest, "%14s", "");
    if (e.req) {
        // The request's one name (draw/request_label.h); the client's events carry the client's id.
        bool client = trace::info(e.kind).family == trace::Family::Client;
        std::string name = client ? request_label(e.req, 0, LabelForm::Short) : request_label(0, e.req, LabelForm::Short);
        n += std::snprintf(rest + n, sizeof rest - static_cast<std::size_t>(n), "%s  ", name.c_str());
    }
    if (e.conn) n += std::snprintf(rest + n, sizeof rest - static_cast<std::size_t>(n), "conn %s  ", trace::format_id(e.conn).c_str());
    if (e.green) n += std::snprintf(rest + n, sizeof rest - static_cast<std::size_t>(n), "g#%u  ", e.green);
    std::snprintf(rest + n, sizeof rest - static_cast<std::size_t>(n), "a0 %" PRId64 "  a1 %" PRId64, e.a0, e.a1);
    label(rest, dim_color());
}

void draw_events(const View& view, EventLogState& state) {
    ImGui::Checkbox("follow", &state.follow);
    note_item("follow");
    ImGui::SameLine();
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%s", state.filter.c_str());
    ImGui::SetNextItemWidth(140);
    if (ImGui::InputTextWithHint("##filter", "kind or pid", buf.data(), buf.size())) state.filter = buf.data();
    ImGui::SameLine();
    ImGui::Checkbox("samples", &state.show_bookkeeping);
    note_item("samples");
    explain("Also list the samples and bookkeeping events: AcceptQueueSample (20 a second), Heartbeat, Counter, "
            "GateStep, … and the GIL taken and given back by a single-threaded worker (it never waits for it). "
            "None of them is a step of a request, so they are hidden unless you ask.");
    update_matches(view, state);
    const bool subset = filtered(state);
    labelf(dim_color(), "{} of {} events  \u00B7  seconds since the first, pid\u00B7tid, kind",
           subset ? state.matches.size() : view.rec.size(), view.rec.size());
    ImGui::BeginChild("##events", ImVec2(0, 0), false);
    const auto events = view.rec.events();
    const std::uint64_t t0 = view.rec.first_time();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(subset ? state.matches.size() : events.size()),
                  2 * ImGui::GetTextLineHeightWithSpacing());
    while (clipper.Step()) {
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            auto i = static_cast<std::size_t>(row);
            event_row(events[subset ? state.matches[i] : i], t0);
        }
    }
    if (state.follow) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

}  // namespace

void draw_server_log(EventLogState& state) {
    // Wrapped, not scrolled sideways: "[CRITICAL] WORKER TIMEOUT (pid:…)" is the lesson.
    ImGui::BeginChild("##output", ImVec2(0, 0), false);
    for (const LogLine& l : state.output) {
        labelf_wrapped(l.from_client ? IM_COL32(153, 191, 255, 255) : 0, "{}  {}", l.from_client ? "load " : "serve",
                       l.text);
    }
    if (state.follow) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
}

void draw_event_log(const View& view, EventLogState& state) {
    if (ImGui::BeginTabBar("##log")) {
        if (ImGui::BeginTabItem("trace events")) {
            draw_events(view, state);
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem("server log")) {
            draw_server_log(state);
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
}

}  // namespace minicorn::studio
