// app/studio/panels/controls.h — the Controls panel: the worker class and
// every setting of the settings table (engine/process/settings.h), a restart
// that applies them, signals to the arbiter, kill -9 a worker, and the gate
// (pause, step, play); and the menu bar's Compare menu: the models to open
// side by side in the Compare view.
//
// The panel edits text values keyed by setting name; serve_args() turns the
// ones that differ from gunicorn's defaults into `minicorn serve` flags, and
// the engine's own parser checks them (the same words as on a terminal).
//
// Thread affinity: the main thread.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "app/studio/panels/session_status.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

struct ControlsState {
    std::map<std::string, std::string> values;  // setting name → its value as text (Setting::show)
    std::vector<std::string> applied;           // the serve args the engine runs with now
    std::string error;                          // the parser's complaint about the edited values
    pid_t kill_target = 0;                      // the worker chosen for kill -9
    int play_rate_index = 0;                    // index into kPlayRates
    bool apply_at_once = false;                 // restart as soon as a setting changes (once the edit ends)
    std::vector<std::string> compare_models = {"sync", "gthread", "gevent"};  // ticked in the Compare menu
    bool open_compare_menu = false;             // open it on the next frame (--then compare-menu)
};

// Gate speeds offered by Play: tokens (decision points) a second; 0: full speed.
inline constexpr double kPlayRates[] = {0, 100, 20, 5, 1};

// Values from `serve` args ("-k gevent -w 2"); unparseable args are reported in error.
void init_controls(ControlsState& state, const std::vector<std::string>& serve_args);
// The `minicorn serve` flags for the edited values (not -b/--trace-fd, which the session adds).
std::vector<std::string> serve_args(const ControlsState& state);
// The flags every engine of "Compare worker models" gets: serve_args with the
// worker count always said (Compare's own default is 2, not gunicorn's 1).
std::vector<std::string> compare_serve_args(const ControlsState& state);

void draw_controls(const View& view, ControlsState& state, const SessionStatus& status, Actions& actions);
// The menu bar's "Compare" menu: the models to open side by side (Action::Kind::Compare).
void draw_compare_menu(ControlsState& state, const SessionStatus& status, Actions& actions);

}  // namespace minicorn::studio
