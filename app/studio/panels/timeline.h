// app/studio/panels/timeline.h — the Timeline panel: lanes per process, OS
// thread and greenlet, the kernel's accept queue, and a few of minicorn
// load's connections; spans for accept, read, handle, write, waiting in the
// poller, parked, and blocked on the GIL.
//
// Lanes, top to bottom: the arbiter, the accept queue (a step chart of its
// length), each worker's main thread (its hub or loop for green and loop
// models) with its pool threads and greenlets, then the client's connections.
// The engine's read/handle/write steps carry no greenlet id; on a green
// worker they go on the lane of the greenlet serving that connection.
//
// Threads and greenlets (and a worker's main thread) are drawn as Tracy draws
// fibers (timeline_bursts.cpp): solid while running, a thin line while ready,
// empty while parked, with what it waits on; a step (read, handle, write) is
// an outline around its bursts. At most one greenlet of a thread is ever
// drawn running. A client's request is named as everywhere
// (draw/request_label.h), and an arrow joins it to the server's handler.
// Files: timeline.cpp (window, input), timeline_walk.cpp (lanes, spans),
// timeline_bursts.cpp, timeline_draw.cpp, timeline_hover.cpp.
//
// Cheap by construction: each frame walks only the events inside the visible
// time window (Recording::lower_bound), at most kMaxEventsPerFrame of them;
// what was open at the window's right edge comes from the World there, not
// from older events. Spans narrower than a pixel merge into one "busy" run.
// Lanes are capped (kMaxLanes, kMaxGreenLanesPerProcess): of a process's
// greenlets, those alive at the window's right edge (running and ready first,
// then the newest) get lanes first, then ones that ended inside the window.
//
// Input: ctrl+wheel zooms (around the mouse; at the right edge while live),
// dragging or the wheel pans in time and leaves live-follow (then "back to
// live" → Action FollowLive), shift+wheel scrolls lanes. A click sets the
// instant shown (Action ShowInstant). In replay (View::live false) the window
// follows the instant shown, three quarters across.
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/studio/draw/green_index.h"
#include "app/studio/draw/palette.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

inline constexpr std::size_t kMaxLanes = 48;                 // lanes shown
inline constexpr std::size_t kMaxGreenLanesPerProcess = 8;   // greenlet lanes shown per process
inline constexpr std::size_t kMaxClientLanes = 8;            // lanes for minicorn load's connections
inline constexpr std::size_t kMaxEventsPerFrame = 250'000;  // ~2–4 ms of walking on this machine

struct TimelineStats {          // what the last frame did (tests, the status line)
    std::size_t events_in_window = 0;  // events with t0 <= t < t1
    std::size_t events_walked = 0;     // of those, the ones walked (all, unless capped)
    std::size_t spans_drawn = 0;       // bars drawn, a merged run counting once
    std::size_t spans_merged = 0;      // spans folded into merged runs
    std::size_t lanes = 0;
    std::size_t lanes_hidden = 0;      // over the caps
    bool capped = false;               // the window held more than kMaxEventsPerFrame events
    std::uint64_t t0_ns = 0, t1_ns = 0;  // the visible window
    std::uint64_t first_span_ns = 0;     // the earliest span start drawn (>= t0)
    std::uint64_t last_span_ns = 0;      // the latest span end drawn (<= t1)
};

