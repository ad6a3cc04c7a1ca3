// app/studio/studio.h — the studio's main loop body: one frame of UI over
// the trace, and the actions that come back from the panels.
//
// Owns the Session (child processes, collector thread), the Recording it
// fills, the Keyframes that fold it on a thread of their own (the World now,
// and at any earlier instant), the Metrics the Traffic and Stats panels plot,
// and every panel's State. Each frame: take the new events (append them; the
// Keyframes thread folds them), take its newest World, build the View, lay
// out the windows (as in studio-sketch.png: Topology top-left, Controls and
// Traffic/Stats/Log on the right, Timeline and the time bar along the bottom,
// a status bar), draw the panels, then carry out the Actions they returned.
//
// Thread affinity: the main thread, between ImGui::NewFrame and ImGui::Render.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/studio/file_menu.h"
#include "app/studio/gate_driver.h"
#include "app/studio/draw/highlight.h"
#include "app/studio/lesson_panel.h"
#include "app/studio/lesson_player.h"
#include "app/studio/recording_opener.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/panels/metrics.h"
#include "app/studio/panels/passport.h"
#include "app/studio/panels/controls.h"
#include "app/studio/panels/event_log.h"
#include "app/studio/panels/poll_set.h"
#include "app/studio/panels/session_status.h"
#include "app/studio/panels/time_bar.h"
#include "app/studio/panels/timeline.h"
#include "app/studio/panels/topology.h"
#include "app/studio/panels/traffic.h"
#include "app/studio/panels/view.h"
#include "app/studio/session.h"
#include "engine/trace/keyframes.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"

namespace minicorn::studio {

class CompareView;

struct StudioOptions {
    std::vector<std::string> serve_args = {"-k", "sync", "-w", "2"};  // `minicorn serve` flags
    TrafficState traffic;            // the client's settings (traffic.wanted: start it at once)
    bool synthetic = false;          // --bench-synthetic: no engine, a made-up recording
    std::size_t synthetic_events = 1'000'000;  // --bench-events N: its size
    std::string first_tab = "Traffic";  // which right-hand tab is open first: Traffic, Stats, Poll set, Event log
    std::string log_filter;             // the Event log's filter to start with
    std::string minicorn_bin;
    std::string lesson;                 // --lesson NAME: open it at once (its serve flags replace the scenario)
    std::size_t lesson_step = 1;        // --lesson-step N: the step shown first, as the panel counts (1: the first)
    bool lesson_picker = false;         // --lessons: open on the lesson picker (lesson 00 selected)
    std::string open_path;              // FILE.rec: replay this recording, no engine
    std::string save_path;              // --save FILE: save the recording there on exit
    std::vector<std::string> compare;   // --compare MODELS: open the Compare view (compare.h) with these
    std::vector<std::string> compare_flags;  // its serve flags, every model's (no -k; -c FILE rides in config_file)
    std::string config_file;            // -c FILE: a gunicorn config file (Compare: read by every server)
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
    // Takes the events collected since the last call into the Recording (the
    // Keyframes thread folds them) and the Metrics, takes the newest folded
    // World, keeps traffic going and feeds the gate.
    // Once a frame, before frame(); it is the studio's data work, measured
    // apart from the UI by --bench-frames.
    void ingest();
    // One frame of UI: call between ImGui::NewFrame and ImGui::Render.
    void frame();
    // Stops every child and the collector; with --save, saves the recording
    // (every event collected, none left behind). Once; later calls do nothing.
    void shutdown();

    // Replaces whatever is shown (the engine is stopped) by the recording in
    // `path`. False, with *error saying why in plain words, and nothing
    // changed, when it cannot be read (recording.h: Recording::load).
    bool open_recording(const std::string& path, std::string* error);
    // File → Open, a file dropped on the window: reads `path` on a thread of
    // its own (the window keeps drawing, with a progress bar), then shows it
    // as open_recording does; on failure the reason on screen (and on stderr).
    void open_recording_or_say_why(const std::string& path);
    // A file is being read (open_recording_or_say_why), or the recording shown is still being folded into keyframes.
    bool opening() const;
    // A file is being read (the first part of opening()).
    bool reading_file() const { return opener_.busy(); }
    // Shows `rec` (read from `path`) in place of the engine, as open_recording does once it has read it.
    void show_recording(trace::Recording rec, const std::string& path) { adopt_recording(std::move(rec), path); }
    // Writes every event recorded so far to `path` (the MCREC001 format).
    bool save_recording(const std::string& path, std::string* error) const;
    // A recording opened from a file is shown (no engine runs).
    bool replaying() const { return !replay_name_.empty(); }
    // Carries out `action` after the next frame, as if a panel had asked
    // (for --then: scripted screenshots and tests).
    void queue(const Action& action) { queued_.push_back(action); }
    // Carries out `command` after the next frame, as if the Lesson panel had asked.
    void queue(const LessonCommand& command) { lesson_commands_.push_back(command); }
    // Selects the request `text` names ("#34", "5:12", a lesson's name) for
    // the Passport panel, as typing it there would (--then select:ID).
    void select_request_text(const std::string& text);
    const PassportState& passport() const { return passport_; }
    // Shows or hides the keys (F1).
    void toggle_help() { show_help_ = !show_help_; }
    // Opens the menu bar's Compare menu on the next frame, as a click would (--then compare-menu).
    void open_compare_menu() { controls_.open_compare_menu = true; }

