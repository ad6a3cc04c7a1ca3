// app/studio/panels/time_bar.h — the time bar under the Timeline: the whole
// recording (live: up to now) as one track, with marks where something
// happened to a process — a signal, a worker timeout, a worker that died, one
// spawned — and a cursor at the instant shown. Dragging or clicking the track
// shows the World at that instant in every panel (Action ShowInstant); the
// buttons step back and forth by one event, one event of the request
// followed, or one moment (stepping.h; the keys ←/→, with shift or ctrl, do
// the same); "back to live" (or "to the end" of a recording) returns.
//
// The marks are gathered incrementally: each frame looks only at the events
// appended since the last one, so a recording of tens of millions costs
// nothing per frame once scanned.
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "app/studio/panels/view.h"

namespace minicorn::studio {

enum class MarkKind : std::uint8_t { Signal, Timeout, Died, Spawned };

struct TimeMark {
    std::uint64_t t_ns;
    MarkKind kind;
    pid_t pid;
};

struct TimeBarState {
    std::vector<TimeMark> marks;  // in time order
    std::size_t scanned = 0;      // events looked at for marks
    bool dragging = false;
};

// The marks a kind of event makes (nullopt: none).
std::optional<MarkKind> mark_of(trace::EventKind kind);

// Brings state.marks up to date with view.rec (at most `budget` new events).
void update_marks(const View& view, TimeBarState& state, std::size_t budget = 4'000'000);

// The bar's height for the current font: what the window under the Timeline needs.
float time_bar_height();

void draw_time_bar(const View& view, TimeBarState& state, Actions& actions);

}  // namespace minicorn::studio
