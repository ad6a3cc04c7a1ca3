// engine/process/arbiter.cpp — the master.
//
// Index:
//   [SECTION] Signals       — the queue, the pipe, sleep/wakeup
//   [SECTION] Main loop     — run, start, dispatch, halt, stop
//   [SECTION] Handlers      — handle_<signal>
//   [SECTION] Workers       — murder, reap, manage, spawn, kill
#include "engine/process/arbiter.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <random>

#include "engine/process/sockets.h"
#include "engine/sys/clock.h"
#include "engine/trace/ev.h"
#include "engine/wsgi/db_backend.h"
#include "engine/wsgi/demo_app.h"

namespace minicorn::process {

// ============================================================================
// [SECTION] Signals
// ============================================================================
namespace {

// The master's queue. Handlers run with every signal blocked (sa_mask), and
// the main loop blocks signals while it pops, so plain ints are enough.
constexpr int kQueueLimit = 5;  // gunicorn 20.1: `if len(self.SIG_QUEUE) < 5`
std::array<volatile sig_atomic_t, kQueueLimit> g_queue{};
volatile sig_atomic_t g_queue_len = 0;
volatile sig_atomic_t g_chld_pending = 0;
int g_master_wakeup_fd = -1;

extern "C" void master_signal(int sig) {
    int saved = errno;
    if (sig == SIGCHLD) {
        g_chld_pending = 1;
    } else if (g_queue_len < kQueueLimit) {
        g_queue[static_cast<std::size_t>(g_queue_len)] = sig;
        g_queue_len = g_queue_len + 1;
    }
    if (g_master_wakeup_fd >= 0) {
        [[maybe_unused]] ssize_t n = ::write(g_master_wakeup_fd, ".", 1);
    }
    errno = saved;
}

constexpr int kMasterSignals[] = {SIGHUP, SIGQUIT, SIGINT, SIGTERM, SIGTTIN, SIGTTOU,
                                  SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD};

const char* signal_name(int sig) {
    switch (sig) {
        case SIGHUP: return "hup";
        case SIGQUIT: return "quit";
        case SIGINT: return "int";
        case SIGTERM: return "term";
        case SIGTTIN: return "ttin";
        case SIGTTOU: return "ttou";
        case SIGUSR1: return "usr1";
        case SIGUSR2: return "usr2";
        case SIGWINCH: return "winch";
        case SIGCHLD: return "chld";
        default: return nullptr;
    }
}

double elapsed_since(sys::MonoTime t) { return std::chrono::duration<double>(sys::MonoClock::now() - t).count(); }

// Seconds of engine time (trace::engine_now_ns) since `engine_ns`: it stands
// still while the trace's gate is closed, as every engine timeout does.
double engine_seconds_since(std::int64_t engine_ns) {
    return static_cast<double>(trace::engine_now_ns() - engine_ns) / 1e9;
}

}  // namespace

void Arbiter::init_signals() {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) sys::die_bug("pipe2 for the master's signal pipe");
    pipe_read_.reset(fds[0]);
    pipe_write_.reset(fds[1]);
    g_master_wakeup_fd = pipe_write_.get();
    for (int sig : kMasterSignals) {
        struct sigaction sa{};
        sa.sa_handler = master_signal;
        sigfillset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(sig, &sa, nullptr);
    }
    ::signal(SIGPIPE, SIG_IGN);
}

int Arbiter::pop_signal() {
    sigset_t all, old;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &old);
    int sig = -1;
    if (g_chld_pending) {
        g_chld_pending = 0;
        sig = SIGCHLD;
    } else if (g_queue_len > 0) {
        sig = g_queue[0];
        for (int i = 1; i < g_queue_len; ++i) g_queue[static_cast<std::size_t>(i - 1)] = g_queue[static_cast<std::size_t>(i)];
        g_queue_len = g_queue_len - 1;
    }
    int left = g_queue_len;
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (sig > 0) trace::ev::SignalReceived{.signal = sig, .queue_left = left}.emit();
    return sig;
}

