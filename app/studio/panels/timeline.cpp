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
#include "app/studio/draw/shapes.h"
#include "app/studio/panels/timeline_parts.h"

namespace minicorn::studio {

using namespace timeline_detail;

namespace {

// ============================================================================
// [SECTION] Draw
// ============================================================================

// On a client's lane the same colours mean the client's side of each step.
const char* lane_span_label(const Lane& L, SpanKind k) {
    if (L.kind != Lane::Kind::Client) return span_label(k);
    switch (k) {
        case SpanKind::Accept: return "connect";
        case SpanKind::Read: return "send";
        case SpanKind::Handle: return "wait for response";
        case SpanKind::Write: return "receive";
        default: return span_label(k);
    }
}

bool lane_less(const World& w, const Lane& a, const Lane& b) {
    // The arbiter on top, as in the Topology, then the kernel's accept queue,
    // the workers, and the clients at the bottom.
    auto rank = [&w](const Lane& l) {
        if (l.kind == Lane::Kind::Client) return 3;
        if (l.kind == Lane::Kind::Queue) return 1;
        return l.pid == w.arbiter.pid ? 0 : 2;
    };
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.kind == Lane::Kind::Client) return a.client < b.client;
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

// "worker 1 · hub", "  thread 4123", "  g#12" into buf.
const char* lane_label(const World& w, const Lane& L, char (&buf)[64]) {
    const trace::Process* p = w.process(L.pid);
    fmt::format_to_n_result<char*> r{};
    switch (L.kind) {
        case Lane::Kind::Queue:
            r = fmt::format_to_n(buf, sizeof buf - 1, "kernel accept queue");
            break;
        case Lane::Kind::Process:
            if (L.pid == w.arbiter.pid) {
                r = fmt::format_to_n(buf, sizeof buf - 1, "arbiter {}", L.pid);
            } else if (p && p->role == trace::ProcessRole::Client) {
                r = fmt::format_to_n(buf, sizeof buf - 1, "minicorn load {}", L.pid);
            } else if (p && p->worker_age > 0) {
                using trace::ModelId;
                bool green = p->model == ModelId::Gevent || p->model == ModelId::Eventlet;
                bool loop = p->model == ModelId::Tornado || p->model == ModelId::Asyncio;
                r = fmt::format_to_n(buf, sizeof buf - 1, "worker {} · {}", p->worker_age, green ? "hub" : loop ? "loop" : "main");
            } else {
                r = fmt::format_to_n(buf, sizeof buf - 1, "pid {}", L.pid);
            }
            break;
        case Lane::Kind::Thread: r = fmt::format_to_n(buf, sizeof buf - 1, "   thread {}", L.tid); break;
        case Lane::Kind::Greenlet:
            r = fmt::format_to_n(buf, sizeof buf - 1, "   {}{}", p && p->model == trace::ModelId::Asyncio ? "task " : "g#", L.green);
            break;
        case Lane::Kind::Client: {
            auto c = w.clients.find(L.client);
            if (c != w.clients.end()) {
                r = fmt::format_to_n(buf, sizeof buf - 1, "client {} :{}", client_label(c->second), c->second.local_port);
            } else {
                r = fmt::format_to_n(buf, sizeof buf - 1, "client conn {}", L.client & 0xffffffffu);
            }
            break;
        }
    }
    *r.out = '\0';
    return buf;
}

// A step of 1, 2 or 5 × 10^k ns giving about `px` pixels between ruler ticks.
std::uint64_t ruler_step(double ns_per_px, float px) {
    double raw = ns_per_px * px;
    double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (mag * m >= raw) {
            step = mag * m;
            break;
        }
    }
    return static_cast<std::uint64_t>(step);
}

void draw_ruler(ImDrawList* dl, const Frame& f, ImVec2 o, std::uint64_t origin_ns) {
    std::uint64_t step = ruler_step(f.ns_per_px, 110);
    std::uint64_t first = (f.t0 / step + 1) * step;
    char buf[32];
    for (std::uint64_t t = first; t < f.t1; t += step) {
        float x = o.x + f.x_of(t);
        dl->AddLine({x, o.y + kRulerH - 5}, {x, o.y + kRulerH}, colors::kTextDim);
        double rel = static_cast<double>(t >= origin_ns ? t - origin_ns : 0);
        fmt::format_to_n_result<char*> r{};
        if (step >= 1'000'000'000) {
            r = fmt::format_to_n(buf, sizeof buf - 1, "{:.0f} s", rel / 1e9);
        } else if (step >= 1'000'000) {
            r = fmt::format_to_n(buf, sizeof buf - 1, "{:.0f} ms", rel / 1e6);
        } else {
            r = fmt::format_to_n(buf, sizeof buf - 1, "{:.3f} ms", rel / 1e6);
        }
        *r.out = '\0';
        dl->AddText({x + 3, o.y + 1}, colors::kTextDim, buf);
    }
}

// The accept queue's lane: a step chart of its length, scaled to the
// largest in the window (at least 4, so one pending connection looks small).
void draw_queue(ImDrawList* dl, const Frame& f, ImVec2 o, int rows) {
    const auto& sm = f.st.samples;
    int row = -1;
    for (const Lane& L : f.st.lanes) {
        if (L.kind == Lane::Kind::Queue) row = L.row;
    }
    if (row < 0 || row >= rows) return;
    float y0 = o.y + kRulerH + static_cast<float>(row) * kLaneH + 2, y1 = y0 + kLaneH - 4;
    if (sm.empty()) {
        // No sample inside the window (zoomed in between two): the length at its right edge holds across it.
        std::int64_t len = f.edge.listener.queue_len;
        if (len > 0) {
            float h = (y1 - y0) * static_cast<float>(std::min<std::int64_t>(len, 4)) / 4.0f;
            dl->AddRectFilled({o.x, y1 - h}, {o.x + f.width, y1}, colors::kKernelBorder);
        }
        return;
    }
    std::int64_t top = 4;
    for (const Sample& s : sm) top = std::max(top, s.len);
    for (std::size_t i = 0; i < sm.size(); ++i) {
        if (sm[i].len <= 0) continue;
        float x1 = i + 1 < sm.size() ? sm[i + 1].x : f.x_of(f.t1);
        float h = (y1 - y0) * static_cast<float>(sm[i].len) / static_cast<float>(top);
        dl->AddRectFilled({o.x + sm[i].x, y1 - h}, {o.x + std::max(x1, sm[i].x + 1), y1}, colors::kKernelBorder);
    }
}

void draw_spans(ImDrawList* dl, const Frame& f, ImVec2 o, int rows) {
    char buf[48];
    // Three passes: inset spans (parked, GIL wait) faint at full height — a
    // greenlet parked between requests still reads as a bar — then the other
    // spans over them, then the inset spans again as a thin bright bar along
    // the bottom, so a span they sit in keeps its colour and label.
    for (int pass = 0; pass < 3; ++pass) {
        for (const Span& s : f.st.spans) {
            if (is_inset(s.kind) != (pass != 1)) continue;
            int row = f.st.lanes[s.lane].row;
            if (row < 0 || row >= rows) continue;
            float y = o.y + kRulerH + static_cast<float>(row) * kLaneH;
            float top = pass == 2 ? kLaneH - 6.0f : 2.0f;
            ImU32 col = span_color(s.kind);
            if (pass == 0) col = (col & 0x00FFFFFFu) | (70u << IM_COL32_A_SHIFT);
            ImVec2 a{o.x + s.x0, y + top}, b{o.x + std::max(s.x1, s.x0 + 1.0f), y + kLaneH - 2.0f};
            dl->AddRectFilled(a, b, col, s.x1 - s.x0 > 4 ? 2.0f : 0.0f);
            if (pass == 0) continue;
            if (b.x - a.x > 40 && !is_inset(s.kind)) {
                fmt::format_to_n_result<char*> r{};
                if (s.count > 1) {
                    r = fmt::format_to_n(buf, sizeof buf - 1, "{} steps", s.count);
                } else if (s.req) {
                    r = fmt::format_to_n(buf, sizeof buf - 1, "{} req {}:{}", lane_span_label(f.st.lanes[s.lane], s.kind), trace::id_pid(s.req),
                                         s.req & 0xffffffffu);
                } else {
                    r = fmt::format_to_n(buf, sizeof buf - 1, "{}", lane_span_label(f.st.lanes[s.lane], s.kind));
                }
                *r.out = '\0';
                dl->PushClipRect(a, b, true);
                dl->AddText({a.x + 3, y + 2}, IM_COL32(10, 12, 16, 255), buf);
                dl->PopClipRect();
            }
            ++f.st.stats.spans_drawn;
        }
    }
    draw_queue(dl, f, o, rows);
    for (const PhaseMark& m : f.st.phases) {
        int row = f.st.lanes[m.lane].row;
        if (row < 0 || row >= rows) continue;
        float y = o.y + kRulerH + static_cast<float>(row) * kLaneH;
        dl->AddRectFilled({o.x + m.x0, y}, {o.x + m.x1, y + 3}, loop_phase_color(m.phase));
    }
    for (const Tick& t : f.st.ticks) {
        int row = f.st.lanes[t.lane].row;
        if (row < 0 || row >= rows) continue;
        float y = o.y + kRulerH + static_cast<float>(row) * kLaneH;
        float x = o.x + t.x;
        if (t.alarm) {
            dl->AddTriangleFilled({x - 4, y + 1}, {x + 4, y + 1}, {x, y + 8}, colors::kTextBad);
        } else {
            dl->AddLine({x, y + 1}, {x, y + 5}, colors::kHeartbeat, 2.0f);
        }
    }
}

// ============================================================================
// [SECTION] Input and hover
// ============================================================================

std::string explain_lane(const World& w, const Lane& L, const GreenConnIndex& greens) {
    if (L.kind == Lane::Kind::Queue) return explain_listener(w);
    if (L.kind == Lane::Kind::Client) {
        auto c = w.clients.find(L.client);
        if (c != w.clients.end()) return explain_client(w, c->second);
        return "a connection of minicorn load, closed by the window's end";
    }
    const trace::Process* p = w.process(L.pid);
    if (!p) return fmt::format("process {} (gone)", L.pid);
    switch (L.kind) {
        case Lane::Kind::Process:
            if (L.pid == w.arbiter.pid) return explain_arbiter(w);
            if (p->role == trace::ProcessRole::Client) {
                return fmt::format("minicorn load (pid {}), the built-in client: {} virtual users; {} requests sent, {} "
                                   "answered. Its connections have lanes of their own below.",
                                   p->pid, w.client.virtual_users, w.client.sent, w.client.done);
            }
            return explain_worker(w, *p);
        case Lane::Kind::Thread:
            if (const trace::Thread* th = p->thread(L.tid)) return explain_thread(w, *p, *th);
            return fmt::format("thread {} of {} (exited)", L.tid, worker_name(*p));
        case Lane::Kind::Greenlet: {
            auto g = p->greenlets.find(L.green);
            if (g != p->greenlets.end()) return explain_greenlet(w, *p, g->second, greens.conn_of(L.pid, L.green));
            return fmt::format("greenlet {} of {}: finished by the window's end", L.green, worker_name(*p));
        }
        case Lane::Kind::Queue:
        case Lane::Kind::Client: break;
    }
    return "";
}

std::string explain_span(const World& w, const Lane& L, const Span& s, std::uint64_t origin_ns) {
    char label[64];
    lane_label(w, L, label);
    std::string_view name(label);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    auto rel = [origin_ns](std::uint64_t t) { return static_cast<double>(t - std::min(t, origin_ns)) / 1e6; };
    if (s.count > 1) {
        return fmt::format("{}: {} steps in {} ({:.3f} .. {:.3f} ms), each narrower than a pixel.\n"
                           "Zoom in (ctrl+wheel) to tell them apart.",
                           name, s.count, format_duration(s.t1 - s.t0), rel(s.t0), rel(s.t1));
    }
    std::string text = fmt::format("{}: {} for {} ({:.3f} .. {:.3f} ms)", name, lane_span_label(L, s.kind),
                                   format_duration(s.t1 - s.t0), rel(s.t0), rel(s.t1));
    if (L.kind == Lane::Kind::Client) {
        text += "\nthe client's side of the request (same colour as the server's step it waits on)";
        return text;
    }
    for (const LegendEntry& e : timeline_legend()) {
        if (span_color(s.kind) == e.color && e.shape == Shape::Span) {
            text += fmt::format("\n{}", e.meaning);
            break;
        }
    }
    if (s.conn) {
        text += fmt::format("\nconnection {}", trace::format_id(s.conn));
        if (const trace::Connection* c = w.connection(s.conn)) text += fmt::format(" (client {})", client_address(*c));
    }
    if (s.req) text += fmt::format(", request {}", trace::format_id(s.req));
    return text;
}

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
    float mx = io.MousePos.x - o.x - kHeaderW;
    if (ImGui::IsItemDeactivated() && st.drag_px <= 3 && mx >= 0) {
        // A click: show the World at that instant; the window stays where it is.
        leave_live();
        auto t = static_cast<std::uint64_t>(static_cast<double>(f.t0) + static_cast<double>(mx) * f.ns_per_px);
        actions.push_back({Action::Kind::ShowInstant, 0, 0, t});
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
    if (!hovered) return;

    // Hover: the span under the mouse, else the lane.
    float my = io.MousePos.y - o.y - kRulerH;
    if (my < 0) return;
    int row = static_cast<int>(my / kLaneH);
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
    st.tooltip = best ? explain_span(w, st.lanes[static_cast<std::size_t>(lane)], *best, f.view.rec.first_time())
                      : explain_lane(w, st.lanes[static_cast<std::size_t>(lane)], st.green_conns);
    if (!best && mx >= 0) st.tooltip += "\n(click to show the World at this instant)";
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
    int rows = static_cast<int>((avail.y - kRulerH) / kLaneH);
    int max_scroll = std::max(0, static_cast<int>(st.order.size()) - rows);
    st.lane_scroll = std::clamp(st.lane_scroll, 0.0f, static_cast<float>(max_scroll));
    int scroll = static_cast<int>(st.lane_scroll);
    for (std::size_t i = 0; i < st.order.size(); ++i) st.lanes[st.order[i]].row = static_cast<int>(i) - scroll;
    st.stats.lanes = st.order.size();

    ImVec2 so{o.x + kHeaderW, o.y};  // the span area's origin
    char label[64];
    pid_t prev_pid = 0;
    for (std::uint16_t li : st.order) {
        const Lane& L = st.lanes[li];
        if (L.row < 0 || L.row >= rows) continue;  // scrolled away
        float y = o.y + kRulerH + static_cast<float>(L.row) * kLaneH;
        dl->AddRectFilled({o.x, y}, {o.x + avail.x, y + kLaneH}, (L.row % 2) ? colors::kLaneBgA : colors::kLaneBgB);
        if (L.pid != prev_pid) dl->AddLine({o.x, y}, {o.x + avail.x, y}, colors::kWire);
        prev_pid = L.pid;
        draw_text_clipped(dl, {o.x + 4, y + 2}, o.x + kHeaderW - 4,
                          L.kind == Lane::Kind::Process ? colors::kText : colors::kTextDim, lane_label(f.edge, L, label));
    }
    if (st.stats.capped) {
        float x = so.x + f.x_of(f.walk_from);
        dl->AddRectFilled({so.x, o.y + kRulerH}, {x, o.y + avail.y}, IM_COL32(60, 60, 70, 90));
        dl->AddText({so.x + 6, o.y + kRulerH + 2}, colors::kTextWarn, "too many events to draw here: zoom in");
    }
    draw_ruler(dl, f, so, view.rec.first_time());
    dl->PushClipRect({so.x, o.y}, {so.x + width, o.y + avail.y}, true);
    draw_spans(dl, f, so, rows);
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
        dl->AddText({o.x + 4, o.y + 2}, colors::kTextDim, buf);
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
        ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.6f, 1), "live");
    } else if (ImGui::SmallButton("back to live")) {
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
    avail.y = std::max(avail.y, kRulerH + 2 * kLaneH);
    ImGui::BeginChild("##timeline", avail, false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 o = ImGui::GetCursorScreenPos();
    float width = avail.x - kHeaderW;

    // The World at the right edge: the View's when that is where it stands.
    const World* edge = &view.world;
    // Live and following, the View's World is the right edge's (give or take
    // events not folded yet): no world_at() per frame.
    if (view.world.now_ns != t1 && !(st.follow && view.live)) {
        if (!st.edge_world || st.edge_world_ns != t1) {
            st.edge_world = view.model.world_at(t1);
            st.edge_world_ns = t1;
        }
        edge = &*st.edge_world;
    }

    Frame f{st, view, *edge, t0, t1, i0 < view.rec.size() ? std::max(t0, view.rec[i0].t_ns) : t0, 0, width};
    if (!st.stats.capped) f.walk_from = t0;
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
