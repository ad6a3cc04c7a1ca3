// engine/trace/gate.h — the observer's side of the step gate.
//
// In gated mode every decision point (is_gated(kind)) waits for a token
// before its event is emitted, and full rings make producers wait instead of
// dropping. Closing the gate also stops engine time (emit.h engine_now_ns),
// the clock heartbeat timeouts and the client's timeouts are measured in, so
// a paused engine never kills its own workers and a paused client never gives
// up. Step grants one token; Play at rate R is R steps a second, driven by
// the observer. The thread that takes a token runs with engine time running
// until its next decision point (at most a second, gate_time.h), so the work
// a step does shows its real cost. A target (set_target) makes the steps go to one process,
// thread or connection only: everyone else stays frozen.
//
// A thread waiting at the closed gate lets go of what others need first
// (emit.h GateWaitHook: the simulated GIL), so a paused thread never blocks
// a stepped one.
//
// Thread affinity: any thread of the observer; all state is in the region.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "engine/trace/event.h"
#include "engine/trace/region.h"

namespace minicorn::trace {

// Whose decision points may take tokens. Fields left 0 match anyone; all 0: anyone.
struct GateTarget {
    pid_t pid = 0;           // a worker (or the client) process
    pid_t tid = 0;           // one thread (gettid)
    std::uint64_t conn = 0;  // one connection (its events' conn)
    bool anyone() const { return pid == 0 && tid == 0 && conn == 0; }
};

// The last decision point that took a token.
struct GateStepTaken {
    pid_t pid = 0;
    pid_t tid = 0;
    EventKind kind = EventKind::None;
};

class GateControl {
public:
    explicit GateControl(Region& region) : region_(region) {}

    void set_gated_mode(bool on);
    bool gated_mode() const;
    void close();                 // decision points wait; engine time stops
    void open();                  // everything runs; engine time resumes
    bool closed() const;
    void step(std::int64_t tokens = 1);
    std::int64_t tokens_left() const;
    // Decision points that went through in gated mode since the region was made.
    std::uint64_t passed() const;

    void set_target(GateTarget target);
    GateTarget target() const;
    GateStepTaken last_step() const;
    // Threads waiting at the closed gate now.
    std::uint32_t waiting() const;

private:
    Region& region_;
};

// Turns the gate's closings and openings (the region header) into GateClose /
// GateOpen events for the Recording, stamped with the wall time they happened.
// Used by the Collector, once a drain.
class GateWatcher {
public:
    explicit GateWatcher(Region& region) : region_(region) {}
    // Appends what changed since the last call to `out`.
    void poll(std::vector<Event>& out);

private:
    Region& region_;
    std::int64_t seen_since_ = 0;  // paused_since_ns at the last poll
    std::int64_t seen_total_ = 0;  // paused_total_ns at the last poll
};

}  // namespace minicorn::trace
