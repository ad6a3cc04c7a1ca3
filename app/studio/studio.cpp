// app/studio/studio.cpp — see studio.h.
//
// Index
//   [SECTION] Engine        — start, restart, traffic, events, the gate
//   [SECTION] Frame         — keys, the View, actions
//   [SECTION] Layout        — the windows and the status bar
#include "app/studio/studio.h"

#include <imgui.h>
#include <signal.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes: ImGui 1.86's GLFW backend indexes keys by them

#include <algorithm>
#include <cctype>
#include <utility>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "app/studio/compare.h"
#include "app/studio/panels/legend.h"
#include "app/studio/panels/topology_highlights.h"
#include "app/studio/panels/stats.h"
#include "app/studio/panels/status_bar.h"
#include "app/studio/panels/widgets.h"
#include "app/studio/synthetic.h"
#include "app/studio/traffic_mix.h"
#include "engine/process/config.h"
#include "engine/process/settings.h"

namespace minicorn::studio {

namespace {

// The live TraceModel keeps no keyframes of its own (Keyframes does, off this thread).
constexpr std::size_t kNoKeyframes = std::numeric_limits<std::size_t>::max();

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
    ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;

}  // namespace

Studio::Studio(StudioOptions options)
    : options_(std::move(options)),
      session_(options_.minicorn_bin.empty() ? find_minicorn_bin() : options_.minicorn_bin),
      lesson_(StudioHost::Hooks{
          [this](const std::vector<std::string>& args, std::string* error) { return restart_with(args, error); },
          [this](const std::vector<std::string>* args) { follow_lesson_load(args); }}) {
    traffic_ = options_.traffic;
    log_.filter = options_.log_filter;
    init_controls(controls_, options_.serve_args);
    reset_recording();
}

Studio::~Studio() { shutdown(); }

// ============================================================================
// [SECTION] Engine
// ============================================================================

void Studio::reset_recording() { replace_recording(trace::Recording()); }

void Studio::replace_recording(trace::Recording rec) {
    keys_.reset();  // its thread reads the Recording: gone first
    model_.reset();
    if (!rec_) rec_ = std::make_unique<trace::Recording>();
    *rec_ = std::move(rec);
    // Not folded here: Keyframes folds on its own thread (latest_ is its newest
    // World). The View still names a TraceModel, for panels shown without Keyframes.
    model_ = std::make_unique<trace::TraceModel>(*rec_, kNoKeyframes);
    keys_ = std::make_unique<trace::Keyframes>(*rec_);
    // A recording opened whole is folded on the Keyframes thread while the
    // window shows how far it got (draw_open_progress); the synthetic
    // benchmark's is folded before it is measured.
    if (options_.synthetic) keys_->wait_idle();
    latest_ = keys_->latest();
    metrics_ = Metrics();
    metrics_.update(*rec_, *latest_);
    live_ = true;
    shown_world_ = trace::World();
    shown_events_ = 0;
    picked_conn_ = 0;
    time_bar_ = TimeBarState();
    lesson_.rebind(*rec_);
}

bool Studio::start(std::string* error) {
    if (!options_.open_path.empty()) return open_recording(options_.open_path, error);
    if (options_.synthetic) {
        SyntheticShape shape;
        shape.events = options_.synthetic_events;
        replace_recording(synthetic_recording(shape));
        return true;
    }
    if (!options_.lesson.empty()) {
        // The lesson's own scenario: opening it starts the engine.
        const std::string name = std::exchange(options_.lesson, "");
        return lesson_.open(name, options_.lesson_step > 0 ? options_.lesson_step - 1 : 0, session_, error);
    }
    if (std::exchange(options_.lesson_picker, false)) lesson_.show_picker("00");
    if (!options_.compare.empty()) {
        compare_ = std::make_unique<CompareView>(CompareOptions{options_.compare, options_.compare_flags,
                                                                options_.config_file, traffic_, options_.minicorn_bin});
        return compare_->start(error);
    }
    return launch(error);
}

bool Studio::launch(std::string* error) {
    controls_.applied = serve_args(controls_);
    traffic_launched_ = false;
    gate_.reset();
    return session_.start_serve(controls_.applied, error);
}

void Studio::stop_and_clear() {
    session_.stop();
    reset_recording();
    log_ = EventLogState();
    log_.filter = options_.log_filter;
}

bool Studio::restart_with(const std::vector<std::string>& args, std::string* error) {
    init_controls(controls_, args);
    traffic_.wanted = false;  // a lesson brings its own traffic
    stop_and_clear();
    return launch(error);
}

void Studio::restart_engine() {
    if (options_.synthetic) return;
    replay_name_.clear();
    stop_and_clear();
    std::string error;
    if (!launch(&error)) std::fprintf(stderr, "minicorn-studio: restart failed: %s\n", error.c_str());
}

void Studio::keep_traffic_going() {
    if (options_.synthetic || !traffic_.wanted || traffic_launched_) return;
    if (!session_.running() || session_.port() == 0) return;
    // Wait for a booted worker, so the first requests are not all queued behind the boot.
    const auto workers = latest_->workers();
    bool booted = std::any_of(workers.begin(), workers.end(), [](const trace::Process* p) { return p->booted_ns != 0; });
    if (!booted) return;
    std::string error;
    traffic_.applied = load_args(traffic_);
    if (!session_.start_load(traffic_.applied, &error)) {
        std::fprintf(stderr, "minicorn-studio: client: %s\n", error.c_str());
    }
    traffic_launched_ = true;
}

void Studio::ingest() {
    if (compare_) {
        compare_->ingest();
        return;
    }
    take_opened();
    if (options_.synthetic || replaying()) {
        latest_ = keys_->latest();  // a recording being folded: the newest part folded
        return;
    }
    // The events go into the Recording here; they are folded on the Keyframes
    // thread, whose newest World this frame shows.
    if (session_.update(*rec_) > 0) keys_->poke();
    latest_ = keys_->latest();
    metrics_.update(*rec_, *latest_);
    for (LogLine& l : session_.log_lines(log_.output_seq)) {
        log_.output_seq = l.seq;
        log_.output.push_back(std::move(l));
    }
    if (log_.output.size() > Session::kMaxLogLines) {
        log_.output.erase(log_.output.begin(),
                          log_.output.begin() + static_cast<std::ptrdiff_t>(log_.output.size() - Session::kMaxLogLines));
    }
    keep_traffic_going();
    lesson_.tick(requests_);
    gate_.follow(session_.gate());
    pump_gate();
}

// Slow play: the gate stays closed and the studio hands it tokens at the chosen rate.
void Studio::pump_gate() {
    gate_.pump(session_.gate(), kPlayRates[controls_.play_rate_index], *latest_, seconds_now());
}

SessionStatus Studio::status() const {
    SessionStatus st;
    if (replaying()) {
        st.engine = SessionStatus::Engine::Replay;
        st.replay_name = replay_name_;
    } else if (options_.synthetic) {
        st.engine = SessionStatus::Engine::Synthetic;
    } else if (session_.serve().state == ChildState::Running) {
        st.engine = session_.port() ? SessionStatus::Engine::Running : SessionStatus::Engine::Starting;
    } else {
        st.engine = SessionStatus::Engine::Exited;
    }
    st.serve_pid = session_.serve().pid;
    st.port = session_.port();
    st.serve_command = session_.serve().command;
    st.serve_exit = session_.serve().exit_text;
    for (auto it = log_.output.rbegin(); it != log_.output.rend(); ++it) {
        if (!it->from_client) {
            st.serve_last_line = it->text;
            break;
        }
    }
    if (session_.load().state == ChildState::Running) {
        st.client = SessionStatus::Client::Running;
        st.client_command = session_.load().command;
    } else if (session_.load().state == ChildState::Exited) {
        st.client = SessionStatus::Client::Exited;
        st.client_exit = session_.load().exit_text;
    }
    st.backlog = session_.backlog();
    st.gate_closed = gate_.paused();
    st.lesson_running = lesson_.mode() == LessonPlayer::Mode::Running;
    st.play_rate = gate_.play_rate();
    return st;
}

bool Studio::warmed_up() const {
    if (compare_) return compare_->warmed_up();
    if (options_.synthetic || replaying()) return !opening();
    if (lesson_.mode() == LessonPlayer::Mode::Running) {
        // A lesson is ready to look at when its step waits for the learner:
        // a pick to make, a frozen instant, Next.
        if (lesson_.catching_up()) return false;
        if (!lesson_.started()) return true;
        const auto p = lesson_.phase();
        return p == lesson::StepPhase::Paused || lesson_.step_over();
    }
    if (session_.serve().state == ChildState::Exited) return true;  // nothing more will come
    const auto workers = latest_->workers();
    bool booted = std::any_of(workers.begin(), workers.end(), [](const trace::Process* p) { return p->booted_ns != 0; });
    if (!booted) return false;
    return !traffic_.wanted || metrics_.total_requests() > 0;
}

// ============================================================================
// [SECTION] Frame
// ============================================================================

void Studio::handle_keys(Actions& actions) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;  // typing in a field: the keys are the field's
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
        actions.push_back(make_action(gate_.paused() && gate_.play_rate() == 0 ? Action::Kind::GatePlay
                                                                              : Action::Kind::GatePause));
    }
    handle_step_keys(actions);
    if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) show_help_ = !show_help_;
}

