// app/studio/main.cpp — `minicorn-studio`: the desktop front end.
//
//   minicorn-studio [SCENARIO]                      open the studio (needs a display)
//   minicorn-studio FILE.rec                        replay a recording (no engine)
//   minicorn-studio --screenshot OUT.png --frames N [SCENARIO]
//                                                   render N frames, save the last as a PNG
//                                                   (+ OUT.png.json: the panels and where), exit
//   minicorn-studio --bench-frames N [--bench-synthetic] [SCENARIO]
//                                                   print the UI's CPU time per frame
//
// SCENARIO: any `minicorn serve` flag (-k CLASS, -w N, --threads N, …) and the
// client's -c N | --rate R, --mix MIX, --keep-alive on|off, --no-traffic.
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <imgui.h>
#include <nlohmann/json.hpp>

#include "app/studio/compare.h"
#include "app/studio/compare_args.h"
#include "app/studio/gate_script.h"
#include "app/studio/passport_script.h"
#include "app/studio/open_script.h"
#include "app/studio/time_script.h"
#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/widgets.h"
#include "app/studio/platform.h"
#include "app/studio/sidecar.h"
#include "app/studio/studio.h"
#include "engine/process/settings.h"

namespace {

using minicorn::studio::Platform;
using minicorn::studio::Studio;
using minicorn::studio::StudioOptions;
using minicorn::studio::TrafficState;

// Headless runs (screenshots, benchmarks) default to this size at scale 1,
// whatever the screen: pictures and tests come out the same everywhere.
constexpr int kWidth = 1600;
constexpr int kHeight = 1000;

constexpr const char* kUsage =
    "usage: minicorn-studio [--screenshot OUT.png --frames N | --bench-frames N [--bench-synthetic]]\n"
    "                       [--tab Traffic|Stats|Poll set|Event log] [--log-filter KIND|PID] [--minicorn PATH]\n"
    "                       [--lessons | --lesson NAME [--lesson-step N]] [--save FILE.rec]\n"
    "                       [--compare MODELS] [-c gunicorn.conf.py] [SCENARIO | FILE.rec]\n"
    "\n"
    "The studio starts `minicorn serve` and `minicorn load` as child processes and shows\n"
    "what the master, the workers and the client do, live, from their trace.\n"
    "\n"
    "recordings:\n"
    "  FILE.rec                     replay a recording instead of running the engine (made by\n"
    "                               `minicorn serve --trace FILE.rec`, `minicorn load --trace FILE.rec`,\n"
    "                               --save or File \u2192 Save recording); File \u2192 Open and a drop\n"
    "                               on the window open one too\n"
    "  --save FILE.rec              on exit, save everything recorded to FILE.rec\n"
    "\n"
    "scenario (defaults: -k sync -w 2, 8 virtual users, a gentle mix):\n"
    "  any `minicorn serve` flag    -k CLASS, -w N, --threads N, --worker-connections N, …\n"
    "  -c N | --rate R              the client's virtual users, or a fixed request rate\n"
    "  --mix MIX                    e.g. \"/io?ms=50:70,/cpu?ms=10:30\"\n"
    "  --keep-alive on|off          the client's keep-alive\n"
    "  --client-timeout S           the client's --timeout in seconds (engine time; default 30)\n"
    "  --slowloris N, --silent N, --slow-readers N, --aborters N   bad actors (minicorn load)\n"
    "  --no-traffic                 do not start the client\n"
    "  -c FILE, --config FILE       your gunicorn.conf.py, read as `minicorn serve -c` does (flags win)\n"
    "  --compare MODELS             2-6 models side by side (sync,gthread,gevent): one engine each, the\n"
    "                               same flags and client schedule; Pause/Step/Play act on all\n"
    "\n"
    "lessons (lessons/; `minicorn lesson list` lists them):\n"
    "  --lessons                    open on the lesson picker, the tour (00) selected\n"
    "  --lesson NAME                open lesson NAME (\"01\", \"01-sync-one-at-a-time\"): its scenario\n"
    "                               replaces the one given here\n"
    "  --lesson-step N              start at its step N (1: the first); the earlier steps are played\n"
    "                               first, as they would have been\n"
    "\n"
    "headless:\n"
    "  --screenshot FILE --frames N render N frames after warm-up, save the last as PNG, exit\n"
    "  --size WxH                   the window's size (headless default 1600x1000; shown: the screen's)\n"
    "  --scale S                    text and spacing × S (default: the monitor's content scale\n"
    "                               × the text size Ctrl + / Ctrl - set; headless: 1)\n"
    "                               (FILE.json lists the panels drawn and their rectangles)\n"
    "  --bench-frames N             print the studio's CPU time per frame (NewFrame → Render)\n"
    "  --bench-scrub                with --bench-frames: each frame jumps to another instant of the\n"
    "                               recording (the time bar dragged): restore + redraw, and memory\n"
    "  --bench-events N             with --bench-synthetic: N made-up events instead of 1 M\n"
    "  --bench-synthetic            with --bench-frames: 1 M made-up events, 1,000 connections,\n"
    "                               3 workers, no engine\n"
    "  --then ACTION                after warm-up, act as a person would (repeatable, in order,\n"
    "                               30 frames apart): pause, step, play, ttin, ttou, hup, term,\n"
    "                               kill-worker, restart, help (the F1 keys); the gate's:\n"
    "                               step-worker:N, step-thread:N, step-anyone, wait:SECONDS,\n"
    "                               snapshot (into the sidecar; see gate_script.h), shot (this\n"
    "                               frame as FILE-1.png, FILE-2.png… with sidecars); a lesson's:\n"
    "                               pick:a (a choice), continue (after a pause), next, leave,\n"
    "                               start (the picker's \"Start this lesson\"), all-lessons;\n"
    "                               the time bar's: back:N, forward:N (events), moment-back,\n"
    "                               moment-forward, request-back, request-forward, scrub:F (0 the\n"
    "                               first event, 1 the last), live; the Passport's: select:ID (a\n"
    "                               request: #34, 5:12 or a lesson's name); Compare's: compare-menu\n"
    "                               (opens it), compare (its \"Compare side by side\"), pick-request\n"
    "                               (ringed in every engine); open:FILE.rec (File → Open)\n";

volatile sig_atomic_t g_stop = 0;
extern "C" void on_stop_signal(int) { g_stop = 1; }

struct Args {
    StudioOptions studio;
    std::string screenshot;
    int frames = 120;
    int bench_frames = 0;
    bool bench_scrub = false;   // --bench-scrub: every counted frame first jumps to another instant
    int width = 0, height = 0;  // --size; 0: the screen's (headless: kWidth × kHeight)
    float scale = 0;            // --scale; 0: the monitor's × the remembered text size (headless: 1)
    std::vector<std::string> then;  // --then ACTION, in order
    bool help = false;
    std::string error;
    std::string config_error;  // -c FILE cannot be used (exit 1, as serve)
};

Args parse_args(int argc, char** argv) {
    Args a;
    std::vector<std::string> serve = {"-k", "sync", "-w", "2"};
    std::string compare_list;
    std::vector<std::string> serve_given;
    TrafficState& traffic = a.studio.traffic;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                a.error = "argument " + arg + ": expected a value";
                return "";
            }
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") a.help = true;
        else if (arg == "--screenshot") a.screenshot = value();
        else if (arg == "--frames") a.frames = std::max(1, std::atoi(value().c_str()));
        else if (arg == "--bench-frames") a.bench_frames = std::max(1, std::atoi(value().c_str()));
        else if (arg == "--bench-synthetic") a.studio.synthetic = true;
        else if (arg == "--bench-scrub") a.bench_scrub = true;
        else if (arg == "--bench-events") a.studio.synthetic_events = static_cast<std::size_t>(std::max(1000L, std::atol(value().c_str())));
        else if (arg == "--size") {
            std::string v = value();
            if (std::sscanf(v.c_str(), "%dx%d", &a.width, &a.height) != 2 || a.width < 320 || a.height < 240) {
                a.error = "argument --size: expected WxH, at least 320x240, e.g. 1280x720";
            }
        } else if (arg == "--scale") {
            a.scale = static_cast<float>(std::atof(value().c_str()));
            if (a.scale < 0.5f || a.scale > 4.0f) a.error = "argument --scale: expected 0.5 to 4, e.g. 2";
        }
        else if (arg == "--tab") a.studio.first_tab = value();
        else if (arg == "--lesson") a.studio.lesson = value();
        else if (arg == "--lessons") a.studio.lesson_picker = true;
        else if (arg == "--lesson-step") {
            const int step = std::atoi(value().c_str());
            if (step < 1) a.error = "argument --lesson-step: expected a step number, 1 for the first";
            a.studio.lesson_step = static_cast<std::size_t>(std::max(1, step));
        }
        else if (arg == "--then") a.then.push_back(value());
        else if (arg == "--save") a.studio.save_path = value();
        else if (arg.ends_with(".rec") && arg[0] != '-') a.studio.open_path = arg;
        else if (arg == "--log-filter") a.studio.log_filter = value();
        else if (arg == "--minicorn") a.studio.minicorn_bin = value();
        else if (arg == "--compare") compare_list = value();
        else if (arg == "--config" || (arg == "-c" && i + 1 < argc && !minicorn::studio::is_users_count(argv[i + 1]))) {
            a.studio.config_file = value();
        } else if (arg == "-c") {
            traffic.mode = TrafficState::Mode::Users;
            traffic.users = std::max(1, std::atoi(value().c_str()));
        } else if (arg == "--rate") {
            traffic.mode = TrafficState::Mode::Rate;
            traffic.rate = std::max(1, std::atoi(value().c_str()));
        } else if (arg == "--mix") traffic.mix = value();
        else if (arg == "--keep-alive") traffic.keep_alive = value() != "off";
        else if (arg == "--client-timeout") traffic.timeout_s = std::max(1, std::atoi(value().c_str()));
        else if (arg == "--no-traffic") traffic.wanted = false;
        else if (arg == "--slowloris") traffic.slowloris = std::max(0, std::atoi(value().c_str()));
        else if (arg == "--silent") traffic.silent = std::max(0, std::atoi(value().c_str()));
        else if (arg == "--slow-readers") traffic.slow_readers = std::max(0, std::atoi(value().c_str()));
        else if (arg == "--aborters") traffic.aborters = std::max(0, std::atoi(value().c_str()));
        else if (const auto* setting = minicorn::process::find_setting_by_flag(arg.substr(0, arg.find('=')))) {
            // A `minicorn serve` flag: passed on as it is (the engine's parser checks it).
            serve_given.push_back(arg);
            bool inline_value = arg.find('=') != std::string::npos;
            if (setting->kind != minicorn::process::SettingKind::Flag && !inline_value) serve_given.push_back(value());
        } else {
            a.error = "unrecognized argument: '" + arg + "'";
        }
    }
    for (const std::string& name : a.then) {
        static const char* const kKnown[] = {"pause", "step", "play",        "ttin",    "ttou",
                                             "hup",   "term", "kill-worker", "restart", "help", "shot", "pick-request",
                                             "compare", "compare-menu"};
        if (std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown) &&
            !minicorn::studio::is_gate_script(name) && !minicorn::studio::lesson_command_of(name) &&
            !minicorn::studio::is_time_script(name) && !minicorn::studio::is_passport_script(name) &&
            !minicorn::studio::is_open_script(name)) {
            a.error = "argument --then: unknown action '" + name + "'";
        }
    }
    if (a.studio.synthetic) serve = {"-k", "gevent", "-w", "3"};  // the shape synthetic.h makes
    serve.insert(serve.end(), serve_given.begin(), serve_given.end());  // later flags win
    a.studio.serve_args = serve;
    a.config_error = minicorn::studio::apply_compare_and_config(compare_list, serve_given, a.studio, a.error);
    return a;
}

