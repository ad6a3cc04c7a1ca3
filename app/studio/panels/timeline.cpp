// app/studio/panels/timeline.cpp — see timeline.h.
//
// One frame, in order:
//   1. the window [t0, t1): following live, t1 is the newest event's time
//   2–4. lanes, the walk over the window's events (Recording::lower_bound)
//      and what is still open at t1: timeline_walk.cpp
//   5. sort lanes, draw the ruler, lanes, spans, ticks and the instant shown
//   6. input: drag pans, wheel pans (leaving live), ctrl+wheel zooms,
//      shift+wheel scrolls lanes, a click shows that instant; hover explains
//
// Nothing here allocates per event: the lane table, span and tick buffers
// live in TimelineState and keep their capacity.
//
// Index
//   [SECTION] Draw
//   [SECTION] Input and hover
//   [SECTION] draw_timeline
#include "app/studio/panels/timeline.h"

#include <imgui.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/highlight.h"
#include "app/studio/draw/shapes.h"
#include "app/studio/panels/timeline_parts.h"

namespace minicorn::studio {

using namespace timeline_detail;

namespace {

// ============================================================================
// [SECTION] Draw
// ============================================================================

bool lane_less(const World& w, const Lane& a, const Lane& b) {
    // The arbiter on top, as in the Topology, then the kernel's accept queue,
    // the workers, and the clients at the bottom.
    auto rank = [&w](const Lane& l) {
        if (l.kind == Lane::Kind::Client) return 3;
        if (l.kind == Lane::Kind::Queue) return 1;
        return l.pid == w.arbiter.pid ? 0 : 2;
    };
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.kind == Lane::Kind::Client) return a.vu != b.vu ? a.vu < b.vu : a.client < b.client;
    if (a.pid != b.pid) return a.pid < b.pid;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.kind == Lane::Kind::Greenlet ? a.green < b.green : a.tid < b.tid;
}

// The rows, in order: the arbiter, then each process by pid with its threads
// and greenlets (the caps were applied when lanes were made).
void order_lanes(Frame& f) {
    TimelineState& st = f.st;
    st.order.clear();
    for (std::size_t i = 0; i < st.lanes.size(); ++i) st.order.push_back(static_cast<std::uint16_t>(i));
    std::sort(st.order.begin(), st.order.end(),
              [&](std::uint16_t a, std::uint16_t b) { return lane_less(f.edge, st.lanes[a], st.lanes[b]); });
}

// ============================================================================
// [SECTION] Input and hover
// ============================================================================

void hover(Frame& f, ImVec2 o, int rows, float mx);

void input(Frame& f, Actions& actions, ImVec2 o, ImVec2 size, int rows) {
    TimelineState& st = f.st;
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetCursorScreenPos(o);
    ImGui::InvisibleButton("##timeline_canvas", size);
    bool hovered = ImGui::IsItemHovered();
    auto leave_live = [&] {
        if (st.follow) {
            st.follow = false;
            st.end_ns = f.t1;
        }
    };
    if (ImGui::IsItemActivated()) st.drag_px = 0;
    if (ImGui::IsItemActive() && io.MouseDelta.x != 0) {
        st.drag_px += std::fabs(io.MouseDelta.x);
        if (st.drag_px > 3) {
            leave_live();
            double d = static_cast<double>(io.MouseDelta.x) * f.ns_per_px;
            st.end_ns = static_cast<std::uint64_t>(std::max(static_cast<double>(st.width_ns), static_cast<double>(st.end_ns) - d));
        }
    }
    float mx = io.MousePos.x - o.x - f.header_w;
    if (ImGui::IsItemDeactivated() && st.drag_px <= 3 && mx >= 0) {
        // A click: show the World at that instant; the window stays where it is.
        leave_live();
        auto t = static_cast<std::uint64_t>(static_cast<double>(f.t0) + static_cast<double>(mx) * f.ns_per_px);
        actions.push_back({Action::Kind::ShowInstant, 0, 0, t});
        if (st.hovered_req) actions.push_back({Action::Kind::SelectRequest, 0, 0, st.hovered_req});  // its passport
    }
    if (hovered && io.MouseWheel != 0) {
        if (io.KeyCtrl) {
            double factor = std::pow(0.8, static_cast<double>(io.MouseWheel));
            double w = std::clamp(static_cast<double>(st.width_ns) * factor, 1e4, 6e11);
            if (!st.follow) {  // keep the instant under the mouse where it is
                double tm = static_cast<double>(f.t0) + std::max(0.0f, mx) * f.ns_per_px;
                double frac = std::clamp(static_cast<double>(mx) / static_cast<double>(f.width), 0.0, 1.0);
                st.end_ns = static_cast<std::uint64_t>(std::max(w, tm + (1.0 - frac) * w));
            }
            st.width_ns = static_cast<std::uint64_t>(w);
        } else if (io.KeyShift) {
            int max_scroll = std::max(0, static_cast<int>(st.order.size()) - rows);
            st.lane_scroll = std::clamp(st.lane_scroll - io.MouseWheel * 3, 0.0f, static_cast<float>(max_scroll));
        } else {
            leave_live();
            double d = static_cast<double>(io.MouseWheel) * 0.1 * static_cast<double>(st.width_ns);
            st.end_ns = static_cast<std::uint64_t>(std::max(static_cast<double>(st.width_ns), static_cast<double>(st.end_ns) - d));
        }
    }
    if (hovered) hover(f, o, rows, mx);
}

// Hover: the burst or span under the mouse (mx: from the span area's left), else the lane.
void hover(Frame& f, ImVec2 o, int rows, float mx) {
    TimelineState& st = f.st;
    st.hovered_req = 0;
    float my = ImGui::GetIO().MousePos.y - o.y - f.ruler_h;
    if (my < 0) return;
    int row = static_cast<int>(my / f.lane_h);
    if (row >= rows) return;
    int lane = -1;
    for (std::uint16_t li : st.order) {
        if (st.lanes[li].row == row) lane = li;
    }
    if (lane < 0) return;
    const Span* best = nullptr;
    if (mx >= 0) {
        for (const Span& s : st.spans) {
            if (s.lane != lane || mx < s.x0 - 1 || mx > std::max(s.x1, s.x0 + 1) + 1) continue;
            if (!best || (is_inset(s.kind) && !is_inset(best->kind))) best = &s;  // the inner span is the more specific
        }
    }
    if (best && best->count == 1) st.hovered_req = best->req;  // a click selects it (the Passport)
    const World& w = f.edge;
    if (st.lanes[static_cast<std::size_t>(lane)].kind == Lane::Kind::Queue && mx >= 0) {
        const Sample* at = nullptr;
        for (const Sample& smp : st.samples) {
            if (smp.x <= mx) at = &smp;
        }
        if (at) {
            st.tooltip = fmt::format("the kernel's accept queue: {} connection(s) waiting for a worker's accept() "
                                     "(backlog {}), sampled with TCP_INFO at {:.3f} ms",
                                     at->len, at->backlog,
                                     static_cast<double>(at->t - std::min(at->t, f.view.rec.first_time())) / 1e6);
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
            ImGui::TextUnformatted(st.tooltip.c_str());
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
            return;
        }
    }
    const Lane& L = st.lanes[static_cast<std::size_t>(lane)];
    const Burst* burst = nullptr;
    if (mx >= 0 && L.bursts) {
        for (const Burst& b : st.bursts) {
            if (b.lane == lane && mx >= b.x0 - 1 && mx <= std::max(b.x1, b.x0 + 1) + 1) burst = &b;
        }
    }
    if (burst) {
        // A burst says what the lane does; the step it is part of follows.
        st.tooltip = explain_burst(w, L, *burst);
        if (best && !is_inset(best->kind)) st.tooltip += "\n\npart of: " + explain_span(w, L, *best, f.view.rec.first_time());
    } else {
        st.tooltip = best ? explain_span(w, L, *best, f.view.rec.first_time()) : explain_lane(w, L, st.green_conns);
    }
    if (!best && !burst && mx >= 0) st.tooltip += "\n(click to show the World at this instant)";
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
    ImGui::TextUnformatted(st.tooltip.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

// 5. Rows: the lanes in order, scrolled, their labels, the ruler, the spans,
// the instant shown. Returns how many rows fit.
int draw_rows(Frame& f, ImDrawList* dl, ImVec2 o, ImVec2 avail) {
    TimelineState& st = f.st;
    const View& view = f.view;
    const float width = f.width;
    const std::uint64_t t0 = f.t0, t1 = f.t1;
    order_lanes(f);
    int rows = static_cast<int>((avail.y - f.ruler_h) / f.lane_h);
    int max_scroll = std::max(0, static_cast<int>(st.order.size()) - rows);
    st.lane_scroll = std::clamp(st.lane_scroll, 0.0f, static_cast<float>(max_scroll));
    int scroll = static_cast<int>(st.lane_scroll);
    for (std::size_t i = 0; i < st.order.size(); ++i) st.lanes[st.order[i]].row = static_cast<int>(i) - scroll;
    st.stats.lanes = st.order.size();

    ImVec2 so{o.x + f.header_w, o.y};  // the span area's origin
    char label[64];
    pid_t prev_pid = 0;
    for (std::uint16_t li : st.order) {
        const Lane& L = st.lanes[li];
        if (L.row < 0 || L.row >= rows) continue;  // scrolled away
        float y = o.y + f.ruler_h + static_cast<float>(L.row) * f.lane_h;
        dl->AddRectFilled({o.x, y}, {o.x + avail.x, y + f.lane_h}, (L.row % 2) ? colors::kLaneBgA : colors::kLaneBgB);
        if (L.pid != prev_pid) dl->AddLine({o.x, y}, {o.x + avail.x, y}, colors::kWire);
        prev_pid = L.pid;
        draw_text_clipped(dl, {o.x + 4, y + 1}, o.x + f.header_w - 4,
                          L.kind == Lane::Kind::Process ? colors::kText : colors::kTextDim, lane_label(f.edge, L, label));
        if (L.kind == Lane::Kind::Process) {
            // A lesson may point at a worker's lane (draw/highlight.h).
            if (const trace::Process* p = f.edge.process(L.pid); p && p->worker_age > 0) {
                note_highlight(fmt::format("worker {} lane", p->worker_age), o.x, y, o.x + avail.x, y + f.lane_h);
            }
        }
    }
    if (st.stats.capped) {
        float x = so.x + f.x_of(f.walk_from);
        dl->AddRectFilled({so.x, o.y + f.ruler_h}, {x, o.y + avail.y}, IM_COL32(60, 60, 70, 90));
        draw_text(dl, {so.x + 6, o.y + f.ruler_h + 1}, colors::kTextWarn, "too many events to draw here: zoom in");
    }
    draw_ruler(dl, f, so, view.rec.first_time());
    dl->PushClipRect({so.x, o.y}, {so.x + width, o.y + avail.y}, true);
    draw_lanes_content(dl, f, so, rows, avail.y);
    // The instant the other panels show.
    if (view.now_ns >= t0 && view.now_ns <= t1) {
        float x = so.x + f.x_of(view.now_ns);
        dl->AddLine({x, o.y}, {x, o.y + avail.y}, colors::kNowLine, 1.5f);
    }
    dl->PopClipRect();
    if (st.stats.lanes_hidden) {
        char buf[64];
        auto r = fmt::format_to_n(buf, sizeof buf - 1, "+{} lanes not shown", st.stats.lanes_hidden);
        *r.out = '\0';
        draw_text(dl, {o.x + 4, o.y + 1}, colors::kTextDim, buf);
    }
    if (!st.spans.empty()) {
        std::uint64_t lo = UINT64_MAX, hi = 0;
        for (const Span& s : st.spans) {
            lo = std::min(lo, s.t0);
            hi = std::max(hi, s.t1);
        }
        st.stats.first_span_ns = lo;
        st.stats.last_span_ns = hi;
    }

    return rows;
}

}  // namespace

// ============================================================================
// [SECTION] draw_timeline
// ============================================================================

void draw_timeline(const View& view, TimelineState& st, Actions& actions) {
    st.stats = {};
    st.tooltip.clear();
    st.lanes.clear();
    st.spans.clear();
    st.bursts.clear();
    st.text_boxes.clear();
    st.ticks.clear();
    st.samples.clear();
    st.phases.clear();
    st.order.clear();
    st.slots.assign(kSlots, Slot{});
    st.green_conns.update(view.rec);

    // 1. The window.
    // Following: live, the right edge is the newest event; in replay (the
    // session shows an earlier instant), that instant sits three quarters across.
    std::uint64_t t1 = st.end_ns;
    if (st.follow) t1 = view.live ? std::max(view.rec.last_time(), view.now_ns) : view.now_ns + st.width_ns / 4;
    t1 = std::max(t1, st.width_ns);
    std::uint64_t t0 = t1 - st.width_ns;

    // Header: where we are, and the way back to live.
    if (st.follow && view.live) {
        ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.6f, 1), "%s", view.replaying ? "the end of the recording" : "live");
    } else if (ImGui::SmallButton(view.replaying ? "to the end" : "back to live")) {
        st.follow = true;
        actions.push_back({Action::Kind::FollowLive});
    }
    std::size_t i0 = view.rec.lower_bound(t0), i1 = view.rec.lower_bound(t1 + 1);
    st.stats.events_in_window = i1 - i0;
    ImGui::SameLine();
    ImGui::TextDisabled("window %s · %zu events · drag or wheel: pan · ctrl+wheel: zoom · shift+wheel: lanes · click: show instant",
                        format_duration(st.width_ns).c_str(), i1 - i0);
    if (i1 - i0 > kMaxEventsPerFrame) {
        // Too many to walk in a frame: the newest part is walked in detail, the rest is marked.
        st.stats.capped = true;
        i0 = i1 - kMaxEventsPerFrame;
    }

    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.x = std::max(avail.x, 300.0f);
    const float em = ImGui::GetFontSize() / 15.0f;  // the studio's text scale (HiDPI, Ctrl + / Ctrl -)
    const float lane_h = std::max(18.0f, std::round(ImGui::GetFontSize() * 1.2f)), ruler_h = lane_h;
    const float header_w = std::max(150.0f, std::round(150 * em));
    avail.y = std::max(avail.y, ruler_h + 2 * lane_h);
    ImGui::BeginChild("##timeline", avail, false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 o = ImGui::GetCursorScreenPos();
    float width = avail.x - header_w;

    // The World at the right edge: the View's when that is where it stands.
    const World* edge = &view.world;
    // Live and following, the View's World is the right edge's (give or take
    // events not folded yet): no world_at() per frame.
    if (view.world.now_ns != t1 && !(st.follow && view.live)) {
        if (!st.edge_world || st.edge_world_ns != t1) {
            st.edge_world = view.keys ? view.keys->world_at(t1) : view.model.world_at(t1);
            st.edge_world_ns = t1;
        }
        edge = &*st.edge_world;
    }

    Frame f{st, view, *edge, t0, t1, i0 < view.rec.size() ? std::max(t0, view.rec[i0].t_ns) : t0, 0, width};
    if (!st.stats.capped) f.walk_from = t0;
    f.header_w = header_w;
    f.ruler_h = ruler_h;
    f.lane_h = lane_h;
    f.ns_per_px = static_cast<double>(st.width_ns) / static_cast<double>(width);
    st.stats.t0_ns = t0;
    st.stats.t1_ns = t1;

    // 2–4. Lanes, the walk, what is still open.
    seed_lanes(f);
    walk(f, i0, i1);
    st.stats.events_walked = i1 - i0;
    finish_lanes(f);

    // 5. Rows.
    int rows = draw_rows(f, dl, o, avail);

    // 6. Input and hover.
    input(f, actions, o, avail, rows);
    ImGui::EndChild();
}

}  // namespace minicorn::studio
