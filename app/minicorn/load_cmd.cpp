// app/minicorn/load_cmd.cpp — `minicorn load`: the built-in load client.
//
// Parses the command line (engine/client/load_config.h), attaches to a trace
// when asked (--trace-fd: an observer's region, as the studio passes it;
// --trace FILE: a region of our own, drained by a collector thread here and
// saved at the end), starts one LoadEngine per thread, shows a progress line
// on a terminal, and prints the results. SIGINT/SIGTERM stop the engines; the
// results so far are printed.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "app/minicorn/commands.h"
#include "app/minicorn/trace_file.h"
#include "engine/client/load_config.h"
#include "engine/client/load_engine.h"
#include "engine/client/report.h"
#include "engine/trace/collector.h"
#include "engine/trace/ev.h"
#include "engine/trace/region.h"

namespace minicorn::cli {

// Thousands of connections need thousands of descriptors: take what the hard limit allows.
void raise_fd_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

namespace {

using client::LoadConfig;

constexpr int kTraceRoleClient = 2;  // the process slot's role (0 arbiter, 1 worker)

client::SharedState* g_shared = nullptr;
volatile sig_atomic_t g_interrupted = 0;

extern "C" void on_stop_signal(int sig) {
    g_interrupted = 1;
    if (g_shared) g_shared->stop.store(true, std::memory_order_relaxed);
    ::signal(sig, SIG_DFL);  // a second Ctrl-C ends it at once
}

void install_signals() {
    struct sigaction sa{};
    sa.sa_handler = on_stop_signal;
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}


// Splits the work over the engine threads: users and rate evenly, the bad actors on the first.
std::vector<client::EngineShare> split(const LoadConfig& cfg) {
    std::vector<client::EngineShare> out(static_cast<std::size_t>(cfg.threads));
    int first = 0;
    for (int t = 0; t < cfg.threads; ++t) {
        client::EngineShare& s = out[static_cast<std::size_t>(t)];
        s.virtual_users = cfg.virtual_users / cfg.threads + (t < cfg.virtual_users % cfg.threads ? 1 : 0);
        s.first_user = first;
        first += cfg.open_loop() ? 1'000'000 / cfg.threads : s.virtual_users;
        s.rate = cfg.rate / cfg.threads;
        s.max_connections = cfg.max_connections / cfg.threads;
        if (t == 0) {
            s.slowloris = cfg.slowloris;
            s.silent = cfg.silent;
            s.slow_readers = cfg.slow_readers;
            s.aborters = cfg.aborters;
        }
    }
    return out;
}

int run(const LoadConfig& cfg, const client::Target& target) {
    client::SharedState shared;
    shared.pid = ::getpid();
    shared.bad_pending.store(cfg.bad_actors());
    g_shared = &shared;
    install_signals();
    raise_fd_limit();

    const bool show_progress = !cfg.quiet && ::isatty(STDERR_FILENO);
    if (!cfg.quiet) {
        std::string banner = client::format_banner(cfg);
        std::fputs(banner.c_str(), cfg.json ? stderr : stdout);
        std::fflush(nullptr);
    }
    trace::ev::ClientStart{.virtual_users = cfg.virtual_users,
                           .rate = static_cast<std::int64_t>(cfg.rate + 0.5)}.emit();

    std::vector<client::EngineShare> shares = split(cfg);
    std::vector<std::unique_ptr<client::LoadEngine>> engines;
    std::random_device seed;
    for (const client::EngineShare& s : shares) {
        // --seed: thread t draws from seed + t, so thread 0 matches `minicorn compare`'s one engine.
        const std::uint64_t thread_seed = cfg.seed > 0 ? static_cast<std::uint64_t>(cfg.seed) + engines.size()
                                                       : (std::uint64_t{seed()} << 32) | seed();
        engines.push_back(std::make_unique<client::LoadEngine>(cfg, target, s, shared, thread_seed));
    }
    std::atomic<int> running{static_cast<int>(engines.size())};
    std::vector<std::thread> threads;
    for (auto& e : engines) {
        threads.emplace_back([&running, engine = e.get()] {
            engine->run();
            running.fetch_sub(1);
        });
    }
    auto started = std::chrono::steady_clock::now();
    auto next_line = started + std::chrono::seconds(1);
    std::uint64_t done_before = 0;
    bool printed = false;
    while (running.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto now = std::chrono::steady_clock::now();
        if (show_progress && now >= next_line) {
            std::uint64_t done = shared.done.load(std::memory_order_relaxed);
            std::string line = client::format_progress(std::chrono::duration<double>(now - started).count(), done,
                                                       done - done_before, shared.errors.load(std::memory_order_relaxed),
                                                       shared.open.load(std::memory_order_relaxed));
            std::fputs(line.c_str(), stderr);
            std::fflush(stderr);
            printed = true;
            done_before = done;
            next_line += std::chrono::seconds(1);
        }
    }
    for (std::thread& t : threads) t.join();
    if (printed) std::fputs("\r\033[K", stderr);

    client::RunSummary summary;
    summary.cfg = &cfg;
    summary.interrupted = g_interrupted != 0;
    for (auto& e : engines) {
        summary.stats.merge(e->stats());
        summary.elapsed_s = std::max(summary.elapsed_s, e->elapsed_s());
    }
    engines.clear();
    g_shared = nullptr;
    std::string out = cfg.json ? client::format_json(summary) : client::format_text(summary);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    return 0;
}

// --trace FILE: our own region, drained by a thread of this process.
int run_traced(const LoadConfig& cfg, const client::Target& target) {
    if (!trace_file_writable("minicorn load", cfg.trace_file)) return 2;
    std::string error;
    trace::Region region = trace::Region::create(&error);
    if (!region.valid()) {
        std::fprintf(stderr, "minicorn load: error: %s\n", error.c_str());
        return 1;
    }
    trace::attach(&region, kTraceRoleClient);
    trace::Collector collector(region);
    trace::Recording rec;
    std::atomic<bool> done{false};
    std::thread drainer([&] {
        while (!done.load()) {
            collector.drain(rec);
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });
    int status = run(cfg, target);
    done.store(true);
    drainer.join();
    collector.flush(rec);
    trace::attach(nullptr, kTraceRoleClient);
    if (!write_trace_file(rec, cfg.trace_file, &error)) {
        std::fprintf(stderr, "minicorn load: error: trace not written: %s\n", error.c_str());
        return status ? status : 1;
    }
    if (!cfg.quiet) {
        std::fprintf(stderr, "minicorn: trace: %zu events written to %s (dropped: %llu)\n", rec.size(),
                     cfg.trace_file.c_str(), static_cast<unsigned long long>(rec.dropped()));
    }
    return status;
}

}  // namespace

int load_command(const std::vector<std::string>& args) {
    LoadConfig cfg;
    client::LoadParse parsed = client::parse_load_args(args, cfg);
    if (parsed.status == client::LoadParse::Status::Help) {
        std::fputs(client::load_help().c_str(), stdout);
        return 0;
    }
    if (parsed.status == client::LoadParse::Status::Error) {
        std::fprintf(stderr,
                     "usage: minicorn load URL [-c N | --rate R] [-d SECONDS | -n N] [OPTIONS]  (--help for more)\n"
                     "minicorn load: error: %s\n",
                     parsed.message.c_str());
        return 2;
    }
    auto target = client::resolve_target(cfg.url);
    if (auto* msg = std::get_if<std::string>(&target)) {
        std::fprintf(stderr, "minicorn load: error: %s\n", msg->c_str());
        return 2;
    }
    if (!client::is_loopback_host(cfg.url.host)) {
        std::fprintf(stderr, "minicorn load: note: sending to %s, a remote host, because of --allow-remote\n",
                     cfg.url.host.c_str());
    }
    if (!cfg.trace_file.empty()) return run_traced(cfg, std::get<client::Target>(target));
    trace::Region region;
    if (cfg.trace_fd != 0) {
        std::string error;
        region = trace::Region::attach(cfg.trace_fd, &error);
        if (!region.valid()) {
            std::fprintf(stderr, "minicorn load: error: argument --trace-fd: %s\n", error.c_str());
            return 2;
        }
        trace::attach(&region, kTraceRoleClient);
    }
    int status = run(cfg, std::get<client::Target>(target));
    if (region.valid()) trace::attach(nullptr, kTraceRoleClient);
    return status;
}

}  // namespace minicorn::cli