// --then ACTION → what a panel would have asked for.
std::optional<minicorn::studio::Action> scripted_action(const std::string& name, const Studio& studio) {
    using minicorn::studio::Action;
    using minicorn::studio::make_action;
    if (name == "pause") return make_action(Action::Kind::GatePause);
    if (name == "step") return make_action(Action::Kind::GateStep);
    if (name == "play") return make_action(Action::Kind::GatePlay);
    if (name == "ttin") return make_action(Action::Kind::SignalArbiter, SIGTTIN);
    if (name == "ttou") return make_action(Action::Kind::SignalArbiter, SIGTTOU);
    if (name == "hup") return make_action(Action::Kind::SignalArbiter, SIGHUP);
    if (name == "term") return make_action(Action::Kind::SignalArbiter, SIGTERM);
    if (name == "restart") return make_action(Action::Kind::Restart);
    if (name == "compare") return make_action(Action::Kind::Compare);  // the Controls' "Compare side by side"
    if (name == "kill-worker") {
        auto workers = studio.latest().workers();
        if (workers.empty()) return std::nullopt;
        return make_action(Action::Kind::KillWorker, SIGKILL, workers.front()->pid);
    }
    return std::nullopt;
}

double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// --bench-frames: the UI's and the ingest's CPU time per frame.
void print_bench(const std::vector<double>& cpu, const std::vector<double>& ingest_ms, const Platform& platform,
                 const Studio& studio) {
    auto summary = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        double mean = 0;
        for (double x : v) mean += x;
        mean /= static_cast<double>(v.size());
        double p99 = v[std::min(v.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(v.size())))];
        char text[128];
        std::snprintf(text, sizeof text, "mean %.2f ms, p99 %.2f ms, max %.2f ms", mean, p99, v.back());
        return std::string(text);
    };
    std::vector<double> both(cpu.size());
    for (std::size_t i = 0; i < cpu.size() && i < ingest_ms.size(); ++i) both[i] = cpu[i] + ingest_ms[i];
    std::printf("minicorn-studio: %zu frames at %dx%d; %zu events recorded, %zu open connections, %zu keyframes\n"
                "  UI (NewFrame \u2192 Render):            %s\n"
                "  ingest (take events, metrics):        %s\n"
                "  frame (ingest + UI, main thread):     %s\n",
                cpu.size(), platform.width(), platform.height(), studio.recording().size(),
                studio.latest().connections.size(), studio.keyframes().count(), summary(cpu).c_str(),
                summary(ingest_ms).c_str(), summary(both).c_str());
    // Memory: the process's resident set, and the Recording's own share.
    long pages = 0, resident = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        std::fclose(f);
    }
    const double n = static_cast<double>(std::max<std::size_t>(1, studio.recording().size()));
    std::printf("  memory: resident %.0f MB (%.0f bytes an event); the events themselves %.0f MB\n",
                static_cast<double>(resident) * 4096 / 1e6, static_cast<double>(resident) * 4096 / n,
                static_cast<double>(studio.recording().store().committed_bytes()) / 1e6);
}

