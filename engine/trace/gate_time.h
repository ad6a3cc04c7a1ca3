// engine/trace/gate_time.h — engine time's fields in the region header
// (paused_since_ns, paused_total_ns, last_open_ns, step_until_ns), read and
// changed together under their seqlock (time_seq).
//
// Engine time = monotonic time minus the time the gate held the world still.
// It stands still while the gate is closed and runs while it is open; a step
// opens it for one thread: from the token until that thread's next decision
// point, and at most kStepWindowNs (a stepped thread that blocks on a frozen
// peer — a worker reading from a client still at the gate — would otherwise
// keep time running through the whole pause). So a 50 ms handler between two
// steps shows 50 ms, and a paused screen still never ages.
//
// Writers: the observer (close, open) and any producer thread (a token taken,
// a step's thread arriving), from any process; they take the seqlock in turn.
// Readers: engine_now_ns (emit.cpp) and GateWatcher (gate.cpp).
#pragma once

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "engine/trace/region.h"

namespace minicorn::trace {

// How long one step may keep engine time running at most.
inline constexpr std::int64_t kStepWindowNs = 1'000'000'000;

struct PauseState {
    std::int64_t since = 0;       // the gate closed at (0: open, or a step runs)
    std::int64_t total = 0;       // paused time of the pauses that ended
    std::int64_t last_open = 0;   // when the last pause ended
    std::int64_t step_until = 0;  // a step's window ends here at the latest (0: none)

    // When the pause under way at wall time `now` began, 0 if time runs: a
    // step whose window ran out is paused again from the window's end.
    std::int64_t paused_from(std::int64_t now) const {
        if (since) return since;
        return step_until && now > step_until ? step_until : 0;
    }
    // All paused time up to `now`, the pause under way included.
    std::int64_t paused_until(std::int64_t now) const {
        const std::int64_t from = paused_from(now);
        return total + (from ? now - from : 0);
    }
};

inline PauseState read_pause(const RegionHeader& h) {
    while (true) {
        const std::uint32_t seq = h.time_seq.load(std::memory_order_acquire);
        if (seq & 1u) {
            ::sched_yield();
            continue;
        }
        PauseState s{h.paused_since_ns.load(std::memory_order_relaxed), h.paused_total_ns.load(std::memory_order_relaxed),
                     h.last_open_ns.load(std::memory_order_relaxed), h.step_until_ns.load(std::memory_order_relaxed)};
        std::atomic_thread_fence(std::memory_order_acquire);
        if (h.time_seq.load(std::memory_order_relaxed) == seq) return s;
    }
}

// Runs `change(state)` on the fields and stores them back, one writer at a
// time (the writer makes the sequence odd with a compare-exchange).
template <typename F>
void change_pause(RegionHeader& h, F&& change) {
    std::uint32_t seq = h.time_seq.load(std::memory_order_relaxed);
    while ((seq & 1u) || !h.time_seq.compare_exchange_weak(seq, seq + 1, std::memory_order_acq_rel)) {
        if (seq & 1u) ::sched_yield();
        seq = h.time_seq.load(std::memory_order_relaxed);
    }
    PauseState s{h.paused_since_ns.load(std::memory_order_relaxed), h.paused_total_ns.load(std::memory_order_relaxed),
                 h.last_open_ns.load(std::memory_order_relaxed), h.step_until_ns.load(std::memory_order_relaxed)};
    change(s);
    h.paused_since_ns.store(s.since, std::memory_order_relaxed);
    h.paused_total_ns.store(s.total, std::memory_order_relaxed);
    h.last_open_ns.store(s.last_open, std::memory_order_relaxed);
    h.step_until_ns.store(s.step_until, std::memory_order_relaxed);
    h.time_seq.store(seq + 2, std::memory_order_release);
}

// Time stops at `now` (the gate closes), unless it already stands still.
inline void stop_time(PauseState& s, std::int64_t now) {
    const std::int64_t from = s.paused_from(now);
    s.since = from ? from : now;
    s.step_until = 0;
}

// Time runs from `now` (the gate opens: until = 0; a step: until = its window's end).
inline void run_time(PauseState& s, std::int64_t now, std::int64_t until) {
    if (const std::int64_t from = s.paused_from(now)) {
        s.total += now - from;
        s.last_open = now;
    }
    s.since = 0;
    s.step_until = until;
}

}  // namespace minicorn::trace
