// app/studio/time_script.h — the time bar's part of `--then` scripts, and
// what the screenshot's sidecar says about the instant shown (tests read it).
//
//   back:N, forward:N   step N events back / forward (the ← / → keys)
//   moment-back, moment-forward     ctrl+← / ctrl+→: the previous / next state change of a process
//   request-back, request-forward   shift+← / shift+→: the request followed's previous / next event
//   scrub:F             drag the time bar to F of the recording (0: its first event, 1: its last)
//   live                "back to live" (a recording: "to the end")
//
// Thread affinity: the main thread.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/studio/studio.h"

namespace minicorn::studio {

// Whether `name` is one of the actions above.
bool is_time_script(const std::string& name);
// The Actions `name` stands for (empty when it is none of the above).
std::vector<Action> time_script_actions(const std::string& name, const Studio& studio);
// The instant shown: live or not, its position, its time, and a digest of the World there.
nlohmann::json time_snapshot(const Studio& studio);

}  // namespace minicorn::studio
