// engine/trace/emit.h — how the engine reports what it does: the write path
// under the typed emitters of ev.h, which producers use —
//
//     trace::ev::Accepted{.conn = id, .peer_port = port, .listen_fd = fd}.emit();
//
// — and the process's counters, heartbeat and engine time.
//
// Costs one branch when no region is attached. With one, the calling thread
// writes a 64-byte record into its own ring (claimed on its first event,
// released when the thread exits, claimed again in a forked child): no lock,
// no system call besides the vDSO clock read. Safe from any thread; NOT safe
// from a signal handler (a handler could interrupt the same thread mid-write).
//
// Decision points (is_gated(kind)) in gated mode wait for a token from the
// gate first; see gate.h.
#pragma once

#include <cstdint>

#include "engine/trace/event.h"

namespace minicorn::trace {

class Region;
struct ProcessSlot;

// The `green` a typed emitter passes for a kind without a GREEN column in the
// schema: "the greenlet running on this thread" (set_running_green), filled in
// by the write path. Never a real greenlet id.
inline constexpr std::uint32_t kRunningGreen = ~0u;

namespace detail {
extern Region* g_region;
void emit_slow(EventKind kind, std::uint64_t conn, std::uint64_t req, std::int64_t a0, std::int64_t a1,
               std::uint32_t green);
void emit_for_slow(std::uint64_t t_ns, std::int32_t tid, EventKind kind, std::uint64_t conn, std::uint64_t req,
                   std::int64_t a0, std::int64_t a1, std::uint32_t green);
}  // namespace detail

// Attaches this process (and, through fork, its children) to `region`, which
// must outlive every emitting thread. `role`: 0 arbiter, 1 worker. Call once,
// before any thread starts. nullptr detaches.
void attach(Region* region, int role);
inline bool enabled() { return detail::g_region != nullptr; }
Region* region();

// The raw write under the typed emitters (ev.h): fields by position. Producers
// use ev.h, by name (tests/test_trace_schema.cpp fails on a positional call in
// engine/, models/ or app/); bench/trace_bench.cpp measures this directly.
inline void emit(EventKind kind, std::uint64_t conn = 0, std::uint64_t req = 0, std::int64_t a0 = 0,
                 std::int64_t a1 = 0, std::uint32_t green = 0) {
    if (detail::g_region == nullptr) [[likely]]
        return;
    detail::emit_slow(kind, conn, req, a0, a1, green);
}

// The greenlet that runs on the calling thread from now on (0: none — the
// thread's main fiber, the hub itself, or a thread without greenlets). The
// hub calls it once per switch; every event the thread emits of a kind whose
// schema row has no GREEN column carries it. Costs one thread-local store.
void set_running_green(std::uint32_t green);

// The same write for a moment that has passed, on behalf of a thread of this
// process (`tid`): stamped `t_ns` (now_ns()'s clock), written into the calling
// thread's ring, never gated. For a report that was held back until it was
// known to matter (gil_trace.h: a GIL release around a call that did not
// wait); the collector puts it back in time order.
inline void emit_for(std::uint64_t t_ns, std::int32_t tid, EventKind kind, std::uint64_t conn = 0,
                     std::uint64_t req = 0, std::int64_t a0 = 0, std::int64_t a1 = 0, std::uint32_t green = 0) {
    if (detail::g_region == nullptr) [[likely]]
        return;
    detail::emit_for_slow(t_ns, tid, kind, conn, req, a0, a1, green);
}

// Adds to this process's never-dropped counters.
void count(CounterId id, std::uint64_t delta = 1);

// A worker's heartbeat in engine time, for the master's murder_workers().
// Returns the engine time it recorded.
std::int64_t record_heartbeat();
// The engine time of `pid`'s last heartbeat, or -1 if unknown.
std::int64_t heartbeat_of(pid_t pid);

// This process's role, for a child to set after fork (worker = 1).
void set_role(int role);

// Monotonic time that stops while the gate is closed (nanoseconds). Without
// a region it is plain monotonic time.
std::int64_t engine_now_ns();

// The application's own waits run in engine time too, so a paused engine is
// frozen all the way down: a handler sleeping 2 s is still sleeping when the
// learner looks, however long they look.
//
// How far apart a sleeper wakes to read the engine clock again (a gate that
// opens ends a sleep at most this late).
inline constexpr std::int64_t kEngineRecheckNs = 50'000'000;
// Whether the gate holds engine time still at this instant.
bool engine_paused();
// Sleeps `left_ns` of engine time as this thread sees it: time that runs
// while the gate is open or while this thread holds the step (a step aimed at
// another worker leaves this one frozen). Counts itself among the threads
// waiting at the gate while frozen. Returns false if a signal interrupted it,
// with `left_ns` what is left, for the caller to run its handlers and call again.
bool sleep_engine_for(std::int64_t& left_ns);
// How sleep_engine_for learns that a signal is waiting for its handlers (the
// worker's pending set, engine/process/worker.cpp). It asks before each nap:
// a signal that landed between two naps (not inside nanosleep, so no EINTR)
// would otherwise wait for the whole sleep — a SIGABRT for the rest of a 6 s
// /block, long enough for the master to SIGKILL the worker. For the calling
// thread only: the one that runs the handlers (the worker's main thread). nullptr: none.
void set_signal_probe(bool (*probe)());
// Returns once engine time runs for this thread (at once if it does): a thread
// burning CPU for the app stops burning while the engine is paused, and lets
// go of the GIL meanwhile (its GateWaitHook), as a thread at the gate does.
void wait_while_paused();
// A thread waiting inside the app (a sleep, a blocking call, a query, CPU
// work) is at no decision point, yet a learner's step must be able to move
// it: while the gate is closed in gated mode it takes a step token as a
// decision point would, and engine time runs for it until its handler
// returns (HandlerEnd), at most kStepWindowNs. The waits above call it.
void take_app_step();

// The master is stopping: gated decision points stop waiting.
void mark_shutting_down();

// What a thread holds that others need (the simulated GIL) is let go while it
// waits at the closed gate, and taken back once it has its token, so a thread
// that waits never blocks one that was stepped. Called on the waiting thread;
// after_gate_wait may block (taking the GIL back).
class GateWaitHook {
public:
    virtual void before_gate_wait() = 0;
    virtual void after_gate_wait() = 0;

protected:
    ~GateWaitHook() = default;
};
// The calling thread's hook (nullptr: none). The hook must outlive its setting.
void set_gate_wait_hook(GateWaitHook* hook);

}  // namespace minicorn::trace
