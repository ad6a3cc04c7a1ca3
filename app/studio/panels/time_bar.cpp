// app/studio/panels/time_bar.cpp — see time_bar.h.
#include "app/studio/panels/time_bar.h"

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/studio/draw/explain.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

using trace::EventKind;

namespace {

ImU32 mark_color(MarkKind k) {
    switch (k) {
        case MarkKind::Signal: return IM_COL32(255, 204, 77, 255);
        case MarkKind::Timeout: return IM_COL32(255, 120, 60, 255);
        case MarkKind::Died: return IM_COL32(255, 80, 80, 255);
        case MarkKind::Spawned: return IM_COL32(110, 200, 255, 255);
    }
    return IM_COL32_WHITE;
}

const char* mark_words(MarkKind k) {
    switch (k) {
        case MarkKind::Signal: return "signal";
        case MarkKind::Timeout: return "worker timeout";
        case MarkKind::Died: return "worker died";
        case MarkKind::Spawned: return "worker spawned";
    }
    return "";
}

Action step_action(StepBy by, StepDirection dir) {
    Action a = make_action(Action::Kind::Step);
    a.step_by = by;
    a.direction = dir;
    return a;
}

// The row of step buttons, then where we are and the way back.
void draw_step_row(const View& view, Actions& actions) {
    struct Button {
        const char* text;
        StepBy by;
        StepDirection dir;
        const char* tip;
    };
    static const Button kButtons[] = {
        {"\u25C0 moment", StepBy::Moment, StepDirection::Back, "ctrl+\u2190: back to the previous state change of any process"},
        {"\u25C0 request", StepBy::RequestEvent, StepDirection::Back, "shift+\u2190: back to this request's previous event"},
        {"\u25C0 event", StepBy::Event, StepDirection::Back, "\u2190: back one event"},
        {"event \u25B6", StepBy::Event, StepDirection::Forward, "\u2192: forward one event"},
        {"request \u25B6", StepBy::RequestEvent, StepDirection::Forward, "shift+\u2192: forward to this request's next event"},
        {"moment \u25B6", StepBy::Moment, StepDirection::Forward, "ctrl+\u2192: forward to the next state change of any process"},
    };
    const std::size_t end = view.live ? view.rec.size() : view.shown_events;
    for (const Button& b : kButtons) {
        const bool at_end = b.dir == StepDirection::Forward && end >= view.rec.size();
        const bool no_request = b.by == StepBy::RequestEvent && view.followed_conn == 0;
        ImGui::BeginDisabled(at_end || no_request || view.rec.empty());
        if (ImGui::SmallButton(b.text)) actions.push_back(step_action(b.by, b.dir));
        note_item(b.text);
        ImGui::EndDisabled();
        if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", b.tip);
        ImGui::SameLine();
    }
    if (view.live) {
        label(view.replaying ? "at the end of the recording" : "\u25CF live", IM_COL32(102, 230, 128, 255));
    } else {
        if (ImGui::SmallButton(view.replaying ? "to the end" : "back to live")) {
            actions.push_back(make_action(Action::Kind::FollowLive));
        }
        note_item(view.replaying ? "to the end" : "back to live");
        ImGui::SameLine();
        label(describe_position(view.rec, view.shown_events));
    }
}

// The track: the whole recording, its marks, the cursor; drag or click to show an instant.
void draw_track(const View& view, TimeBarState& st, Actions& actions) {
    const std::uint64_t t0 = view.rec.first_time();
    const std::uint64_t t1 = std::max({view.rec.last_time(), t0 + 1});
    const float h = std::round(ImGui::GetFontSize() * 1.3f);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float w = std::max(100.0f, ImGui::GetContentRegionAvail().x);
    ImGui::InvisibleButton("##track", ImVec2(w, h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(o, ImVec2(o.x + w, o.y + h), IM_COL32(40, 44, 52, 255), 3.0f);
    const auto x_of = [&](std::uint64_t t) {
        return o.x + static_cast<float>(static_cast<double>(t - std::min(t, t0)) / static_cast<double>(t1 - t0)) * w;
    };
    float last_x = -1;
    for (const TimeMark& m : st.marks) {  // one mark per pixel: the first one there
        const float x = std::floor(x_of(m.t_ns));
        if (x == last_x) continue;
        last_x = x;
        dl->AddLine(ImVec2(x + 0.5f, o.y + 2), ImVec2(x + 0.5f, o.y + h - 2), mark_color(m.kind), 2.0f);
    }
    const float cx = view.live ? o.x + w : x_of(view.now_ns);
    dl->AddRectFilled(ImVec2(o.x, o.y + h - 4), ImVec2(cx, o.y + h - 1), IM_COL32(110, 140, 200, 160));
    dl->AddLine(ImVec2(cx, o.y - 1), ImVec2(cx, o.y + h + 1), IM_COL32_WHITE, 2.0f);

    if (ImGui::IsItemActive() && !view.rec.empty()) {
        const float frac = std::clamp((ImGui::GetIO().MousePos.x - o.x) / w, 0.0f, 1.0f);
        const auto t = t0 + static_cast<std::uint64_t>(static_cast<double>(frac) * static_cast<double>(t1 - t0));
        if (!st.dragging || t != view.now_ns) actions.push_back(make_action(Action::Kind::ShowInstant, 0, 0, t));
        st.dragging = true;
    } else {
        st.dragging = false;
    }
    if (ImGui::IsItemHovered() && !view.rec.empty()) {
        const float mx = ImGui::GetIO().MousePos.x;
        const auto t = t0 + static_cast<std::uint64_t>(static_cast<double>(std::clamp((mx - o.x) / w, 0.0f, 1.0f)) *
                                                       static_cast<double>(t1 - t0));
        std::string tip = fmt::format("{} after the first event \u00B7 drag to look back", format_duration(t - t0));
        for (const TimeMark& m : st.marks) {
            if (std::fabs(x_of(m.t_ns) - mx) <= 3) tip += fmt::format("\n{} (pid {})", mark_words(m.kind), m.pid);
        }
        ImGui::SetTooltip("%s", tip.c_str());
    }
}

}  // namespace

std::optional<MarkKind> mark_of(EventKind kind) {
    switch (kind) {
        case EventKind::SignalReceived:
        case EventKind::SignalCaught: return MarkKind::Signal;
        case EventKind::WorkerTimeout: return MarkKind::Timeout;
        case EventKind::WorkerReaped: return MarkKind::Died;
        case EventKind::WorkerSpawn: return MarkKind::Spawned;
        default: return std::nullopt;
    }
}

void update_marks(const View& view, TimeBarState& st, std::size_t budget) {
    if (view.rec.size() < st.scanned) st = TimeBarState{};  // a new recording
    const std::size_t end = std::min(view.rec.size(), st.scanned + budget);
    for (std::size_t i = st.scanned; i < end; ++i) {
        const trace::Event& e = view.rec[i];
        if (auto k = mark_of(e.kind)) st.marks.push_back({e.t_ns, *k, e.pid});
    }
    st.scanned = end;
}

float time_bar_height() {
    const ImGuiStyle& s = ImGui::GetStyle();
    const float track_h = std::round(ImGui::GetFontSize() * 1.3f);
    return ImGui::GetFrameHeight() + 2 * s.WindowPadding.y + 2 * ImGui::GetTextLineHeightWithSpacing() + track_h +
           s.ItemSpacing.y + ImGui::GetTextLineHeight() + 2;
}

void draw_time_bar(const View& view, TimeBarState& st, Actions& actions) {
    update_marks(view, st);
    draw_step_row(view, actions);
    draw_track(view, st, actions);
    // The legend of the marks, and the keys.
    for (MarkKind k : {MarkKind::Signal, MarkKind::Timeout, MarkKind::Died, MarkKind::Spawned}) {
        label("\u25A0", mark_color(k));
        ImGui::SameLine(0, 3);
        label(mark_words(k), dim_color());
        ImGui::SameLine();
    }
    label("\u00B7 keys: \u2190 \u2192 one event, shift: the request's, ctrl: a moment", dim_color());
}

}  // namespace minicorn::studio