void print_no_display() {
    std::fprintf(stderr,
                 "minicorn-studio: no display ($DISPLAY and $WAYLAND_DISPLAY are not set), so no window can open.\n"
                 "Without a display, use the headless tools:\n"
                 "  build/bin/minicorn serve -k gevent -w 2              the engine (gunicorn's flags)\n"
                 "  build/bin/minicorn load http://127.0.0.1:8000/ -c 20 -d 10   the client (like wrk)\n"
                 "  build/bin/minicorn serve --trace run.json …          a Perfetto trace (ui.perfetto.dev)\n"
                 "  xvfb-run -a -s \"-screen 0 1600x1000x24\" build/bin/minicorn-studio --screenshot s.png --frames 120 -k gevent\n"
                 "                                                       the studio, rendered to a PNG\n");
}

void install_stop_handlers() {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction sa{};
        sa.sa_handler = on_stop_signal;
        ::sigaction(sig, &sa, nullptr);
    }
    ::signal(SIGPIPE, SIG_IGN);
}

// The window (or the offscreen one, headless) at the size and scale asked for.
bool open_window(Platform& platform, const Args& args, bool headless, std::string* error) {
    int width = args.width, height = args.height;
    if (headless && width == 0) {
        width = kWidth;
        height = kHeight;
    }
    float scale = headless && args.scale == 0 ? 1.0f : args.scale;
    return platform.open(width, height, scale, "minicorn studio", !headless, error);
}

