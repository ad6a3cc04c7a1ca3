// app/studio/panels/timeline_parts.h — what timeline.cpp (drawing, input,
// hover) shares with timeline_walk.cpp (lanes and the walk over the visible
// window's events). Internal to the Timeline panel.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "app/studio/panels/timeline.h"

namespace minicorn::studio::timeline_detail {

using trace::Event;
using trace::EventKind;
using trace::World;

inline constexpr std::size_t kSlots = 4096;  // the lane table; a power of two
inline constexpr float kHeaderW = 150;       // the lane labels' column
inline constexpr float kRulerH = 18;
inline constexpr float kLaneH = 18;

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

    float x_of(std::uint64_t t) const {
        double x = (static_cast<double>(t) - static_cast<double>(t0)) / ns_per_px;
        return static_cast<float>(std::clamp(x, -1.0, static_cast<double>(width) + 1.0));
    }
};

// Lanes for every live process and thread at the right edge, and its greenlets (up to the caps).
void seed_lanes(Frame& f);
// Pairs the events [from, to) into spans and ticks per lane.
void walk(Frame& f, std::size_t from, std::size_t to);
// Spans still open at the right edge; lanes that saw no event get the World's word for them.
void finish_lanes(Frame& f);

}  // namespace minicorn::studio::timeline_detail
