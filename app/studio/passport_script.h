// app/studio/passport_script.h — the Passport's part of `--then` scripts, and
// what the screenshot's sidecar says about the request selected (tests read it).
//
//   select:ID   select a request as typing ID in the Passport panel would:
//               "#34" / "34" (the client's 34th request), "5:12" (an id), or a
//               lesson's name ("A")
//
// Thread affinity: the main thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "app/studio/studio.h"

namespace minicorn::studio {

// Whether `name` is select:ID.
bool is_passport_script(const std::string& name);
// Carries out select:ID (nothing for another name).
void run_passport_script(const std::string& name, Studio& studio);
// The request selected and its stages: {"request", "latency_ms", "stages": [{"stage", "part", "ms", "reason"}]},
// null when none is.
nlohmann::json passport_snapshot(const Studio& studio);

}  // namespace minicorn::studio