void Studio::carry_out(const Actions& actions) {
    trace::GateControl* gate = session_.gate();
    for (const Action& a : actions) {
        switch (a.kind) {
        case Action::Kind::SignalArbiter:
            session_.signal_arbiter(a.signo);
            break;
        case Action::Kind::KillWorker:
            session_.kill_worker(a.pid);
            break;
        case Action::Kind::Restart:
            restart_engine();
            return;  // the gate and the World are new
        case Action::Kind::GatePlay:
            lesson_.resume();  // a lesson frozen at its pause_when: Play is Continue
            [[fallthrough]];
        case Action::Kind::GatePause:
        case Action::Kind::GateStep:
        case Action::Kind::GateTarget:
            gate_.act(gate, a, kPlayRates[controls_.play_rate_index]);
            break;
        case Action::Kind::TrafficStart:
            traffic_.wanted = true;
            traffic_launched_ = false;
            session_.stop_load();
            break;
        case Action::Kind::TrafficStop:
            traffic_.wanted = false;
            session_.stop_load();
            break;
        case Action::Kind::FollowLive:
            live_ = true;
            break;
        case Action::Kind::ShowInstant:
            show_instant(a.t_ns);
            break;
        case Action::Kind::ShowEvent:
            show_event(a.index);
            break;
        case Action::Kind::Step:
            step(a.step_by, a.direction);
            break;
        case Action::Kind::SelectRequest:
            if (select_request(passport_, *rec_, shown(), a.t_ns, a.conn)) picked_conn_ = passport_.ids->server_conn;
            tab_for_step_ = "Passport";
            break;
        case Action::Kind::Compare:
            open_compare();
            return;  // this engine is gone; the Compare view has the screen
        }
    }
}

