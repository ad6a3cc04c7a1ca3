// app/studio/panels/status_bar.h — the bar along the bottom: the engine, the
// client, the recording, the gate and who took the last step.
//
// Each part has a long and a short form; the bar takes, for each in turn, the
// longest that fits what is left of its line, and starts a new line when even
// the shortest does not — so nothing is cut off at 1280 px and the gate's
// note ("last step: worker 1 (HandlerStart) · steps go to worker 1 only")
// stays whole. Its texts are noted for the layout checker (draw/text_layout.h)
// like every panel's.
//
// The main thread, inside an ImGui frame (the sizes are the current font's).
#pragma once

#include <string>
#include <vector>

#include <imgui.h>

#include "app/studio/panels/session_status.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

struct StatusPart {
    std::vector<std::string> forms;  // longest first; the last is the shortest
    ImU32 color = 0;                 // 0: the normal text colour
    std::string tip;                 // said on hover ("" none)
    bool restart = false;            // a Restart button follows it
};

// The bar's parts, in order. `behind`: events collected but not yet shown.
std::vector<StatusPart> status_parts(const View& view, const SessionStatus& st, bool behind);

// One placed part: which line, which form.
struct StatusPlace {
    std::size_t line = 0;
    std::size_t form = 0;
};
// Places `parts` on lines `width` wide (the gap between parts included).
std::vector<StatusPlace> place_status(const std::vector<StatusPart>& parts, float width);

// The bar's height for `parts` in a window `width` wide: one line or more.
float status_bar_height(const std::vector<StatusPart>& parts, float width);

// Draws the bar's window at (0, y), `width` wide; a Restart click becomes an action.
void draw_status_bar(const std::vector<StatusPart>& parts, float y, float width, Actions& actions);

}  // namespace minicorn::studio