    // A worker has booted and, when traffic is wanted, requests are flowing.
    bool warmed_up() const;
    const std::vector<PanelRect>& panels() const { return rects_; }
    const trace::Recording& recording() const { return *rec_; }
    const trace::World& latest() const { return *latest_; }
    // The World shown: the latest while live, else the one looked back at.
    const trace::World& shown() const { return live_ ? *latest_ : shown_world_; }
    bool live() const { return live_; }
    // The instant shown as a position: events [0, n) have happened.
    std::size_t shown_events() const { return live_ ? rec_->size() : shown_events_; }
    const trace::Keyframes& keyframes() const { return *keys_; }
    SessionStatus status() const;
    const GateDriver& gate_driver() const { return gate_; }
    const trace::GateControl* gate_control() const { return session_.gate(); }
    // Requests' names: a lesson names its requests here ("A"), and every panel shows them so.
    RequestIndex& requests() { return requests_; }
    const LessonPlayer& lesson_player() const { return lesson_; }
    // What a lesson could ring on the last frame, by name (draw/highlight.h).
    const HighlightBoard& highlights() const { return highlights_; }
    // The Compare view while it is open (--compare), else nullptr.
    CompareView* compare() { return compare_.get(); }
    const CompareView* compare() const { return compare_.get(); }

private:
    void reset_recording();
    // Shows `rec`, read from `path`, in place of the engine (open_recording, and a finished RecordingOpener).
    void adopt_recording(trace::Recording rec, const std::string& path);
    // A RecordingOpener that finished: its recording shown, or why not said.
    void take_opened();
    // While a file is read or folded: how far, in a small window.
    void draw_open_progress();
    void restart_engine();
    // The Recording shown is `rec` from now on (the folding, the keyframes and the metrics start over).
    void replace_recording(trace::Recording rec);
    // --- time travel (studio_time.cpp) ---
    // Shows the World after events [0, n); n at the end: live (or the end of a recording) again.
    void show_event(std::size_t n);
    void show_instant(std::uint64_t t_ns);
    // n, or as far as the Keyframes have folded a recording just opened.
    std::size_t showable(std::size_t n) const;
    void step(StepBy by, StepDirection dir);
    // The arrow keys: ←/→ step (shift: the request's, ctrl: a moment); → while live and paused: a gate step.
    void handle_step_keys(Actions& actions);
    // The connection shift+←/→ follows: the one picked, or the event shown's.
    std::uint64_t followed_conn() const;
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
    // The File menu's choice, carried out.
    void carry_out(const FileRequest& request);

    // Compare (--compare): its frame instead of the usual panels; leaving starts this studio's one engine.
    void compare_frame();
    void open_compare();

    StudioOptions options_;
    std::unique_ptr<CompareView> compare_;  // open: it has the screen and the engines
    Session session_;
    std::unique_ptr<trace::Recording> rec_;
    std::unique_ptr<trace::TraceModel> model_;
    std::unique_ptr<trace::Keyframes> keys_;  // folds on its own thread: the World now and at any earlier instant
    std::shared_ptr<const trace::World> latest_;  // keys_'s newest World, taken once a frame
    Metrics metrics_;
    ControlsState controls_;
    TrafficState traffic_;
    EventLogState log_;
    TopologyState topology_;
    TimelineState timeline_;
    PassportState passport_;             // the request selected and its passport (panels/passport.h)
    PollSetState poll_set_;              // the worker the Poll set tab shows
    RequestIndex requests_;              // one name per request in every panel (draw/request_label.h)

    std::string replay_name_;            // the file shown ("" : an engine, or synthetic)
    std::string replay_class_;           // the worker class that file's engine ran ("" unknown)
    RecordingOpener opener_;             // File → Open / a drop: the file read off the UI thread
    FileMenuState file_menu_;
    FileRequest pending_file_;           // the File menu's choice this frame, carried out after it
    bool shut_down_ = false;
    bool live_ = true;
    std::uint64_t shown_ns_ = 0;
    trace::World shown_world_;           // the World at shown_ns_ when not live
    std::size_t shown_events_ = 0;       // when not live: events [0, n) make shown_world_
    std::uint64_t picked_conn_ = 0;      // the request the learner follows (0: the event shown's)
    TimeBarState time_bar_;
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