void Studio::frame() {
    ++frame_no_;
    if (compare_) {
        compare_frame();
        return;
    }
    std::string worker_class = "sync";
    int num_workers = 1;
    {
        process::Config cfg;
        process::parse_serve_args(controls_.applied, cfg);
        worker_class = cfg.effective_worker_class();
        num_workers = cfg.workers;
    }
    const trace::World& world = live_ ? *latest_ : shown_world_;
    if (replaying()) {
        // A recording says which worker class ran it (the Controls keep the settings for a live engine).
        if (!replay_class_.empty()) worker_class = replay_class_;
        num_workers = static_cast<int>(world.workers().size());
    }
    View view{world, *rec_, *model_, live_ ? world.now_ns : shown_ns_, live_, gate_.paused(), worker_class, num_workers};
    for (const auto& entry : parse_mix(traffic_.mix).entries) view.mix_paths.push_back(entry.path);
    view.play_rate = gate_.play_rate();
    view.step_target = gate_.target();
    view.gate_note = gate_.note();
    view.keys = keys_.get();
    view.shown_events = shown_events();
    view.followed_conn = followed_conn();
    view.replaying = replaying();
    update_passport(passport_, view);
    if (passport_.ids) {
        view.selected_conn = passport_.ids->server_conn;
        view.selected_req = passport_.ids->server_req;
        view.selected_client_conn = passport_.ids->client_conn;
        view.selected_client_req = passport_.ids->client_req;
        if (!passport_.passport.stages.empty()) {
            view.selected_from_ns = passport_.passport.stages.front().start_ns;
            view.selected_to_ns = passport_.passport.stages.back().end_ns();
        }
    }
    requests_.update(*rec_);
    set_request_naming({&requests_, &view.mix_paths});
    Actions actions;
    actions.swap(queued_);
    handle_keys(actions);
    follow_lesson_step();
    highlights_.clear();
    want_highlights();
    set_highlight_board(&highlights_);
    draw_windows(view, actions);
    for (const PanelRect& r : rects_) {
        std::string name = r.name;
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        note_highlight(name, r.x, r.y, r.x + r.w, r.y + r.h);
    }
    ring_highlights();
    set_highlight_board(nullptr);
    if (show_help_) draw_help();
    draw_open_progress();
    set_request_naming({});
    carry_out(actions);
    carry_out(std::exchange(pending_file_, FileRequest{}));
    LessonCommands commands;
    commands.swap(lesson_commands_);
    carry_out(commands);
}

