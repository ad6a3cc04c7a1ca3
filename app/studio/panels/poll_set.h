// app/studio/panels/poll_set.h — the Poll set panel: for one worker at the
// instant shown (live or looked back at), the fds its event loop asked the
// kernel to watch (the interest list: epoll_ctl, PollRegister) and the ones
// its last epoll_wait returned ready (PollReady, or the hub's GreenWakes) —
// "three fds registered, one came back ready".
//
// Each fd says what it is (the listening socket, a client connection and the
// request it carries, a socket that is not a client's), who waits on it (a
// greenlet, the gthread poller, the IOLoop) and for what (read, write). The
// words come from poll_set_rows() (poll_set_rows.cpp), a pure function of the
// World, so tests read what the learner reads.
//
// The worker: the one clicked in the Topology (pick_worker_from_topology), or
// the panel's combo; the first live worker until one is chosen.
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/studio/draw/green_index.h"
#include "app/studio/panels/topology.h"
#include "app/studio/panels/view.h"
#include "engine/trace/world.h"

namespace minicorn::studio {

struct PollSetState {
    pid_t pid = 0;  // the worker chosen (0: none yet: the first live worker is shown)
};

// One fd of the interest list, in words.
struct PollSetRow {
    std::int64_t fd = -1;
    std::string what;    // "the listening socket", "connection #34 /io?ms=200 from 127.0.0.1:53122"
    std::string waiter;  // "greenlet g#7 waits to read", "the gthread poller waits to read"
    bool ready = false;  // the last wait returned it
    std::string ready_for;  // "ready to read" (when ready)
};

// What one worker's poll set is at the instant of `world`.
struct PollSetSummary {
    bool polls = false;            // the model keeps a poll set (every model but sync)
    std::string call;              // the wait call's name: "epoll_wait", "select()"
    std::vector<PollSetRow> rows;  // the interest list: ready fds first, then by fd
    std::int64_t ready_count = 0;  // what the last wait returned (PollWake.ready)
    std::size_t ready_listed = 0;  // how many of those the trace names
    std::vector<PollSetRow> ready_gone;  // ready fds no longer registered (closed since the wait)
    std::string now;               // "waiting in epoll_wait for up to 1 s", "running what the last wait woke"
    std::string timers;            // "2 greenlets sleep on a timer", "" when none
};

// The poll set of `proc` (a worker of `world`). `greens`: which connection each
// greenlet serves (the Topology learns it), or nullptr.
PollSetSummary poll_set_rows(const trace::World& world, const trace::Process& proc, const GreenConnIndex* greens);

// The worker the panel shows: state.pid if it is a live worker, else the first live one (nullptr: none).
const trace::Process* poll_set_worker(const trace::World& world, const PollSetState& state);

// A worker (its box, a thread, a greenlet, a poll-list row) clicked in the
// Topology this frame becomes the panel's worker. Call after draw_topology.
void pick_worker_from_topology(const TopologyState& topology, PollSetState& state);

// Draws the panel into the current window.
void draw_poll_set(const View& view, PollSetState& state, const GreenConnIndex* greens);

}  // namespace minicorn::studio
