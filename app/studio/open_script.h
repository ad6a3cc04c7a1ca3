// app/studio/open_script.h — the `--then open:FILE.rec` script: File → Open as
// a person would do it, the file read and folded off the UI thread while the
// frames go on being drawn, and what that cost the frames.
//
// Thread affinity: the main thread.
#pragma once

#include <functional>
#include <string>

#include "app/studio/studio.h"

namespace minicorn::studio {

// Whether `name` is "open:FILE".
bool is_open_script(const std::string& name);
// Opens the file `name` names, drawing frames (`draw_frame`) until it is read
// and folded (at most 600 s, or until `stop` says so), then prints how many
// frames were drawn in each part and how long they took.
void run_open_script(Studio& studio, const std::string& name, const std::function<void()>& draw_frame,
                     const std::function<bool()>& stop);

}  // namespace minicorn::studio
