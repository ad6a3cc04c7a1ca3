// engine/compare/model_run.cpp — one model, one scenario: the phases of a run.
//
//   1. boot      start `minicorn serve`, wait until every worker has booted
//   2. probe     the scenario's required route (a 404 skips the run)
//   3. idle      open the idle keep-alive connections
//   4. load      the load client on a thread; the trace folded every 20 ms
//   5. measure   CPU, memory, peak handlers, timeouts, idle connections held
//   6. stop      TERM to the master, SIGKILL to the group after 5 s
#include "engine/compare/model_run.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>

#include "engine/client/load_engine.h"
#include "engine/compare/proc_stats.h"
#include "engine/compare/trace_fold.h"
#include "engine/lesson/child_engine.h"

namespace minicorn::compare {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// The status of GET `path` (Connection: close), or 0 if no answer within 3 s.
int probe_status(int port, const std::string& path) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int status = 0;
    std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
        char buf[64] = {};
        ssize_t n = ::recv(fd, buf, sizeof buf - 1, MSG_WAITALL);
        if (n >= 12 && std::string_view(buf, 5) == "HTTP/") status = std::atoi(buf + 9);
    }
    ::close(fd);
    return status;
}

// Anonymous + file-backed resident memory: VmRSS without the trace region's shared pages.
std::uint64_t private_rss(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    std::uint64_t kb = 0;
    bool found = false;
    while (std::getline(in, line)) {
        if (line.rfind("RssAnon:", 0) == 0 || line.rfind("RssFile:", 0) == 0) {
            kb += std::strtoull(line.c_str() + 8, nullptr, 10);
            found = true;
        }
    }
    return found ? kb * 1024 : rss_bytes(pid);
}

// The workers still alive: how many, and their mean resident memory.
void measure_memory(const std::set<pid_t>& workers, ModelResult& out) {
    std::uint64_t rss_total = 0;
    for (pid_t pid : workers) {
        std::uint64_t rss = ::kill(pid, 0) == 0 ? private_rss(pid) : 0;
        if (rss == 0) continue;
        rss_total += rss;
        ++out.workers_at_end;
    }
    out.rss_per_worker = out.workers_at_end ? rss_total / static_cast<std::uint64_t>(out.workers_at_end) : 0;
}

// The probe's verdict: "" when the route answers 200, else why the run is skipped.
std::string probe_route(int port, const std::string& path) {
    if (path.empty()) return "";
    int status = probe_status(port, path);
    if (status == 200) return "";
    return status == 404 ? path + " answers 404: this build's demo app has no such route"
                         : path + " did not answer 200 (status " + std::to_string(status) + ")";
}

}  // namespace

double ModelResult::good_per_s() const {
    const std::uint64_t bad = stats.status_class[4] + stats.status_class[5];
    const std::uint64_t good = stats.requests > bad ? stats.requests - bad : 0;
    return elapsed_s > 0 ? static_cast<double>(good) / elapsed_s : 0;
}

double ModelResult::p99_us() const { return static_cast<double>(stats.latency.percentile(99)); }

double ModelResult::cpu_per_request_us() const {
    return stats.requests ? cpu_s * 1e6 / static_cast<double>(stats.requests) : 0;
}

struct ModelRun::State {
    client::SharedState shared;
};

ModelRun::ModelRun(RunPlan plan) : plan_(std::move(plan)), state_(std::make_unique<State>()) {}

ModelRun::~ModelRun() = default;

void ModelRun::stop() {
    stop_.store(true);
    state_->shared.stop.store(true);
}

ModelResult ModelRun::run() {
    ModelResult out;
    out.model = plan_.model;
    lesson::ChildEngine server(plan_.minicorn_bin);
    TraceFold fold;
    auto drain = [&] { server.drain_into(fold, false); };

    // 1. boot
    progress_.phase = 1;
    std::vector<std::string> args = {"-k", plan_.model};
    args.insert(args.end(), plan_.serve.begin(), plan_.serve.end());
    std::string error;
    if (!server.start(args, &error)) {
        out.note = error;
        return out;
    }
    const auto boot_until = Clock::now() + 15s;
    while (static_cast<int>(fold.booted().size()) < plan_.workers && Clock::now() < boot_until && !stop_) {
        std::this_thread::sleep_for(20ms);
        drain();
    }
    if (stop_) {
        out.outcome = ModelResult::Outcome::Stopped;
        return out;
    }
    if (static_cast<int>(fold.booted().size()) < plan_.workers) {
        out.note = "its workers did not boot within 15 s:\n" + server.log();
        return out;
    }
    const int port = server.port();

    // 2. probe
    if (std::string skip = probe_route(port, plan_.requires_path); !skip.empty()) {
        out.outcome = ModelResult::Outcome::Skipped;
        out.note = skip;
        return out;
    }

    // 3. idle
    IdleConnections idle;
    if (plan_.idle > 0) idle.open(port, plan_.idle, 10s);
    drain();
    fold.reset_counts();

    // 4. load
    progress_.phase = 2;
    client::LoadConfig cfg = plan_.load;
    auto url = client::parse_url("http://127.0.0.1:" + std::to_string(port) + "/");
    cfg.url = std::get<client::Url>(url);
    cfg.url_text = cfg.url.text();
    auto target = client::resolve_target(cfg.url);
    client::EngineShare share{cfg.virtual_users, cfg.rate, cfg.max_connections, 0,
                              cfg.slowloris,     cfg.silent, cfg.slow_readers,  cfg.aborters};
    client::SharedState& shared = state_->shared;
    shared.pid = ::getpid();
    shared.bad_pending.store(cfg.bad_actors());
    if (stop_) shared.stop.store(true);
    const pid_t master = fold.arbiter_pid();
    const double cpu_before = group_cpu_seconds(master);
    client::LoadEngine engine(cfg, std::get<client::Target>(target), share, shared, plan_.seed);
    std::atomic<bool> load_done{false};
    std::thread loader([&] {
        engine.run();
        load_done.store(true);
    });
    const auto started = Clock::now();
    const double limit_s = cfg.duration_s + cfg.timeout_s + 5;
    while (!load_done.load()) {
        std::this_thread::sleep_for(20ms);
        drain();
        const double ran = std::chrono::duration<double>(Clock::now() - started).count();
        progress_.seconds_left = std::max(0.0, cfg.duration_s - ran);
        progress_.requests = shared.done.load(std::memory_order_relaxed);
        if (ran > limit_s) shared.stop.store(true);  // the client's own clock failed to end it
    }
    loader.join();

    // 5. measure (before the stop: the workers are still there)
    progress_.phase = 3;
    out.cpu_s = group_cpu_seconds(master) - cpu_before;
    out.stats = engine.stats();
    out.elapsed_s = engine.elapsed_s();
    measure_memory(fold.booted(), out);
    if (plan_.idle > 0) out.idle = idle.finish();

    // 6. stop
    server.stop();
    server.drain_into(fold, true);
    out.peak_handlers = fold.peak_handlers();
    out.worker_timeouts = fold.worker_timeouts();
    out.events_dropped = fold.dropped();
    out.outcome = stop_ ? ModelResult::Outcome::Stopped : ModelResult::Outcome::Ran;
    progress_.phase = 4;
    return out;
}

}  // namespace minicorn::compare
