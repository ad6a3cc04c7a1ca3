// app/minicorn/serve.cpp — `minicorn serve`: settings → arbiter, optionally traced.
//
// With --trace FILE this process becomes the observer: it creates the trace
// region, forks the master (which runs exactly as without a trace), drains
// the rings while the server runs, and writes FILE when the master exits.
// Signals sent to this process are passed on to the master; the pid file, if
// any, holds the master's pid.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>

#include "app/minicorn/commands.h"
#include "app/minicorn/trace_file.h"
#include "engine/config/gunicorn_config.h"
#include "engine/process/arbiter.h"
#include "engine/process/log.h"
#include "engine/process/settings.h"
#include "engine/trace/collector.h"
#include "engine/trace/emit.h"
#include "engine/trace/recording_file.h"
#include "engine/trace/region.h"
#include "models/registry.h"

namespace minicorn::cli {

namespace {

int run_arbiter(const process::Config& cfg, const models::WorkerModel& model, const std::string& worker_class) {
    auto level = process::parse_log_level(cfg.loglevel);
    try {
        process::Logger log(cfg.errorlog, cfg.accesslog, *level);
        process::Arbiter arbiter(cfg, model.factory, worker_class, log, model.check_config);
        return arbiter.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minicorn serve: error: %s\n", e.what());
        return 1;
    }
}

volatile sig_atomic_t g_master_pid = 0;

extern "C" void forward_signal(int sig) {
    if (g_master_pid > 0) ::kill(g_master_pid, sig);
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Drains the region into `sink` until the master exits; returns its exit status.
int collect_until_exit(trace::Collector& collector, trace::EventSink& sink, pid_t master) {
    int status = 0;
    while (true) {
        collector.drain(sink);
        int wstatus = 0;
        pid_t r = ::waitpid(master, &wstatus, WNOHANG);
        if (r == master) {
            status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
            break;
        }
        ::usleep(10'000);
    }
    ::usleep(50'000);  // workers orphaned by a master that died hard get a moment to write their last events
    collector.flush(sink);
    return status;
}

int trace_not_written(const std::string& error, int status) {
    std::fprintf(stderr, "minicorn serve: error: trace not written: %s\n", error.c_str());
    return status ? status : 1;
}

void print_trace_summary(std::size_t events, std::size_t processes, const std::string& path, std::uint64_t dropped) {
    std::fprintf(stderr, "minicorn: trace: %zu events from %zu processes written to %s (dropped: %llu)\n", events,
                 processes, path.c_str(), static_cast<unsigned long long>(dropped));
}

// --trace FILE: observe a master we fork ourselves.
int serve_traced(const process::Config& cfg, const models::WorkerModel& model, const std::string& worker_class) {
    std::string error;
    // Find out now, not after the run, if the trace cannot be written there.
    if (!trace_file_writable("minicorn serve", cfg.trace_file)) return 2;
    trace::Region region = trace::Region::create(&error);
    if (!region.valid()) {
        std::fprintf(stderr, "minicorn serve: error: %s\n", error.c_str());
        return 1;
    }
    pid_t master = ::fork();
    if (master < 0) {
        std::fprintf(stderr, "minicorn serve: error: fork: %s\n", sys::errno_text(errno).c_str());
        return 1;
    }
    if (master == 0) {
        trace::attach(&region, 0);
        int status = run_arbiter(cfg, model, worker_class);
        std::fflush(nullptr);
        ::_exit(status);
    }
    g_master_pid = master;
    for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2, SIGWINCH}) {
        struct sigaction sa{};
        sa.sa_handler = forward_signal;
        sa.sa_flags = SA_RESTART;
        ::sigaction(sig, &sa, nullptr);
    }
    trace::Collector collector(region);
    // A .rec goes to disk as it is collected. Opened after the fork: the
    // master must not inherit a stdio buffer it would flush into the file.
    const bool to_json = ends_with(cfg.trace_file, ".json");
    trace::RecordingFile file;
    if (!to_json && file.open(cfg.trace_file, &error)) {
        int status = collect_until_exit(collector, file, master);
        if (!file.finish(&error)) return trace_not_written(error, status);
        print_trace_summary(file.size(), file.process_count(), cfg.trace_file, file.dropped());
        return status;
    }
    // The .json export needs the whole recording in memory (and a .rec that
    // could not be opened gets a second chance at the end).
    trace::Recording rec;
    int status = collect_until_exit(collector, rec, master);
    if (!write_trace_file(rec, cfg.trace_file, &error)) return trace_not_written(error, status);
    print_trace_summary(rec.size(), rec.pids().size(), cfg.trace_file, rec.dropped());
    return status;
}

}  // namespace

int serve_command(const std::vector<std::string>& args) {
    // Command line > GUNICORN_CMD_ARGS > config file (-c) > defaults, as gunicorn.
    config::LoadedConfig loaded = config::load_gunicorn_config("", config::Host::current(""), args);
    if (loaded.status == config::LoadedConfig::Status::Help) {
        std::fputs((process::serve_help() + config::config_help()).c_str(), stdout);
        return 0;
    }
    std::fputs(config::format_warnings(loaded, "minicorn serve: ").c_str(), stderr);
    if (loaded.status == config::LoadedConfig::Status::Error) {
        if (loaded.exit_code == 2) std::fputs("usage: minicorn serve [OPTIONS]\n", stderr);
        std::fprintf(stderr, "minicorn serve: error: %s\n", loaded.error.c_str());
        return loaded.exit_code;
    }
    if (loaded.print_config) std::fputs(config::format_effective_config(loaded).c_str(), stdout);
    if (loaded.check_config) std::fputs("minicorn serve: the configuration can be used\n", stderr);
    if (loaded.print_config || loaded.check_config) return 0;
    const process::Config& cfg = loaded.config;

    std::string worker_class = cfg.effective_worker_class();
    const models::WorkerModel* model = models::find_worker_model(worker_class);
    if (!model) {  // the settings table only admits gunicorn's names; keep a clear word anyway
        std::fprintf(stderr, "minicorn serve: error: unknown worker class '%s'\n", worker_class.c_str());
        return 2;
    }
    if (!cfg.trace_file.empty() && cfg.trace_fd != 0) {
        std::fprintf(stderr, "minicorn serve: error: --trace and --trace-fd exclude each other\n");
        return 2;
    }
    if (!cfg.trace_file.empty()) return serve_traced(cfg, *model, worker_class);

    // Static, not a local: at exit each thread hands its ring back to the
    // region from a thread_local destructor (engine/trace/emit.cpp), which
    // runs after this function has returned; a local region would be unmapped
    // by then and the master would die of SIGSEGV on every clean stop.
    static trace::Region region;
    if (cfg.trace_fd != 0) {
        std::string error;
        region = trace::Region::attach(cfg.trace_fd, &error);
        if (!region.valid()) {
            std::fprintf(stderr, "minicorn serve: error: argument --trace-fd: %s\n", error.c_str());
            return 2;
        }
        trace::attach(&region, 0);
    }
    return run_arbiter(cfg, *model, worker_class);
}

}  // namespace minicorn::cli
