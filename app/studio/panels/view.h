// app/studio/panels/view.h — what every panel of the studio reads, and the
// one signature every panel has.
//
// The studio's main loop (app/studio/studio.cpp) owns the Recording (filled by
// the collector), the TraceModel over it and the playback position; each frame
// it builds one View and hands it to the panels. Panels only read the View
// (the trace) and their own *State; what they want done to the engine (a
// signal, a restart, a gate step) they return as Actions, which the session
// carries out. No panel talks to a process directly.
//
// Thread affinity: the studio's main thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/studio/panels/stepping.h"
#include "engine/trace/gate.h"
#include "engine/trace/keyframes.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::studio {

struct View {
    const trace::World& world;          // the World at the instant shown (now_ns)
    const trace::Recording& rec;        // every event so far, time-ordered
    const trace::TraceModel& model;     // for world_at() when a panel needs another instant
    std::uint64_t now_ns = 0;           // the instant shown (live: the newest event's time)
    bool live = true;                   // following the newest events
    bool paused = false;                // the gate is closed (stepping, or playing slowly)
    std::string worker_class;           // "sync", "gevent", … as the engine was started
    int num_workers = 0;
    // The paths of minicorn load's mix, in its order: the trace says only
    // "path #2" (ClientSendStart a1); the studio knows which one that is.
    std::vector<std::string> mix_paths = {};

    // Path #index+1 of the mix as the learner wrote it ("/io?ms=50"), or "#N" when not known.
    std::string mix_path(std::int64_t index) const {
        if (index >= 0 && static_cast<std::size_t>(index) < mix_paths.size()) return mix_paths[static_cast<std::size_t>(index)];
        return "#" + std::to_string(index + 1);
    }
    double play_rate = 0;               // playing slowly: gate steps a second; 0: paused or full speed
    trace::GateTarget step_target{};    // whose decision points the steps go to (anyone: all zero)
    std::string gate_note{};            // who took the last step, or why a step waits ("" when running)
    // Time travel: the World at any earlier instant from keyframes (keyframes.h),
    // when the studio keeps them (nullptr: use model.world_at).
    const trace::Keyframes* keys = nullptr;
    std::size_t shown_events = 0;       // the instant shown as a position: events [0, n) have happened
    std::uint64_t followed_conn = 0;    // the request (connection) shift+←/→ steps through (0: none)
    bool replaying = false;             // a recording opened from a file (no engine)
    // The request the learner selected (the Passport panel): its server and
    // client connections and requests, for the outlines (0: none, or not known).
    std::uint64_t selected_conn = 0, selected_req = 0;
    std::uint64_t selected_client_conn = 0, selected_client_req = 0;
    std::uint64_t selected_from_ns = 0, selected_to_ns = 0;  // its life, as its passport tells it
};

// What a panel asks the session to do; carried out after the frame.
struct Action {
    enum class Kind {
        SignalArbiter,   // signo: TTIN, TTOU, HUP, TERM
        KillWorker,      // pid, SIGKILL
        Restart,         // restart serve (and load) with the settings in the Controls panel
        GatePause, GateStep, GatePlay,
        GateTarget,      // pid / tid / conn: steps go only to that worker, thread or connection (all 0: anyone)
        TrafficStart, TrafficStop,
        FollowLive,      // leave replay, follow the newest events again
        ShowInstant,     // t_ns: show the World at that instant (timeline click, the time bar)
        ShowEvent,       // index: show the World after events [0, index) (index = the size: back to live)
        Step,            // step_by, direction: one step through the recording (stepping.h)
        SelectRequest,   // conn: the request a server or client connection carries; else t_ns: a request id (Passport)
        Compare,         // open the Compare view on the models ticked in the Controls panel
    };
    Kind kind;
    int signo = 0;
    pid_t pid = 0;
    std::uint64_t t_ns = 0;
    pid_t tid = 0;            // GateTarget
    std::uint64_t conn = 0;   // GateTarget
    std::size_t index = 0;    // ShowEvent
    StepBy step_by = StepBy::Event;                   // Step
    StepDirection direction = StepDirection::Forward;  // Step
};
using Actions = std::vector<Action>;

}  // namespace minicorn::studio
