// app/studio/panels/timeline.h — the Timeline panel: lanes per process, OS
// thread and greenlet; spans for accept, read, handle, write, waiting in the
// poller, parked, and blocked on the GIL.
//
// Cheap by construction: each frame walks only the events inside the visible
// time window (Recording::lower_bound), at most kMaxEventsPerFrame of them;
// what was open at the window's right edge comes from the World there, not
// from older events. Spans narrower than a pixel merge into one "busy" run.
// Lanes are capped (kMaxLanes, kMaxGreenLanesPerProcess).
//
// Input: ctrl+wheel zooms around the mouse, dragging pans, the wheel scrolls
// lanes; any of these leaves live-follow (then "back to live" → FollowLive).
// A click sets the instant shown (ShowInstant).
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/studio/draw/palette.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

inline constexpr std::size_t kMaxLanes = 48;
inline constexpr std::size_t kMaxGreenLanesPerProcess = 8;
inline constexpr std::size_t kMaxEventsPerFrame = 400'000;


struct TimelineStats {          // what the last frame did (tests, the status line)
    std::size_t events_walked = 0;
    std::size_t spans_drawn = 0;
    std::size_t lanes = 0;
    std::size_t lanes_hidden = 0;  // over the caps
    bool capped = false;           // the window held more than kMaxEventsPerFrame events
    std::uint64_t t0_ns = 0, t1_ns = 0;  // the window walked
    std::uint64_t first_span_ns = 0;     // the earliest span start drawn (clamped to t0)
    std::uint64_t last_span_ns = 0;      // the latest span end drawn
};

struct TimelineState {
    bool follow = true;              // the right edge tracks the newest event
    std::uint64_t width_ns = 500'000'000;  // visible time span
    std::uint64_t end_ns = 0;        // right edge when not following
    float lane_scroll = 0;           // pixels scrolled down through lanes

    TimelineStats stats;
    std::string tooltip;             // the hovered span's or lane's text, "" if none

    // Cached World at the right edge when not live (recomputed when end_ns moves).
    std::uint64_t edge_world_ns = 0;
    std::optional<trace::World> edge_world;
};

void draw_timeline(const View& view, TimelineState& state, Actions& actions);

}  // namespace minicorn::studio
