// app/studio/panels/gate_controls.h — the Controls panel's row for the step
// gate: Pause, Step, Play at fixed places (a label that changes never moves
// the next button under the mouse), the speed, whose steps they are (this
// worker / thread / connection), and what the gate is doing, in words.
//
// Thread affinity: the main thread, inside the Controls window.
#pragma once

#include "app/studio/panels/controls.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

void draw_gate_controls(const View& view, ControlsState& state, bool engine_up, Actions& actions);

}  // namespace minicorn::studio
