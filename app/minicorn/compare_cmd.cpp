// app/minicorn/compare_cmd.cpp — `minicorn compare`: the same traffic through
// several worker models, one engine each, one table (engine/compare/).
//
// Parses the command line, checks every scenario and every model's flags
// before anything starts, runs the models one after another (or at once with
// --parallel) with a progress line on stderr, and prints a table per scenario
// and, with --all-scenarios, the matrix. SIGINT/SIGTERM/SIGHUP stop the runs
// under way: their servers are stopped, what was measured is printed.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "app/minicorn/commands.h"
#include "engine/compare/compare_config.h"
#include "engine/compare/compare_report.h"
#include "engine/lesson/child_engine.h"

namespace minicorn::cli {

namespace {

using namespace compare;

volatile sig_atomic_t g_stop = 0;

extern "C" void on_compare_signal(int) { g_stop = 1; }

void install_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_compare_signal;  // every Ctrl-C only asks: the servers must be stopped, not orphaned
    ::sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}


std::string setup_words(const Scenario& sc, const std::vector<RunPlan>& plans, const CompareConfig& cfg) {
    const RunPlan& plan = plans.front();
    const client::LoadConfig& l = plan.load;
    std::string traffic = l.open_loop() ? fmt::format("{:g} requests/s (open loop)", l.rate)
                                        : fmt::format("{} connection{} (closed loop)", l.virtual_users,
                                                      l.virtual_users == 1 ? "" : "s");
    std::string out = fmt::format("mix {} · {} · {:g} s per model · -w {}", sc.mix, traffic, l.duration_s, plan.workers);
    if (sc.slowloris) out += fmt::format(" · {} slowloris", sc.slowloris);
    if (sc.silent) out += fmt::format(" · {} silent", sc.silent);
    if (sc.slow_readers) out += fmt::format(" · {} slow readers", sc.slow_readers);
    if (sc.idle) out += fmt::format(" · {} idle keep-alive connections", sc.idle);
    std::string serve;  // -w is shown above
    for (std::size_t i = 0; i < plan.serve.size(); ++i) {
        const std::string& f = plan.serve[i];
        if (f == "-w" || f == "--workers" || f == "--threads") ++i;
        else if (!f.starts_with("-w") && !f.starts_with("--workers=")) serve += " " + f;
    }
    if (!serve.empty()) out += " · serve" + serve;
    for (const RunPlan& p : plans) {
        if (p.model != "gthread") continue;
        auto at = std::find(p.serve.begin(), p.serve.end(), "--threads");
        if (at != p.serve.end() && at + 1 != p.serve.end()) out += " · gthread --threads " + *(at + 1);
    }
    out += cfg.parallel ? " · all models at once" : " · one model at a time";
    return out;
}

const char* phase_words(int phase) {
    switch (phase) {
        case 0: return "waiting";
        case 1: return "booting";
        case 2: return "loading";
        case 3: return "stopping";
        default: return "done";
    }
}

// Runs `runs` (all at once, or the one given), printing progress until they end.
void drive(std::vector<ModelRun*> runs, std::vector<ModelResult*> results, const std::string& label, bool tty) {
    std::vector<std::thread> threads;
    std::atomic<int> left{static_cast<int>(runs.size())};
    for (std::size_t i = 0; i < runs.size(); ++i) {
        threads.emplace_back([&, i] {
            *results[i] = runs[i]->run();
            left.fetch_sub(1);
        });
    }
    auto next = std::chrono::steady_clock::now();
    bool stopping = false;
    while (left.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (g_stop && !stopping) {
            stopping = true;
            std::fputs(tty ? "\r\033[Kcompare: stopping (Ctrl-C): the servers are being stopped\n"
                           : "compare: stopping (Ctrl-C): the servers are being stopped\n",
                       stderr);
            for (ModelRun* r : runs) r->stop();
        }
        if (!tty || std::chrono::steady_clock::now() < next) continue;
        next += std::chrono::seconds(1);
        std::string line = "\r\033[K" + label;
        for (ModelRun* r : runs) {
            const RunProgress& p = r->progress();
            line += fmt::format("  {}: {}", r->model(), phase_words(p.phase.load()));
            if (p.phase.load() == 2) {
                line += fmt::format(" {:.0f} s left, {} requests", p.seconds_left.load(),
                                    thousands(static_cast<double>(p.requests.load())));
            }
        }
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
    }
    for (std::thread& t : threads) t.join();
    if (tty) std::fputs("\r\033[K", stderr);
}

ScenarioResult run_scenario(const CompareConfig& cfg, const Scenario& sc, const std::vector<RunPlan>& plans,
                            const std::string& position) {
    ScenarioResult out;
    out.scenario = sc;
    out.setup = setup_words(sc, plans, cfg);
    out.results.resize(plans.size());
    std::vector<std::unique_ptr<ModelRun>> runs;
    for (const RunPlan& p : plans) runs.push_back(std::make_unique<ModelRun>(p));
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const double per_model = plans.front().load.duration_s;
    if (cfg.parallel) {
        std::fprintf(stderr, "compare: %s%s: %zu models at once, about %.0f s\n", sc.name.c_str(), position.c_str(),
                     plans.size(), per_model + 3);
        std::vector<ModelRun*> all;
        std::vector<ModelResult*> res;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            all.push_back(runs[i].get());
            res.push_back(&out.results[i]);
        }
        drive(all, res, "[" + sc.name + "]", tty);
    } else {
        for (std::size_t i = 0; i < runs.size(); ++i) {
            if (g_stop) {
                out.results[i].model = plans[i].model;
                out.results[i].outcome = ModelResult::Outcome::Stopped;
                continue;
            }
            std::fprintf(stderr, "compare: %s%s: %s (%zu/%zu), about %.0f s left\n", sc.name.c_str(), position.c_str(),
                         plans[i].model.c_str(), i + 1, plans.size(),
                         static_cast<double>(plans.size() - i) * (per_model + 2));
            drive({runs[i].get()}, {&out.results[i]}, fmt::format("[{} {}/{}]", sc.name, i + 1, plans.size()), tty);
        }
    }
    out.verdict = judge_scenario(sc, out.results);
    return out;
}