// Waits until the pipe is readable (a signal came) or one second has passed.
// Traced, the second is cut into 50 ms slices to sample each listener's
// accept queue 20 times a second; a signal still ends the wait at once.
void Arbiter::sleep() {
    const bool sampling = trace::enabled() && !listeners_.empty();
    const int slices = sampling ? 20 : 1;
    for (int i = 0; i < slices; ++i) {
        if (sampling) sample_accept_queues();
        fd_set rfds;
        FD_ZERO(&rfds);
        FD_SET(pipe_read_.get(), &rfds);
        timeval tv = sampling ? timeval{0, 50'000} : timeval{1, 0};
        int n = ::select(pipe_read_.get() + 1, &rfds, nullptr, nullptr, &tv);
        if (n > 0) {
            char buf[64];
            while (::read(pipe_read_.get(), buf, sizeof buf) > 0) {
            }
            return;
        }
        if (n < 0 && errno == EINTR) return;
    }
}

void Arbiter::sample_accept_queues() {
    for (const net::Listener& l : listeners_) {
        net::AcceptQueue q;
        if (net::read_accept_queue(l.fd(), q)) {
            trace::ev::AcceptQueueSample{.length = q.length, .backlog = q.backlog}.emit();
        }
    }
}

void Arbiter::reap_if_child_exited() {
    sigset_t all, old;
    sigfillset(&all);
    ::sigprocmask(SIG_BLOCK, &all, &old);
    bool pending = g_chld_pending != 0;
    g_chld_pending = 0;
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (pending) reap_workers();
}

void Arbiter::wakeup() { [[maybe_unused]] ssize_t n = ::write(pipe_write_.get(), ".", 1); }

// ============================================================================
// [SECTION] Main loop
// ============================================================================
Arbiter::Arbiter(Config cfg, WorkerFactory factory, std::string worker_label, Logger& log, CheckConfig check_config)
    : cfg_(std::move(cfg)),
      factory_(std::move(factory)),
      worker_label_(std::move(worker_label)),
      check_config_(check_config),
      log_(log) {
    num_workers_ = cfg_.workers;
}

Arbiter::~Arbiter() { g_master_wakeup_fd = -1; }

void Arbiter::start() {
    pid_ = ::getpid();
    log_.info("Starting minicorn {} (gunicorn 20.1 behaviour)", MINICORN_VERSION);
    write_pidfile();
    init_signals();

    std::vector<net::BindAddress> addresses;
    for (const std::string& b : cfg_.binds()) {
        auto parsed = net::parse_bind_address(b);
        if (auto* err = std::get_if<std::string>(&parsed)) throw HaltServer{*err, 1};
        addresses.push_back(std::get<net::BindAddress>(parsed));
    }
    listeners_ = create_sockets(addresses, {cfg_.backlog, cfg_.reuse_port}, log_);
    if (listeners_.empty()) {
        // gunicorn: sys.exit(1) straight from create_sockets.
        remove_pidfile();
        throw HaltServer{"", 1};
    }
    // Before "Listening at": the backend's short-lived middle process (its
    // double fork) is gone by the time anyone reads the port and counts the
    // master's children, which are its workers alone from then on.
    start_db_backend();
    if (cfg_.app_version_file.empty()) wsgi::open_private_version_file();  // before fork: the workers share it
    if (cfg_.preload_app) preload_app();
    std::string urls;
    for (const net::Listener& l : listeners_) urls += (urls.empty() ? "" : ",") + l.url();
    log_.info("Listening at: {} ({})", urls, pid_);
    log_.info("Using worker: {}", worker_label_);
    if (num_workers_ < 1) {
        // gunicorn 20.1 starts no worker and says nothing; keep the behaviour, say why nothing answers.
        log_.warning("No requests can be handled with 0 workers. Check the number of workers.");
    }
    if (check_config_) check_config_(cfg_, log_);
    trace::ev::ArbiterStart{.workers = num_workers_}.emit();
    for (const net::Listener& l : listeners_) {
        trace::ev::ListenerOpen{.fd = l.fd(), .port = l.address().port}.emit();
    }
    ::prctl(PR_SET_NAME, "minicorn-master", 0, 0, 0);
}

int Arbiter::run() {
    try {
        start();
    } catch (const HaltServer& h) {
        if (!h.reason.empty()) log_.error("{}", h.reason);
        remove_pidfile();
        return h.exit_status;
    }
    try {
        manage_workers();
        while (true) {
            int sig = pop_signal();
            if (sig < 0) {
                sleep();
                // 20.1 reaps inside its SIGCHLD handler, so a worker that died
                // while we slept is gone before murder_workers() looks — it
                // must not get a SIGKILL as a zombie.
                reap_if_child_exited();
                murder_workers();
                manage_workers();
                continue;
            }
            dispatch(sig);
        }
    } catch (const StopIteration&) {
        halt("", 0);
    } catch (const HaltServer& h) {
        halt(h.reason, h.exit_status);
    }
    return exit_status_;
}

void Arbiter::dispatch(int sig) {
    const char* name = signal_name(sig);
    if (!name) {
        log_.info("Ignoring unknown signal: {}", sig);
        return;
    }
    if (sig == SIGCHLD) {  // 20.1 reaps in the handler and logs nothing
        handle_chld();
        return;
    }
    log_.info("Handling signal: {}", name);
    struct Handled {
        int sig;
        ~Handled() { trace::ev::SignalHandled{.signal = sig}.emit(); }
    } handled{sig};
    switch (sig) {
        case SIGHUP: handle_hup(); break;
        case SIGTERM: handle_term(); break;
        case SIGINT: handle_int(); break;
        case SIGQUIT: handle_quit(); break;
        case SIGTTIN: handle_ttin(); break;
        case SIGTTOU: handle_ttou(); break;
        case SIGUSR1: handle_usr1(); break;
        case SIGUSR2: handle_usr2(); break;
        case SIGWINCH: handle_winch(); break;
        default: break;
    }
    wakeup();
}

void Arbiter::halt(const std::string& reason, int exit_status) {
    stop(true);
    trace::ev::ArbiterStop{.status = exit_status}.emit();
    log_.info("Shutting down: Master");
    if (!reason.empty()) log_.info("Reason: {}", reason);
    remove_pidfile();
    exit_status_ = exit_status;
}

void Arbiter::stop(bool graceful) {
    trace::mark_shutting_down();  // a closed gate must not hold the workers back now
    for (net::Listener& l : listeners_) l.close(/*unlink_path=*/!cfg_.reuse_port);
    listeners_.clear();
    int sig = graceful ? SIGTERM : SIGQUIT;
    const std::int64_t started = trace::engine_now_ns();  // graceful_timeout is engine time: a closed gate holds it
    kill_workers(sig);
    // 20.1 sleeps 0.1 s at a time while its SIGCHLD handler reaps.
    while (!workers_.empty() && engine_seconds_since(started) < cfg_.graceful_timeout) {
        sys::sleep_for_seconds(0.1);
        try {
            reap_workers();
        } catch (const HaltServer&) {
            // a worker exiting 3/4 while we are already stopping changes nothing
        }
    }
    kill_workers(SIGKILL);
    stop_db_backend();
    // Not in gunicorn: collect what SIGKILL leaves, so no zombie outlives the
    // stop while the master is still running (bounded: 1 s of wall time, as
    // nothing a gate holds is left to wait for).
    auto kill_started = sys::MonoClock::now();
    while (!workers_.empty() && elapsed_since(kill_started) < 1.0) {
        try {
            reap_workers();
        } catch (const HaltServer&) {
        }
        if (!workers_.empty()) sys::sleep_for_seconds(0.01);
    }
}

// ============================================================================
// [SECTION] Handlers
// ============================================================================
void Arbiter::handle_chld() {
    reap_workers();
    wakeup();
}

void Arbiter::handle_hup() {
    log_.info("Hang up: Master");
    reload();
}

void Arbiter::handle_term() { throw StopIteration{}; }

void Arbiter::handle_int() {
    stop(false);
    throw StopIteration{};
}

void Arbiter::handle_quit() {
    stop(false);
    throw StopIteration{};
}

void Arbiter::handle_ttin() {
    num_workers_ += 1;
    manage_workers();
}

void Arbiter::handle_ttou() {
    if (num_workers_ <= 1) return;
    num_workers_ -= 1;
    manage_workers();
}

void Arbiter::handle_usr1() {
    log_.reopen_files();
    kill_workers(SIGUSR1);
}

void Arbiter::handle_usr2() { log_.warning("USR2 (re-exec) is not supported by minicorn; ignored."); }

void Arbiter::handle_winch() { log_.debug("SIGWINCH ignored. Not daemonized"); }

// HUP: new workers first, then manage_workers() retires the oldest ones.
// (gunicorn also re-reads its config file here; minicorn has none to re-read.)
// With --preload the app is not imported again: 20.1's setup() calls
// app.wsgi(), which returns the callable it cached at the first import, so
// the new workers are forked with the old code.
void Arbiter::reload() {
    log_.reopen_files();
    num_workers_ = cfg_.workers;
    for (int i = 0; i < cfg_.workers; ++i) spawn_worker();
    manage_workers();
}

// ============================================================================
// [SECTION] Workers
// ============================================================================

// WORKER TIMEOUT: a worker whose heartbeat is older than --timeout gets
// SIGABRT; if it is still listed on a later pass, SIGKILL.
void Arbiter::murder_workers() {
    if (cfg_.timeout <= 0) return;
    std::vector<pid_t> pids;
    for (auto& [pid, w] : workers_) pids.push_back(pid);
    for (pid_t pid : pids) {
        auto it = workers_.find(pid);
        if (it == workers_.end()) continue;
        Worker& worker = *it->second;
        double silent = 0;
        if (std::int64_t beat = trace::heartbeat_of(pid); beat > 0) {
            // Traced: engine time, which stops while the gate is closed.
            silent = static_cast<double>(trace::engine_now_ns() - beat) / 1e9;
        } else {
            double last = worker.tmp().last_update();
            if (last < 0) continue;
            silent = sys::wall_seconds() - last;
        }
        if (silent <= cfg_.timeout) continue;
        if (!worker.aborted()) {
            trace::ev::WorkerTimeout{.pid = pid, .silent_ms = static_cast<std::int64_t>(silent * 1000)}.emit();
            log_.critical("WORKER TIMEOUT (pid:{})", pid);
            worker.set_aborted();
            kill_worker(pid, SIGABRT);
        } else {
            kill_worker(pid, SIGKILL);
        }
    }
}

void Arbiter::reap_workers() {
    while (true) {
        int status = 0;
        pid_t wpid = ::waitpid(-1, &status, WNOHANG);
        if (wpid <= 0) break;  // 0: none ready; -1/ECHILD: no children
        int exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        trace::ev::WorkerReaped{.pid = wpid, .status = WIFSIGNALED(status) ? -WTERMSIG(status) : exitcode}.emit();
        // Forget the worker before anything can throw: a halt must not wait
        // for a process that is already gone.
        if (auto it = workers_.find(wpid); it != workers_.end()) {
            it->second->tmp().close();
            workers_.erase(it);
        }
        if (exitcode == kWorkerBootError) throw HaltServer{"Worker failed to boot.", kWorkerBootError};
        if (exitcode == kAppLoadError) throw HaltServer{"App failed to load.", kAppLoadError};
        if (WIFSIGNALED(status)) {
            log_.warning("Worker with pid {} was terminated due to signal {}", wpid, WTERMSIG(status));
        }
    }
}

void Arbiter::manage_workers() {
    if (static_cast<int>(workers_.size()) < num_workers_) spawn_workers();

    std::vector<std::pair<int, pid_t>> by_age;
    for (auto& [pid, w] : workers_) by_age.emplace_back(w->age(), pid);
    std::sort(by_age.begin(), by_age.end());
    std::size_t count = by_age.size();
    for (std::size_t i = 0; count > static_cast<std::size_t>(num_workers_); ++i, --count) {
        kill_worker(by_age[i].second, SIGTERM);  // the oldest first
    }
    int active = static_cast<int>(count);
    if (active != last_logged_worker_count_) {
        last_logged_worker_count_ = active;
        trace::ev::WorkerCount{.live = active, .wanted = num_workers_}.emit();
        log_.debug("{} workers", active);
    }
}

void Arbiter::spawn_workers() {
    static thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_real_distribution<double> jitter(0.0, 0.1);
    int missing = num_workers_ - static_cast<int>(workers_.size());
    for (int i = 0; i < missing; ++i) {
        spawn_worker();
        sys::sleep_for_seconds(jitter(rng));  // 20.1: a random 0–100 ms between forks
    }
}

pid_t Arbiter::spawn_worker() {
    worker_age_ += 1;
    WorkerArgs args;
    args.age = worker_age_;
    args.ppid = pid_;
    args.listeners = listeners_;
    args.cfg = &cfg_;
    args.log = &log_;
    args.num_workers = num_workers_;
    args.preloaded = preloaded_;
    std::unique_ptr<Worker> worker = factory_(args);  // before fork: the heartbeat file exists now

    pid_t pid = ::fork();
    if (pid < 0) {
        log_.error("fork failed: {}", sys::errno_text(errno));
        return -1;
    }
    if (pid != 0) {
        trace::ev::WorkerSpawn{.pid = pid, .age = worker_age_}.emit();
        worker->set_pid(pid);
        workers_.emplace(pid, std::move(worker));
        return pid;
    }
    run_worker_child(*worker);
}

// The child side of spawn_worker: this is where a worker leaves the master's code.
void Arbiter::run_worker_child(Worker& worker) {
    for (auto& [pid, sibling] : workers_) sibling->tmp().close();  // not our heartbeats
    db_pid_ = 0;  // the backend is the master's to stop, not ours
    pipe_read_.reset();
    pipe_write_.reset();
    g_master_wakeup_fd = -1;
    ::prctl(PR_SET_NAME, "minicorn-worker", 0, 0, 0);
    pid_t me = ::getpid();
    worker.set_pid(me);
    int code = 0;
    try {
        log_.info("Booting worker with pid: {}", me);
        worker.init_process();
        code = 0;
    } catch (const SystemExit& e) {
        code = e.code;
    } catch (const wsgi::AppLoadError& e) {
        log_.debug("Exception while loading the application: {}", e.what());
        std::fprintf(stderr, "%s\n", e.what());
        std::fflush(stderr);
        code = kAppLoadError;
    } catch (const std::exception& e) {
        log_.error("Exception in worker process\n{}", e.what());
        code = worker.booted() ? 255 : kWorkerBootError;
    }
    log_.info("Worker exiting (pid: {})", me);
    trace::ev::WorkerExit{.code = code}.emit();
    worker.tmp().close();
    std::fflush(nullptr);
    ::_exit(code);
}

void Arbiter::kill_workers(int sig) {
    std::vector<pid_t> pids;
    for (auto& [pid, w] : workers_) pids.push_back(pid);
    for (pid_t pid : pids) kill_worker(pid, sig);
}

void Arbiter::kill_worker(pid_t pid, int sig) {
    trace::ev::KillSent{.pid = pid, .signal = sig}.emit();
    if (::kill(pid, sig) == 0) return;
    if (errno == ESRCH) {  // already gone: forget it
        auto it = workers_.find(pid);
        if (it != workers_.end()) {
            it->second->tmp().close();
            workers_.erase(it);
        }
        return;
    }
    log_.error("kill({}, {}) failed: {}", pid, sig, sys::errno_text(errno));
}

// --preload (gunicorn's setup(): `if self.cfg.preload_app: self.app.wsgi()`):
// the import runs here, once, before any fork — its time, its memory, what it
// opens. The master has not patched anything: a socket it opens stays blocking.
// An import error stops the master before any worker starts.
void Arbiter::preload_app() {
    log_.debug("Preloading the application in the master (pid {})", pid_);
    try {
        wsgi::AppOptions options{cfg_.app, wsgi::Millis(cfg_.app_load_ms), app_import_options(cfg_, false)};
        preloaded_ = wsgi::load_app(options);
    } catch (const wsgi::AppLoadError& e) {
        stop_db_backend();
        throw HaltServer{std::string("App failed to load in the master (--preload): ") + e.what(), kAppLoadError};
    }
}

// The /db backend: a small process on loopback the workers query (db_backend.h).
void Arbiter::start_db_backend() {
    std::uint16_t port = 0;
    std::string error;
    db_pid_ = wsgi::start_db_backend(port, &error);
    if (db_pid_ < 0) {
        log_.warning("{}; /db will answer 500", error);
        return;
    }
    wsgi::set_db_port(port);  // before the workers fork: they inherit it
    log_.debug("/db backend on 127.0.0.1:{} (pid {})", port, db_pid_);
}

void Arbiter::stop_db_backend() {
    wsgi::stop_db_backend(db_pid_, std::chrono::milliseconds(1000));
    db_pid_ = 0;
}

void Arbiter::write_pidfile() {
    if (cfg_.pidfile.empty()) return;
    FILE* f = std::fopen(cfg_.pidfile.c_str(), "w");
    if (!f) throw HaltServer{"cannot write pid file '" + cfg_.pidfile + "': " + sys::errno_text(errno), 1};
    std::fprintf(f, "%d\n", pid_);
    std::fclose(f);
    pidfile_written_ = true;
}

void Arbiter::remove_pidfile() {
    if (pidfile_written_) ::unlink(cfg_.pidfile.c_str());
    pidfile_written_ = false;
}

}  // namespace minicorn::process