// ============================================================================
// [SECTION] Layout
// ============================================================================
// Fixed, as in studio-sketch.png: Topology top-left and large, Timeline under
// it, the right column Controls above a tabbed Traffic / Stats / Event log,
// and a one-line status bar along the bottom. Sizes follow the window.

void Studio::begin_panel(const char* name, float x, float y, float w, float h) {
    ImGui::SetNextWindowPos(ImVec2(x, y));
    ImGui::SetNextWindowSize(ImVec2(w, h));
    ImGui::Begin(name, nullptr, kPanelFlags);
}

// Notes where the current window is, under `name` (for the sidecar and the highlights).
void Studio::record_panel(const char* name) {
    const ImVec2 p = ImGui::GetWindowPos();
    const ImVec2 sz = ImGui::GetWindowSize();
    rects_.push_back(PanelRect{name, p.x, p.y, sz.x, sz.y});
}

void Studio::draw_windows(const View& view, Actions& actions) {
    rects_.clear();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    FileRequest file_request;
    const float menu_h = draw_file_menu(file_menu_, replaying(), file_request);
    pending_file_ = file_request;
    const SessionStatus st = status();
    draw_compare_menu(controls_, st, actions);
    // The status bar first: it takes a second line when its parts do not fit one.
    const std::vector<StatusPart> status_line = status_parts(view, st, st.backlog > Session::kMaxEventsPerFrame);
    const float status_h = status_bar_height(status_line, display.x);
    const float em = ImGui::GetFontSize() / 15.0f;  // the text scale (HiDPI, Ctrl + / Ctrl -)
    const float right_w = std::clamp(display.x * 0.27f, 360.0f * em, std::max(470.0f * em, display.x * 0.27f));
    const float left_w = display.x - right_w;
    const float top = menu_h;  // the panels start under the menu bar
    const float body_h = display.y - status_h;
    const float top_h = top + std::floor((body_h - top) * 0.58f);
    const float controls_h = top + std::floor((body_h - top) * 0.44f);

    // --- Topology ---
    char title[160];
    // The arbiter's own count once it has one: TTIN and TTOU change it.
    const long long wanted = view.world.arbiter.workers_wanted > 0 ? view.world.arbiter.workers_wanted : view.num_workers;
    if (view.world.arbiter.stopped) {
        std::snprintf(title, sizeof title, "Topology \u2014 %s, stopped###Topology", view.worker_class.c_str());
    } else {
        std::snprintf(title, sizeof title, "Topology \u2014 %s, %lld worker%s###Topology", view.worker_class.c_str(),
                      wanted, wanted == 1 ? "" : "s");
    }
    begin_panel(title, 0, top, left_w, top_h - top);
    record_panel("Topology");
    if (st.engine == SessionStatus::Engine::Exited) {
        ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0.35f, 0.08f, 0.08f, 1.0f));
        ImGui::BeginChild("##dead", ImVec2(0, ImGui::GetFrameHeightWithSpacing() * 3.3f), true);
        ImGui::TextWrapped("\u26A0 The engine has exited (%s). Its last words: %s", st.serve_exit.c_str(),
                           st.serve_last_line.empty() ? "(none)" : st.serve_last_line.c_str());
        if (ImGui::Button("Restart the engine")) actions.push_back(make_action(Action::Kind::Restart));
        ImGui::SameLine();
        ImGui::TextDisabled("with the settings in Controls; the recording below is the last run's");
        ImGui::EndChild();
        ImGui::PopStyleColor();
    }
    draw_topology(view, topology_, actions);
    outline_selected(topology_, view);
    pick_worker_from_topology(topology_, poll_set_);
    note_topology_highlights(topology_, view.world, request_conns(view.world));
    ImGui::End();

    // --- Timeline ---
    const std::string shown = replaying() ? "recording " + replay_name_ + (view.live ? "" : ", looking back")
                              : view.live ? (view.paused ? "live, gate closed" : "live")
                                          : "looking back (the engine keeps recording)";
    std::snprintf(title, sizeof title, "Timeline \u2014 %s###Timeline", shown.c_str());
    const float bar_h = std::ceil(time_bar_height());
    begin_panel(title, 0, top_h, left_w, body_h - top_h - bar_h);
    record_panel("Timeline");
    draw_timeline(view, timeline_, actions);
    ImGui::End();

    // --- the time bar: the whole recording, scrub and step ---
    begin_panel("Time \u2014 the whole recording: drag to look back###TimeBar", 0, body_h - bar_h, left_w, bar_h);
    record_panel("Time bar");
    draw_time_bar(view, time_bar_, actions);
    ImGui::End();

    // --- Lesson (while one is open: Controls moves into the tabs below it) or Controls ---
    const bool lesson_open = lesson_.mode() != LessonPlayer::Mode::Off;
    const float upper_h = lesson_open ? top + std::floor((body_h - top) * 0.55f) : controls_h;
    if (lesson_open) {
        draw_lesson_window(left_w, top, right_w, upper_h - top);
        record_panel("Lesson");
        ImGui::End();
    } else {
        begin_panel("Controls", left_w, top, right_w, controls_h - top);
        record_panel("Controls");
        draw_controls(view, controls_, st, actions);
        ImGui::End();
    }

    // --- Traffic / Stats / Event log (tabs) ---
    draw_tabs(view, st, actions, lesson_open, PanelRect{"", left_w, upper_h, right_w, body_h - upper_h});

    draw_status_bar(status_line, body_h, display.x, actions);
    rects_.push_back(PanelRect{"Status bar", 0, body_h, display.x, status_h});
}

