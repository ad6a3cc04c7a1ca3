// app/studio/gate_script.h — the gate's part of `--then` scripts: the actions
// a learner takes on the gate beyond pause/step/play, and a snapshot of what
// the screen says about the gate and each worker's loop, which the
// screenshot's sidecar lists (tests read it, one entry per `--then snapshot`).
//
//   step-worker:N   steps go to worker N only (by age: 1 = the oldest live one;
//                   N = busiest: the one with the most open connections)
//   step-thread:N   steps go to the busiest pool thread of worker N
//   step-anyone     steps go to whoever reaches a decision point first
//   wait:S          S seconds pass (frames are drawn meanwhile)
//   snapshot        record the snapshot now
//
// Thread affinity: the main thread.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/studio/studio.h"

namespace minicorn::studio {

// Whether `name` is one of the actions above (wait:S and snapshot included).
bool is_gate_script(const std::string& name);
// The Action for step-worker / step-thread / step-anyone; nullopt otherwise (or no such worker).
std::optional<Action> gate_script_action(const std::string& name, const Studio& studio);
// wait:S → S seconds; 0 for anything else.
double gate_script_wait_s(const std::string& name);
// What the studio shows about the gate and the workers' loops now.
nlohmann::json gate_snapshot(const Studio& studio);

}  // namespace minicorn::studio