int list_scenarios(const CompareConfig& cfg) {
    const std::string dir = cfg.scenarios_dir.empty() ? scenarios_dir() : cfg.scenarios_dir;
    for (const std::string& name : scenario_names(dir)) {
        auto sc = load_scenario(dir, name);
        if (auto* s = std::get_if<Scenario>(&sc)) {
            std::printf("%-16s %s\n%-16s   mix %s, judged on %s\n", name.c_str(), s->about.c_str(), "", s->mix.c_str(),
                        std::string(judge_name(s->judge)).c_str());
        } else {
            std::printf("%-16s (broken: %s)\n", name.c_str(), std::get<std::string>(sc).c_str());
        }
    }
    return 0;
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
    CompareConfig cfg;
    CompareParse parsed = parse_compare_args(args, cfg);
    if (parsed.status == CompareParse::Status::Help) {
        std::fputs(compare_help().c_str(), stdout);
        return 0;
    }
    if (parsed.status == CompareParse::Status::Error) {
        std::fprintf(stderr,
                     "usage: minicorn compare [-k MODELS] (--scenario NAME | --mix SPEC | --all-scenarios) [OPTIONS]"
                     "  (--help for more)\nminicorn compare: error: %s\n",
                     parsed.message.c_str());
        return 2;
    }
    if (cfg.list_scenarios) return list_scenarios(cfg);

    // Everything is checked before the first server starts.
    std::vector<std::string> names = cfg.all_scenarios ? scenario_names(cfg.scenarios_dir)
                                                       : std::vector<std::string>{cfg.scenario};
    if (names.empty()) {
        std::fprintf(stderr, "minicorn compare: error: no scenario found in %s\n", cfg.scenarios_dir.c_str());
        return 2;
    }
    const std::string bin = lesson::self_exe();
    std::vector<std::pair<Scenario, std::vector<RunPlan>>> work;
    for (const std::string& name : names) {
        auto sc = resolve_scenario(cfg, name);
        if (auto* err = std::get_if<std::string>(&sc)) {
            std::fprintf(stderr, "minicorn compare: error: %s\n", err->c_str());
            return 2;
        }
        std::vector<RunPlan> plans;
        for (const std::string& model : cfg.models) {
            auto plan = make_plan(cfg, std::get<Scenario>(sc), model, bin);
            if (auto* err = std::get_if<std::string>(&plan)) {
                std::fprintf(stderr, "minicorn compare: error: %s\n", err->c_str());
                return 2;
            }
            plans.push_back(std::get<RunPlan>(plan));
        }
        work.emplace_back(std::get<Scenario>(sc), std::move(plans));
    }

    install_signals();
    raise_fd_limit();
    const Style style = cfg.markdown ? Style::Markdown : Style::Text;
    std::vector<ScenarioResult> done;
    for (std::size_t i = 0; i < work.size() && !g_stop; ++i) {
        std::string position = work.size() > 1 ? fmt::format(" (scenario {}/{})", i + 1, work.size()) : "";
        done.push_back(run_scenario(cfg, work[i].first, work[i].second, position));
        if (!cfg.json) {
            std::fputs((format_scenario(done.back(), style) + "\n").c_str(), stdout);
            std::fflush(stdout);
        }
    }
    if (cfg.json) std::fputs(format_json(done, cfg.parallel).c_str(), stdout);
    else if (cfg.all_scenarios) std::fputs(format_matrix(done, style).c_str(), stdout);
    std::fflush(stdout);
    return g_stop ? 130 : 0;
}

}  // namespace minicorn::cli