// One frame after another: events in, the panels drawn, the pace kept.
// Headless runs pace themselves at ~60 frames a second (there is no vsync
// under Xvfb), so N frames take real time and the engine moves meanwhile.
struct FrameLoop {
    Platform& platform;
    Studio& studio;
    bool headless;
    std::vector<double> ingest_ms;  // the data work of each frame (Studio::ingest), kept apart

    // Draws one frame; returns the UI's CPU time for it (NewFrame → Render), in ms.
    double frame(bool present) {
        auto wall0 = std::chrono::steady_clock::now();
        platform.poll_events();
        double ingest0 = thread_cpu_ms();
        studio.ingest();
        ingest_ms.push_back(thread_cpu_ms() - ingest0);
        double cpu0 = thread_cpu_ms();
        platform.new_frame(headless);
        studio.frame();
        ImGui::Render();
        double cpu_ms = thread_cpu_ms() - cpu0;
        platform.end_frame(present);
        // Without vsync (some X servers ignore the swap interval) a window would
        // spin a core: at most ~120 frames a second when shown, 60 headless.
        std::this_thread::sleep_until(wall0 + std::chrono::microseconds(headless ? 16'667 : 8'333));
        return cpu_ms;
    }
};

// --then shot: one frame drawn now, saved beside the final screenshot as
// FILE-N.png with its own sidecar (several looks from one run: every step of
// a lesson without replaying the earlier ones for each).
void write_shot(FrameLoop& loop, const std::string& screenshot, int n) {
    if (screenshot.empty()) return;
    const std::string stem = screenshot.ends_with(".png") ? screenshot.substr(0, screenshot.size() - 4) : screenshot;
    const std::string path = stem + "-" + std::to_string(n) + ".png";
    minicorn::studio::TextLayout layout;
    minicorn::studio::set_text_layout(&layout);
    loop.frame(false);
    minicorn::studio::set_text_layout(nullptr);
    std::string error;
    if (!loop.platform.save_png(path, &error) ||
        !write_sidecar(path + ".json", loop.platform, loop.studio, 1, layout, nlohmann::json::array())) {
        std::fprintf(stderr, "minicorn-studio: %s\n", error.empty() ? "cannot write the sidecar" : error.c_str());
    }
}

