// app/studio/gate_driver.h — the studio's hand on the step gate: Pause, Step,
// Play (full speed opens the gate; a slower speed keeps it closed and grants
// that many steps a second), the step target (this worker / thread /
// connection only), and the words that say where the steps go.
//
// Thread affinity: the studio's main thread. Holds no engine object: it acts
// through the Session's GateControl, which may be replaced by a restart.
#pragma once

#include <cstdint>
#include <string>

#include "app/studio/panels/view.h"
#include "engine/trace/gate.h"
#include "engine/trace/world.h"

namespace minicorn::studio {

class GateDriver {
public:
    // A new engine run: the gate is open, nobody targeted.
    void reset();
    // Carries out a gate action (GatePause, GateStep, GatePlay, GateTarget);
    // `rate` is the play speed chosen in the Controls (steps a second, 0: full speed).
    void act(trace::GateControl* gate, const Action& action, double rate);
    // Once a frame: slow play grants its tokens; a speed picked while playing
    // takes effect at once; the note about where steps go is refreshed.
    void pump(trace::GateControl* gate, double rate, const trace::World& world, double now_s);

    // Someone else (a lesson's pause_when, pause, play) closed or opened the
    // gate: the buttons say what the gate does now.
    void follow(const trace::GateControl* gate);

    bool paused() const { return paused_; }
    // Playing slowly: the gate steps a second; 0 otherwise.
    double play_rate() const { return slow_playing_ ? rate_ : 0; }
    const trace::GateTarget& target() const { return target_; }
    // "the last step went to worker 2 (PollWait)", "the step waits for worker 1: …"; "" while running.
    const std::string& note() const { return note_; }

private:
    void close(trace::GateControl& gate);
    void play(trace::GateControl& gate, double rate);
    void refresh_note(const trace::GateControl& gate, const trace::World& world, double now_s);

    bool paused_ = false;        // the gate is closed
    bool slow_playing_ = false;  // closed, but tokens flow at rate_
    double rate_ = 0;            // the speed in force while playing
    double token_credit_ = 0;    // slow play: tokens owed to the gate
    double last_pump_s_ = 0;
    double step_asked_s_ = 0;    // when the last step was granted (a step not taken for long is news)
    trace::GateTarget target_;
    std::string note_;
};

// "worker 2", "the client", "the arbiter", "pid 1234".
std::string gate_party(const trace::World& world, pid_t pid);
// "worker 2 (pid 4122)", "thread 4125 of worker 2", "connection :53122": what a target means.
std::string describe_target(const trace::World& world, const trace::GateTarget& target);

}  // namespace minicorn::studio