namespace timeline_detail {
// What a thread or greenlet does at an instant, drawn as Tracy draws fibers:
// running a solid bar, ready a thin line, parked empty (with what it waits on).
enum class RunState : std::uint8_t { None, Running, Ready, Parked };
// What a parked (or, for a hub, a waiting) lane waits on.
enum class WaitOn : std::uint8_t {
    Nothing,
    Timer,     // a greenlet's sleep (GreenPark fd -1 while serving a connection)
    Event,     // a greenlet with no connection parked on no fd: a timer or a free pool slot
    FdRead,    // an fd to become readable (detail: the fd)
    FdWrite,   // an fd to become writable (detail: the fd)
    Poll,      // the poller: select()/epoll_wait on its fds
    PoolSlot,  // gthread at worker_connections: a running request to finish (FuturesWait)
    Work,      // a pool thread with nothing to do: the executor's queue
    Gil,       // the GIL (GilWait)
    Io,        // the GIL let go: the app sleeps or does I/O (GilRelease, voluntary)
    Gate,      // the GIL let go at the closed gate (paused)
    Greenlet,  // a hub whose thread runs greenlet `detail`
};
struct Burst {                    // one stretch of a lane's RunState
    std::uint16_t lane = 0;
    RunState state = RunState::None;
    WaitOn on = WaitOn::Nothing;
    SpanKind step = SpanKind::Dense;  // the step under way, Dense: none
    std::uint32_t count = 0;      // > 1: sub-pixel bursts merged (drawn as busy, none of them as running)
    float x0 = 0, x1 = 0;
    std::uint64_t t0 = 0, t1 = 0;
    std::int64_t detail = 0;
    std::uint64_t req = 0;        // the request of the step under way, 0: none
};
// One lane: a process's main thread, another OS thread, or a greenlet.
struct Lane {
    // Queue: the kernel's accept queue as a step chart (AcceptQueueSample);
    // Client: a connection of minicorn load.
    enum class Kind : std::uint8_t { Queue, Process, Thread, Greenlet, Client };
    Kind kind = Kind::Process;
    pid_t pid = 0;
    pid_t tid = 0;                // Thread/Process: the OS thread
    std::uint32_t green = 0;      // Greenlet
    std::uint64_t client = 0;     // Client: the client's connection id (its latest, on a virtual user's lane)
    std::int64_t vu = -1;         // Client: the virtual user whose lane it is (-1: one lane per connection)
    std::uint64_t open[kSpanKindCount] = {};  // start time of each open span, 0: none
    std::uint64_t open_conn = 0;  // the connection of the open read/handle/write span
    std::uint64_t open_req = 0;
    bool saw_start[kSpanKindCount] = {};      // a start of that kind was walked in the window
    bool touched = false;         // some event of this lane was walked
    std::uint32_t running_green = 0;  // a thread lane: the greenlet it runs (GreenSwitch), 0: the hub
    std::uint64_t last_conn = 0;      // a thread lane: the connection of its last step, and
    std::uint32_t last_conn_green = 0;  // the greenlet serving it (GreenConnIndex), 0: unknown
    int row = -1;                 // after sorting: its row, -1: not shown
    bool shown = true;            // false: over the caps (its spans are not drawn)
    // The run of sub-pixel spans being merged (x1 < 0: none).
    float run_x0 = 0, run_x1 = -1;
    std::uint64_t run_t0 = 0, run_t1 = 0;
    std::uint32_t run_count = 0;
    SpanKind run_kind = SpanKind::Dense;
    std::uint64_t run_conn = 0, run_req = 0;  // a run of one keeps its request
    float last_tick_x = -1e9f;
    std::int64_t loop_phase = 0;     // an event loop's current phase (LoopPhaseId), 0: none seen
    std::uint64_t loop_phase_t0 = 0;  // since when
    // Running bursts (timeline_bursts.cpp): threads, greenlets and workers' main threads.
    bool bursts = false;
    RunState rs = RunState::None;     // its state since rs_t0 (None: not known yet, or ended)
    WaitOn rs_on = WaitOn::Nothing;
    std::int64_t rs_detail = 0;       // the fd, or the greenlet a hub waits on
    std::uint64_t rs_t0 = 0;
    bool rs_seen = false;             // a state was set inside the window
    SpanKind step = SpanKind::Dense;  // the step under way (colours its bursts), Dense: none
    Burst brun{};                     // the run of sub-pixel bursts being merged (count 0: none)
};
struct Span {                     // one bar to draw
    std::uint16_t lane;
    SpanKind kind;
    std::uint32_t count;          // > 1: a merged run
    float x0, x1;
    std::uint64_t t0, t1;
    std::uint64_t conn, req;
};
struct Tick {
    std::uint16_t lane;
    bool alarm;                   // a signal, kill or timeout (else a heartbeat)
    float x;
    std::uint64_t t;
    trace::EventKind kind;        // an alarm's event (its mark's word: "TERM", "kill -9", …)
    std::int64_t a0, a1;
};
struct Sample {                   // the accept queue's length from one pixel on (the largest sample in it)
    float x;
    std::int64_t len, backlog;
    std::uint64_t t;
};
struct PhaseMark {                // an event loop's phase on its thread's lane (LoopPhase), a strip along the top
    std::uint16_t lane;
    std::int64_t phase;           // LoopPhaseId
    float x0, x1;
};
struct TextBox {                  // a label drawn on a row (marks' words keep off them)
    int row;
    float x0, x1;
};
struct Slot {                     // the lane of a (pid, tid, green) key; lane -1: over the cap
    std::uint64_t key = 0;
    std::int32_t lane = 0;
};
}  // namespace timeline_detail

struct TimelineState {
    bool follow = true;                    // the right edge tracks the newest event
    std::uint64_t width_ns = 500'000'000;  // visible time span
    std::uint64_t end_ns = 0;              // right edge when not following
    float lane_scroll = 0;                 // rows scrolled down through lanes (shift+wheel)

    TimelineStats stats;
    std::string tooltip;                   // the hovered span's or lane's text, "" if none
    std::uint64_t hovered_req = 0;         // the request of the span under the mouse (a click selects it), 0: none

    // Cached World at the right edge when it is not the View's (recomputed when the edge moves).
    std::uint64_t edge_world_ns = 0;
    std::optional<trace::World> edge_world;

    // Which greenlet serves which connection (the engine's steps carry no greenlet id).
    GreenConnIndex green_conns;
    // Scratch kept across frames so that a frame does not allocate.
    std::vector<timeline_detail::Lane> lanes;
    std::vector<timeline_detail::Span> spans;
    std::vector<timeline_detail::Burst> bursts;
    std::vector<timeline_detail::TextBox> text_boxes;
    std::vector<timeline_detail::Tick> ticks;
    std::vector<timeline_detail::Sample> samples;
    std::vector<timeline_detail::PhaseMark> phases;
    std::vector<timeline_detail::Slot> slots;
    std::vector<std::uint16_t> order;      // lanes sorted for display
    float drag_px = 0;                     // how far the current press has dragged
};

void draw_timeline(const View& view, TimelineState& state, Actions& actions);

}  // namespace minicorn::studio