// --then: the scripted actions, 30 frames (half a second) apart, after the
// warm-up and before the counted frames. Returns the snapshots taken.
nlohmann::json run_then_actions(FrameLoop& loop, const std::vector<std::string>& then, const std::string& screenshot) {
    Studio& studio = loop.studio;
    nlohmann::json snapshots = nlohmann::json::array();
    int shots = 0;
    for (const std::string& name : then) {
        if (name == "help") studio.toggle_help();
        if (name == "compare-menu") studio.open_compare_menu();
        if (name == "snapshot") {
            snapshots.push_back(minicorn::studio::gate_snapshot(studio));
            continue;
        }
        if (name == "shot") {
            write_shot(loop, screenshot, ++shots);
            continue;
        }
        if (name == "pick-request" && studio.compare()) studio.compare()->pick_oldest_request();
        if (minicorn::studio::is_open_script(name)) {
            minicorn::studio::run_open_script(studio, name, [&loop] { loop.frame(true); }, [] { return g_stop != 0; });
        }
        if (auto action = scripted_action(name, studio)) studio.queue(*action);
        for (const auto& action : minicorn::studio::time_script_actions(name, studio)) studio.queue(action);
        minicorn::studio::run_passport_script(name, studio);
        if (auto action = minicorn::studio::gate_script_action(name, studio)) studio.queue(*action);
        int gap = 30;
        if (auto command = minicorn::studio::lesson_command_of(name)) {
            // A pick starts the step, Next the next one: give it time to be ready to look at.
            studio.queue(*command);
            for (int i = 0; i < 3; ++i) loop.frame(true);
            const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(40);
            while (!g_stop && !studio.warmed_up() && std::chrono::steady_clock::now() < until) loop.frame(true);
            gap = 2;  // it waited for the lesson already (a pause held longer stretches latencies)
        }
        // wait:S is S seconds of the wall clock, however long frames take on a busy machine.
        const auto wait_until = std::chrono::steady_clock::now() +
                                std::chrono::milliseconds(static_cast<long>(minicorn::studio::gate_script_wait_s(name) * 1000));
        for (int i = 0; (i < gap || std::chrono::steady_clock::now() < wait_until) && !g_stop; ++i) loop.frame(true);
    }
    return snapshots;
}

// --bench-scrub: an instant spread over the recording (a golden-ratio walk:
// far jumps, never the same keyframe twice in a row).
void queue_scrub(Studio& studio, int i) {
    const auto& rec = studio.recording();
    const double f = std::fmod(0.5 + 0.6180339887 * i, 1.0);
    const auto t = rec.first_time() + static_cast<std::uint64_t>(f * static_cast<double>(rec.last_time() - rec.first_time()));
    studio.queue(minicorn::studio::make_action(minicorn::studio::Action::Kind::ShowInstant, 0, 0, t));
}