// The right column's lower window: Traffic, Stats, Event log, Legend — and
// Controls while a lesson takes the upper one, or the Lessons tab when none does.
void Studio::draw_tabs(const View& view, const SessionStatus& st, Actions& actions, bool lesson_open, PanelRect at) {
    begin_panel("Traffic, stats and log###Right", at.x, at.y, at.w, at.h);
    // Eight tabs do not fit the column's width: shrunk, ImGui cut their names
    // ("Event l…", "Passpo…"); scrolled, every name stays whole, and the list
    // button at the left names them all.
    if (ImGui::BeginTabBar("##right", ImGuiTabBarFlags_FittingPolicyScroll | ImGuiTabBarFlags_TabListPopupButton)) {
        auto tab = [&](const char* name) {
            ImGuiTabItemFlags flags = frame_no_ <= 2 && options_.first_tab == name ? ImGuiTabItemFlags_SetSelected : 0;
            if (tab_for_step_ == name) {
                flags = ImGuiTabItemFlags_SetSelected;
                tab_for_step_.clear();
            }
            return ImGui::BeginTabItem(name, nullptr, flags);
        };
        if (lesson_open && tab("Controls")) {
            record_panel("Controls");
            ImGui::BeginChild("##controls");  // the content scrolls, the tabs stay
            draw_controls(view, controls_, st, actions);
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        if (tab("Traffic")) {
            record_panel("Traffic");
            draw_traffic(view, traffic_, metrics_, st, actions);
            ImGui::EndTabItem();
        }
        if (tab("Stats")) {
            record_panel("Stats");
            draw_stats(view, metrics_);
            ImGui::EndTabItem();
        }
        if (tab("Poll set")) {
            record_panel("Poll set");
            draw_poll_set(view, poll_set_, &topology_.green_conns);
            ImGui::EndTabItem();
        }
        if (tab("Event log")) {
            record_panel("Event log");
            draw_event_log(view, log_);
            ImGui::EndTabItem();
        }
        if (tab("Passport")) {
            record_panel("Passport");
            draw_passport(view, passport_, requests_, actions);
            ImGui::EndTabItem();
        }
        if (tab("Legend")) {
            record_panel("Legend");
            draw_legend(view);
            ImGui::EndTabItem();
        }
        if (!lesson_open && tab("Lessons")) {
            record_panel("Lessons");
            label_wrapped("Guided lessons: each sets up a scenario on this engine, asks you to predict, and lets the "
                          "engine answer.");
            if (ImGui::Button("Open the lesson picker")) lesson_commands_.push_back({LessonCommand::Kind::Picker});
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::End();
}

void Studio::draw_help() {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.4f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::Begin("Keys (F1 closes)", &show_help_,
                 ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse);
    static const char* const kKeys[][2] = {
        {"space", "pause / play: the step gate (engine time stops while paused, so no worker times out)"},
        {"\u2192", "live, paused: one step \u2014 the next decision point (an accept, a read, a switch, \u2026) runs; "
                   "looking back: forward one event"},
        {"\u2190", "look back: one event earlier (the engine keeps recording meanwhile)"},
        {"shift+\u2190 \u2192", "the previous / next event of the request followed"},
        {"ctrl+\u2190 \u2192", "the previous / next moment: a state change of any process"},
        {"Time bar", "drag: show any instant of the recording \u00B7 \u201Cback to live\u201D returns"},
        {"File", "open a recording (or drop a .rec file on the window), save this one"},
        {"F1", "this help"},
        {"Timeline", "drag or wheel: pan \u00B7 ctrl+wheel: zoom \u00B7 click: show that instant"},
        {"a request", "click its token, its client row or its span: its passport (the Passport tab), every stage of "
                      "its life and why it waited"},
    };
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_SizingFixedFit)) {
        for (const auto& row : kKeys) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextColored(ImVec4(0.55f, 0.7f, 1.0f, 1.0f), "%s", row[0]);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(row[1]);
        }
        ImGui::EndTable();
    }
    ImGui::Separator();
    ImGui::TextDisabled("Hover anything for what it means. Signals and kill -9 are in Controls.");
    ImGui::End();
}

}  // namespace minicorn::studio
