#include "engine/process/worker.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <random>

#include "engine/process/gil_trace.h"
#include "engine/sys/clock.h"
#include "engine/trace/ev.h"
#include "engine/wsgi/demo_app.h"
#include "engine/wsgi/gil.h"

namespace minicorn::process {

// ----------------------------------------------------------------------------
// The C-level signal handler: record, wake, return. Nothing else is safe here.
// ----------------------------------------------------------------------------
namespace {

std::atomic<std::uint64_t> g_pending_signals{0};
int g_wakeup_write_fd = -1;

static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "signal handler needs a lock-free atomic");

extern "C" void record_signal(int sig) {
    int saved = errno;
    g_pending_signals.fetch_or(std::uint64_t{1} << sig, std::memory_order_relaxed);
    if (g_wakeup_write_fd >= 0) {
        char byte = static_cast<char>(sig);
        [[maybe_unused]] ssize_t n = ::write(g_wakeup_write_fd, &byte, 1);  // a full pipe is fine: it is already readable
    }
    errno = saved;
}

void install(int sig, bool restart_syscalls) {
    struct sigaction sa{};
    sa.sa_handler = record_signal;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = restart_syscalls ? SA_RESTART : 0;
    ::sigaction(sig, &sa, nullptr);
}

std::uint64_t draw_max_requests(const Config& cfg) {
    if (cfg.max_requests <= 0) return std::numeric_limits<std::uint64_t>::max();
    std::uint64_t jitter = 0;
    if (cfg.max_requests_jitter > 0) {
        std::random_device rd;
        std::uniform_int_distribution<int> dist(0, cfg.max_requests_jitter);
        jitter = static_cast<std::uint64_t>(dist(rd));
    }
    return static_cast<std::uint64_t>(cfg.max_requests) + jitter;
}

}  // namespace

Worker::Worker(const WorkerArgs& args)
    : age_(args.age),
      ppid_(args.ppid),
      listeners_(args.listeners),
      cfg_(args.cfg),
      log_(args.log),
      num_workers_(args.num_workers),
      half_timeout_(args.cfg->timeout / 2.0),
      max_requests_(draw_max_requests(*args.cfg)),
      tmp_(args.cfg->worker_tmp_dir, args.cfg->heartbeat_delay_ms),
      preloaded_(args.preloaded) {}

Worker::~Worker() = default;

void Worker::notify() {
    tmp_.notify();
    if (trace::enabled()) {
        const std::int64_t now = trace::record_heartbeat();  // the engine time it stored
        trace::ev::Heartbeat{.engine_ms = now / 1'000'000}.emit();
    }
}

void Worker::init_process() {
    pid_ = ::getpid();
    trace::set_role(1);
    trace::ev::WorkerBoot{.age = age_, .model = model_id()}.emit();
    // The self-pipe: any signal writes a byte, so a select() that includes the
    // read end wakes up (gunicorn: signal.set_wakeup_fd(PIPE[1])).
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("pipe2: " + sys::errno_text(errno));
    pipe_read_.reset(fds[0]);
    pipe_write_.reset(fds[1]);
    for (const net::Listener& l : listeners_) sys::set_cloexec(l.fd(), true);
    init_signals();
    load_wsgi();
    booted_ = true;
    trace::ev::WorkerBooted{}.emit();
    run();
}

void Worker::init_signals() {
    // Reset what the master installed, so that HUP or USR2 sent straight to a
    // worker kill it with the default action, as in gunicorn.
    for (int sig : {SIGABRT, SIGHUP, SIGQUIT, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGCHLD, SIGTTIN, SIGTTOU}) {
        ::signal(sig, SIG_DFL);
    }
    g_pending_signals.store(0);
    g_wakeup_write_fd = pipe_write_.get();
    trace::set_signal_probe([] { return g_pending_signals.load(std::memory_order_relaxed) != 0; });
    // siginterrupt(TERM, False) and siginterrupt(USR1, False): these two
    // restart interrupted system calls; QUIT, INT and ABRT interrupt them.
    install(SIGTERM, true);
    install(SIGUSR1, true);
    install(SIGQUIT, false);
    install(SIGINT, false);
    install(SIGABRT, false);
    install(SIGWINCH, false);
    ::signal(SIGPIPE, SIG_IGN);  // a client that went away is an EPIPE, not a death
}

