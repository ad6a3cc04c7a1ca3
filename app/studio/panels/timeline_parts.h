// app/studio/panels/timeline_parts.h — what timeline.cpp (drawing, input,
// hover) shares with timeline_walk.cpp (lanes and the walk over the visible
// window's events). Internal to the Timeline panel.
#pragma once

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "app/studio/panels/timeline.h"

namespace minicorn::studio::timeline_detail {

using trace::Event;
using trace::EventKind;
using trace::World;

inline constexpr std::size_t kSlots = 4096;  // the lane table; a power of two

constexpr std::size_t idx(SpanKind k) { return static_cast<std::size_t>(k); }
// Drawn thinner, on top: they sit inside another span (parked inside a read, a GIL wait inside a handler).
constexpr bool is_inset(SpanKind k) { return k == SpanKind::Parked || k == SpanKind::Blocked; }

// One frame's walk: the window, its scale, the World at its right edge.
struct Frame {
    TimelineState& st;
    const View& view;
    const World& edge;        // the World at t1
    std::uint64_t t0, t1;     // the visible window
    std::uint64_t walk_from;  // the first time walked (t0 unless capped)
    double ns_per_px;
    float width;              // of the span area
    std::size_t slots_used = 0;
    std::uint64_t last_key = 0;  // the last lane looked up (0: none; no key is 0)
    int last_lane = -1;
    std::array<std::pair<pid_t, std::uint16_t>, 64> green_lanes{};  // greenlet lanes per process
    std::size_t green_pids = 0;
    std::size_t client_lanes = 0;
    // Sizes, from the font (HiDPI, Ctrl + / Ctrl -): set before drawing.
    float header_w = 150;     // the lane labels' column
    float ruler_h = 18;
    float lane_h = 18;

    float x_of(std::uint64_t t) const {
        double x = (static_cast<double>(t) - static_cast<double>(t0)) / ns_per_px;
        return static_cast<float>(std::clamp(x, -1.0, static_cast<double>(width) + 1.0));
    }
};

// Lane lookups (timeline_walk.cpp): the lane of an event's OS thread, of a
// greenlet; -1 over the caps.
int thread_lane(Frame& f, const Event& e);
int green_lane(Frame& f, pid_t pid, pid_t tid, std::uint32_t green);

// Running bursts (timeline_bursts.cpp). Lanes with `bursts` set get them.
// GreenSwitch / GreenPark / GreenWake / GreenExit: which greenlet runs, and the others' states.
void green_event(Frame& f, const Event& e);
// An event of lane `li` that begins (opens) or ends (closes) `span` there.
void lane_event(Frame& f, const Event& e, std::uint16_t li, SpanKind span, bool opens, bool closes);
// GilRelease and PoolFinish: a thread lets the GIL go, a pool thread is done.
void thread_instant(Frame& f, const Event& e);
// The lane's state until `end`; a lane that saw none gets the World's word for it.
void finish_bursts(Frame& f, std::uint16_t li, std::uint64_t end);

// Lanes for every live process and thread at the right edge, and its greenlets (up to the caps).
void seed_lanes(Frame& f);
// Pairs the events [from, to) into spans and ticks per lane.
void walk(Frame& f, std::size_t from, std::size_t to);
// Spans still open at the right edge; lanes that saw no event get the World's word for them.
void finish_lanes(Frame& f);

// Drawing (timeline_draw.cpp).
// "send" on a client's lane for a Read span, the span's word elsewhere.
const char* lane_span_label(const Lane& L, SpanKind k);
// "worker 1 · hub", "   thread 4123", "   g#12", "client vu3" into buf.
const char* lane_label(const World& w, const Lane& L, char (&buf)[64]);
// What a parked burst waits on: "parked: fd 11 read" (long form) or "fd 11".
std::string wait_words(const Burst& b, bool long_form);
// An alarm mark's word: "TERM", "kill -9", "WORKER TIMEOUT", "spawn", …
std::string mark_word(const Tick& t);
// The ruler along the top of the span area (origin `o`), 0 at `origin_ns`.
void draw_ruler(ImDrawList* dl, const Frame& f, ImVec2 o, std::uint64_t origin_ns);
// Spans, bursts, the accept queue, loop phases, flows and marks of the visible rows.
void draw_lanes_content(ImDrawList* dl, Frame& f, ImVec2 o, int rows, float height);

// Hover texts (timeline_hover.cpp).
std::string explain_lane(const World& w, const Lane& L, const GreenConnIndex& greens);
std::string explain_span(const World& w, const Lane& L, const Span& s, std::uint64_t origin_ns);
std::string explain_burst(const World& w, const Lane& L, const Burst& b);

}  // namespace minicorn::studio::timeline_detail
