// app/studio/studio.h — the studio's main loop body: one frame of UI over
// the trace, and the actions that come back from the panels.
//
// Owns the Session (child processes, collector thread), the Recording it
// fills, the TraceModel folded over it, the Metrics the Traffic and Stats
// panels plot, and every panel's State. Each frame: take the new events, fold
// them, build the View, lay out the windows (as in studio-sketch.png:
// Topology top-left, Controls and Traffic/Stats/Log on the right, Timeline
// along the bottom, a status bar), draw the panels, then carry out the
// Actions they returned.
//
// Thread affinity: the main thread, between ImGui::NewFrame and ImGui::Render.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/studio/gate_driver.h"
#include "app/studio/draw/highlight.h"
#include "app/studio/lesson_panel.h"
#include "app/studio/lesson_player.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/panels/metrics.h"
#include "app/studio/panels/controls.h"
#include "app/studio/panels/event_log.h"
#include "app/studio/panels/session_status.h"
#include "app/studio/panels/timeline.h"
#include "app/studio/panels/topology.h"
#include "app/studio/panels/traffic.h"
#include "app/studio/panels/view.h"
#include "app/studio/session.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"

namespace minicorn::studio {

struct StudioOptions {
    std::vector<std::string> serve_args = {"-k", "sync", "-w", "2"};  // `minicorn serve` flags
    TrafficState traffic;            // the client's settings (traffic.wanted: start it at once)
    bool synthetic = false;          // --bench-synthetic: no engine, a made-up recording
    std::string first_tab = "Traffic";  // which right-hand tab is open first: Traffic, Stats, Event log
    std::string log_filter;             // the Event log's filter to start with
    std::string minicorn_bin;
    std::string lesson;                 // --lesson NAME: open it at once (its serve flags replace the scenario)
    std::size_t lesson_step = 1;        // --lesson-step N: the step shown first, as the panel counts (1: the first)
    bool lesson_picker = false;         // --lessons: open on the lesson picker (lesson 00 selected)
};

// Where a panel was drawn in the last frame (for --screenshot's sidecar).
struct PanelRect {
    std::string name;
    float x = 0, y = 0, w = 0, h = 0;
};

class Studio {
public:
    explicit Studio(StudioOptions options);
    ~Studio();
    Studio(const Studio&) = delete;
    Studio& operator=(const Studio&) = delete;

    // Starts the engine (or builds the synthetic recording). False with
    // *error if `minicorn serve` could not be started at all.
    bool start(std::string* error);
    // Takes the events collected since the last call, folds them into the
    // TraceModel and the Metrics, keeps traffic going and feeds the gate.
    // Once a frame, before frame(); it is the studio's data work, measured
    // apart from the UI by --bench-frames.
    void ingest();
    // One frame of UI: call between ImGui::NewFrame and ImGui::Render.
    void frame();
    // Stops every child and the collector.
    void shutdown();
    // Carries out `action` after the next frame, as if a panel had asked
    // (for --then: scripted screenshots and tests).
    void queue(const Action& action) { queued_.push_back(action); }
    // Carries out `command` after the next frame, as if the Lesson panel had asked.
    void queue(const LessonCommand& command) { lesson_commands_.push_back(command); }
    // Shows or hides the keys (F1).
    void toggle_help() { show_help_ = !show_help_; }

    // A worker has booted and, when traffic is wanted, requests are flowing.
    bool warmed_up() const;
    const std::vector<PanelRect>& panels() const { return rects_; }
    const trace::Recording& recording() const { return *rec_; }
    const trace::World& latest() const { return model_->latest(); }
    SessionStatus status() const;
    const GateDriver& gate_driver() const { return gate_; }
    const trace::GateControl* gate_control() const { return session_.gate(); }
    // Requests' names: a lesson names its requests here ("A"), and every panel shows them so.
    RequestIndex& requests() { return requests_; }
    const LessonPlayer& lesson_player() const { return lesson_; }
    // What a lesson could ring on the last frame, by name (draw/highlight.h).
    const HighlightBoard& highlights() const { return highlights_; }

private:
    void reset_recording();
    void restart_engine();
    // A lesson's engine: these serve flags, no background client (the lesson brings its own).
    bool launch(std::string* error);
    void stop_and_clear();
    bool restart_with(const std::vector<std::string>& args, std::string* error);
    void carry_out(const LessonCommands& commands);
    void draw_lesson_window(float x, float y, float w, float h);
    void ring_highlights();
    // A new step: the tab its highlight names is selected once.
    void follow_lesson_step();
    // Tells the highlight board what the step points at (and whether it just began).
    void want_highlights();
    // The lesson started the client with `args` (nullptr: stopped it): the Traffic panel says so.
    void follow_lesson_load(const std::vector<std::string>* args);
    // The lesson's request names → their server connection, in `world`.
    std::map<std::string, std::uint64_t> request_conns(const trace::World& world) const;
    void keep_traffic_going();
    void pump_gate();
    void handle_keys(Actions& actions);
    void carry_out(const Actions& actions);
    void draw_windows(const View& view, Actions& actions);
    void record_panel(const char* name);
    void draw_tabs(const View& view, const SessionStatus& st, Actions& actions, bool lesson_open, PanelRect at);
    void draw_help();
    void begin_panel(const char* name, float x, float y, float w, float h);

    StudioOptions options_;
    Session session_;
    std::unique_ptr<trace::Recording> rec_;
    std::unique_ptr<trace::TraceModel> model_;
    Metrics metrics_;
    ControlsState controls_;
    TrafficState traffic_;
    EventLogState log_;
    TopologyState topology_;
    TimelineState timeline_;
    RequestIndex requests_;              // one name per request in every panel (draw/request_label.h)

    bool live_ = true;
    std::uint64_t shown_ns_ = 0;
    trace::World shown_world_;           // the World at shown_ns_ when not live
    GateDriver gate_;                    // Pause / Step / Play / the step target
    bool traffic_launched_ = false;      // the client was started for this engine run
    bool show_help_ = false;
    int frame_no_ = 0;
    std::vector<PanelRect> rects_;
    Actions queued_;
    LessonPlayer lesson_;                // the lesson open now, or the picker (lesson_player.h)
    LessonCommands lesson_commands_;     // what the Lesson panel asked this frame
    HighlightBoard highlights_;          // rebuilt every frame
    std::string tab_for_step_;           // the tab a step's highlight selects, once ("" none)
    std::string step_key_;               // the lesson step last seen ("01-…#2")
    int step_arriving_ = 0;              // frames left in which the step counts as just begun
};

}  // namespace minicorn::studio