void Worker::load_wsgi() {
    gil_ = std::make_unique<wsgi::Gil>(wsgi::GilConfig{cfg_->gil == "off" ? wsgi::GilMode::Off : wsgi::GilMode::On});
    if (trace::enabled()) {  // every hand-off of the GIL shows in the trace
        gil_tracer_ = std::make_unique<GilTracer>();
        gil_->set_observer(gil_tracer_.get());
    }
    if (preloaded_) {  // --preload: the master imported it before fork; nothing to do here
        app_ = preloaded_;
        return;
    }
    // The simulated import time. Nothing notifies meanwhile, so as in gunicorn
    // 20.1 a boot longer than --timeout ends in WORKER TIMEOUT.
    auto until = sys::MonoClock::now() + std::chrono::milliseconds(cfg_->app_load_ms);
    while (sys::MonoClock::now() < until) {
        auto left = std::chrono::duration<double>(until - sys::MonoClock::now()).count();
        timespec ts{static_cast<time_t>(left), static_cast<long>((left - static_cast<double>(static_cast<time_t>(left))) * 1e9)};
        ::nanosleep(&ts, nullptr);
        check_signals();
    }
    // gevent and eventlet patched in this process before this import (their
    // init_process runs first): what the module opens now is a green socket.
    const bool patched = model_id() == trace::ModelId::Gevent || model_id() == trace::ModelId::Eventlet;
    app_ = wsgi::load_app(wsgi::AppOptions{cfg_->app, wsgi::Millis(0), app_import_options(*cfg_, patched)});
}

void Worker::check_signals() {
    std::uint64_t pending = g_pending_signals.exchange(0, std::memory_order_relaxed);
    if (pending == 0) return;
    auto has = [&](int sig) { return (pending & (std::uint64_t{1} << sig)) != 0; };
    for (int sig : {SIGUSR1, SIGWINCH, SIGTERM, SIGABRT, SIGQUIT, SIGINT}) {
        if (has(sig)) trace::ev::SignalCaught{.signal = sig}.emit();
    }
    // Order matters only when several arrived together: the ones that end the
    // process last, so the others are not lost.
    if (has(SIGUSR1)) handle_usr1();
    if (has(SIGWINCH)) handle_winch();
    if (has(SIGTERM)) handle_exit();
    if (has(SIGABRT)) handle_abort();
    if (has(SIGQUIT) || has(SIGINT)) handle_quit();
}

void Worker::handle_exit() { set_alive(false); }

void Worker::handle_quit() {
    set_alive(false);
    sys::sleep_for_seconds(0.1);
    throw SystemExit{0};
}

void Worker::handle_abort() {
    set_alive(false);
    throw SystemExit{1};
}

void Worker::handle_usr1() { log_->reopen_files(); }

void Worker::handle_winch() { log_->debug("worker: SIGWINCH ignored."); }

bool Worker::is_parent_alive() {
    if (ppid_ != ::getppid()) {
        log_->info("Parent changed, shutting down: <Worker {}>", pid_);
        return false;
    }
    return true;
}

bool Worker::count_request() {
    if (nr_.fetch_add(1) + 1 >= max_requests_) {
        if (alive()) log_->info("Autorestarting worker after current request.");
        set_alive(false);
        return true;
    }
    return false;
}

void Worker::drain_wakeup_pipe() {
    char buf[64];
    while (::read(pipe_read_.get(), buf, sizeof buf) > 0) {
    }
}

}  // namespace minicorn::process