// --screenshot / --bench-frames: warm up, act, draw the counted frames, write
// what was asked for. Returns the exit status.
int run_headless(FrameLoop& loop, const Args& args) {
    // Warm up: until a worker has booted and requests flow (at most 8 s; Compare: every engine, 30 s).
    // A lesson: until its step waits for the learner (its earlier steps played first).
    const bool lesson = loop.studio.lesson_player().mode() == minicorn::studio::LessonPlayer::Mode::Running;
    // A recording opened: until it is folded (tens of millions of events take a while).
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::seconds(lesson ? 90 : loop.studio.compare() ? 30 : loop.studio.replaying() ? 600 : 8);
    while (!g_stop && !loop.studio.warmed_up() && std::chrono::steady_clock::now() < until) loop.frame(true);
    nlohmann::json snapshots = run_then_actions(loop, args.then, args.screenshot);

    const int frames = args.bench_frames > 0 ? args.bench_frames : args.frames;
    const bool shot = !args.screenshot.empty();
    minicorn::studio::TextLayout layout;  // the last frame's texts and tokens, for the sidecar
    loop.ingest_ms.clear();
    std::vector<double> cpu;
    for (int i = 0; i < frames && !g_stop; ++i) {
        if (args.bench_scrub) queue_scrub(loop.studio, i);
        bool last = i == frames - 1;
        if (last && shot) minicorn::studio::set_text_layout(&layout);
        cpu.push_back(loop.frame(!(last && shot)));
        minicorn::studio::set_text_layout(nullptr);
    }
    int status = 0;
    if (shot) {
        std::string error;
        if (!loop.platform.save_png(args.screenshot, &error) ||
            !write_sidecar(args.screenshot + ".json", loop.platform, loop.studio, frames, layout, snapshots)) {
            std::fprintf(stderr, "minicorn-studio: %s\n", error.empty() ? "cannot write the sidecar" : error.c_str());
            status = 1;
        } else {
            std::printf("minicorn-studio: %s written (%d frames, %zu events)\n", args.screenshot.c_str(), frames,
                        loop.studio.recording().size());
        }
    }
    if (args.bench_frames > 0 && !cpu.empty()) print_bench(cpu, loop.ingest_ms, loop.platform, loop.studio);
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    Args args = parse_args(argc, argv);
    if (args.help) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (!args.error.empty()) {
        std::fprintf(stderr, "%sminicorn-studio: error: %s\n", kUsage, args.error.c_str());
        return 2;
    }
    if (!args.config_error.empty()) {
        std::fprintf(stderr, "minicorn-studio: the config file cannot be used: %s\n", args.config_error.c_str());
        return 1;
    }
    std::optional<minicorn::trace::Recording> opened;
    const std::string open_path = std::exchange(args.studio.open_path, "");
    if (!open_path.empty()) {
        // A recording that cannot be read is refused before any window opens, display or not.
        std::string why;
        opened = minicorn::trace::Recording::load(open_path, &why);
        if (!opened) {
            std::fprintf(stderr, "minicorn-studio: %s\n", why.c_str());
            return 1;
        }
    }
    if (!minicorn::studio::display_available()) {
        print_no_display();
        return 0;
    }
    install_stop_handlers();

    const bool headless = !args.screenshot.empty() || args.bench_frames > 0;
    Platform platform;
    std::string error;
    if (!open_window(platform, args, headless, &error)) {
        std::fprintf(stderr, "minicorn-studio: %s\n", error.c_str());
        return 1;
    }
    Studio studio(args.studio);
    if (opened) {
        studio.show_recording(std::move(*opened), open_path);  // read once, above: no engine starts
    } else if (!studio.start(&error)) {
        std::fprintf(stderr, args.studio.open_path.empty() ? "minicorn-studio: cannot start the engine: %s\n"
                                                           : "minicorn-studio: %s\n",
                     error.c_str());
        return 1;
    }
    FrameLoop loop{platform, studio, headless, {}};
    int status = 0;
    if (headless) {
        status = run_headless(loop, args);
    } else {
        while (!g_stop && !platform.should_close()) {
            for (const std::string& path : platform.take_dropped_paths()) studio.open_recording_or_say_why(path);
            loop.frame(true);
        }
    }
    studio.shutdown();
    return status;
}
