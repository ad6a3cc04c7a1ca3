// app/studio/draw/loop_step.h — where a worker's loop is, for the stage strip
// and the words beside it: the step a thread is in, or the step it finished
// and what it does next ("the app returned 200 — next: write the response").
// With the gate closed a thread waits before its next decision point, so the
// last event it emitted usually ends a step: saying "running the app's
// handler" after HandlerEnd would lag one event behind. The strip and the
// text come from this one function, so they always agree.
//
// Pure function of the World; no ImGui.
#pragma once

#include <array>
#include <string>

#include "engine/trace/world.h"

namespace minicorn::studio {

// The sync worker's loop, as its strip shows it.
inline constexpr std::array<const char*, 6> kLoopPhaseNames{"select", "accept", "read", "handle", "write", "close"};

struct LoopStep {
    int phase = -1;     // index into kLoopPhaseNames, -1: none (idle, booting, a keep-alive step)
    bool done = false;  // the phase ended; the thread's next decision point comes next
    std::string text;   // "the app returned 200 — next: write the response"
    std::string word;   // for a connection's row: "handling", "app returned 200", "written"
};

// The step of `thread` in `proc`.
LoopStep thread_step(const trace::World& world, const trace::Process& proc, const trace::Thread& thread);
// The step of the process's main thread (its loop); the process state's phrase if it has none.
LoopStep loop_step(const trace::World& world, const trace::Process& proc);

}  // namespace minicorn::studio
