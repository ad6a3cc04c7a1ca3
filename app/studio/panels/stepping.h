// app/studio/panels/stepping.h — where a step through a recording lands, and
// what a learner is told about the event it lands on.
//
// The instant shown is a position n in the Recording: events [0, n) have
// happened (n = size() is "now"). A step moves n by
//   - one event (any event at all);
//   - one event of a request: the next or previous event that carries the
//     connection followed (the request the learner picked, or the one the
//     event shown belongs to);
//   - one moment: the next or previous state change of any process — a worker
//     spawned, signalled, killed or reaped; a select() or accept() begun or
//     done; a request read, handled, written, parked or closed; a pool thread
//     picking up work. Heartbeats, samples, greenlet switches, the GIL, the
//     event loops' phases, the client's steps and bookkeeping are skipped.
//
// Pure functions over the Recording; any thread that may read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/trace/recording.h"

namespace minicorn::studio {

enum class StepBy : std::uint8_t {
    Event,         // ← / →
    RequestEvent,  // shift + ← / →
    Moment,        // ctrl + ← / →
};

enum class StepDirection : std::int8_t { Back = -1, Forward = 1 };

// Is this kind a "moment": a state change of a process (see above)?
bool is_moment(trace::EventKind kind);

// The position after one step from `n` (0 ≤ n ≤ rec.size()): the new n has
// the event landed on as its last, event n - 1. `conn`: the connection
// followed (RequestEvent; 0: none). nullopt when there is nowhere to go
// (the start, the end, no further event of that kind or connection).
std::optional<std::size_t> step_from(const trace::Recording& rec, std::size_t n, StepBy by, StepDirection dir,
                                     std::uint64_t conn);

// "event 1,234 of 56,789 · 3.210 s · WriteDone, worker pid 812" for the event
// at position n - 1 (the last one that happened), in the learner's words.
std::string describe_position(const trace::Recording& rec, std::size_t n);

}  // namespace minicorn::studio
