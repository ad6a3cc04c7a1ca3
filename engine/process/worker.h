// engine/process/worker.h — the base worker (gunicorn's workers/base.py).
//
// Life of a Worker:
//   1. The master constructs it, BEFORE fork: it creates the heartbeat file and
//      draws this worker's max_requests jitter.
//   2. The master forks; in the child, init_process() installs the worker's
//      signal handlers, loads the application (or, with --preload, takes the
//      one the master imported before fork), sets booted and calls run().
//   3. run() is the model's loop: while alive — notify, wait, handle.
//   4. The worker leaves run() when alive goes false (TERM, max_requests, the
//      master died) or by throwing SystemExit (QUIT, INT, ABRT).
//
// Signals, as in CPython: the C-level handler only records the signal and
// writes a byte to the wake-up pipe (signal.set_wakeup_fd); the "Python-level"
// handlers (handle_exit, handle_quit, handle_abort, ...) run later on the main
// thread, inside check_signals(), which the model calls after every blocking
// call that returned EINTR and between steps of its loop — the places where
// CPython would run them between bytecodes.
//
// Thread affinity: one Worker per process. run(), check_signals() and the
// handle_* hooks run on the process's main thread only.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "engine/net/listener.h"
#include "engine/process/config.h"
#include "engine/process/log.h"
#include "engine/process/worker_tmp.h"
#include "engine/sys/fd.h"
#include "engine/trace/event.h"

namespace minicorn::wsgi {
class Application;
class Gil;
class GilObserver;
}  // namespace minicorn::wsgi

namespace minicorn::process {

// Ends the worker process with `code`, as Python's SystemExit does: it unwinds
// to the arbiter's spawn_worker, which logs "Worker exiting" and exits. It is
// not a std::exception, so request handlers that catch std::exception (like
// gunicorn 20.1's `except Exception`) let it through.
struct SystemExit {
    int code;
};

// gunicorn's exit codes for a worker that could not start.
inline constexpr int kWorkerBootError = 3;
inline constexpr int kAppLoadError = 4;

// What the master gives every worker it constructs.
struct WorkerArgs {
    int age = 0;                           // spawn counter: higher is younger
    pid_t ppid = 0;                        // the master's pid
    std::span<const net::Listener> listeners;
    const Config* cfg = nullptr;
    Logger* log = nullptr;
    int num_workers = 1;                   // for wsgi.multiprocess
    // --preload: the app the master imported before fork (null: the worker imports it).
    std::shared_ptr<wsgi::Application> preloaded;
};

class Worker {
public:
    explicit Worker(const WorkerArgs& args);  // master side, before fork
    virtual ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Child side, right after fork. Returns when the worker's loop ends;
    // throws SystemExit to exit with a code, wsgi::AppLoadError when the app
    // cannot be imported.
    void init_process();

    // The model's loop. Returns when alive goes false.
    virtual void run() = 0;

    // Which model this is, for the trace.
    virtual trace::ModelId model_id() const = 0;

    // A heartbeat: the master kills a worker whose last one is older than
    // --timeout. Also recorded in engine time for a traced master.
    void notify();

    // Runs the handlers of signals caught since the last call. May throw SystemExit.
    void check_signals();

    // False (and logs "Parent changed, shutting down") once the master is gone.
    bool is_parent_alive();

    // --- read by the master ---
    int age() const { return age_; }
    pid_t pid() const { return pid_; }
    void set_pid(pid_t pid) { pid_ = pid; }
    bool aborted() const { return aborted_; }
    void set_aborted() { aborted_ = true; }
    bool booted() const { return booted_; }
    WorkerTmp& tmp() { return tmp_; }
    std::uint64_t max_requests() const { return max_requests_; }

protected:
    // The "Python-level" signal handlers (workers/base.py). Models may extend them.
    virtual void handle_exit();   // TERM: graceful — finish what is in hand
    virtual void handle_quit();   // QUIT, INT: alive = false, then exit 0 at once
    virtual void handle_abort();  // ABRT (WORKER TIMEOUT): exit 1 at once
    virtual void handle_usr1();   // USR1: reopen the log files
    virtual void handle_winch();  // WINCH: ignored

    bool alive() const { return alive_.load(std::memory_order_relaxed); }
    void set_alive(bool on) { alive_.store(on, std::memory_order_relaxed); }

    // Counts a request; at max_requests logs "Autorestarting worker after
    // current request." and clears alive. Returns true when this request is
    // the last one.
    bool count_request();

    // The read end of the wake-up pipe: readable after any signal.
    int wakeup_fd() const { return pipe_read_.get(); }
    void drain_wakeup_pipe();

    const Config& cfg() const { return *cfg_; }
    Logger& log() { return *log_; }
    std::span<const net::Listener> listeners() const { return listeners_; }
    wsgi::Application& app() { return *app_; }
    wsgi::Gil& gil() { return *gil_; }
    int num_workers() const { return num_workers_; }
    // cfg.timeout / 2, the select() timeout of sync (gunicorn's self.timeout).
    double half_timeout() const { return half_timeout_; }

private:
    void init_signals();
    void load_wsgi();

    int age_;
    pid_t ppid_;
    pid_t pid_ = 0;
    std::span<const net::Listener> listeners_;
    const Config* cfg_;
    Logger* log_;
    int num_workers_;
    double half_timeout_;
    bool booted_ = false;
    bool aborted_ = false;
    std::atomic<bool> alive_{true};
    std::atomic<std::uint64_t> nr_{0};  // requests served; pool threads count too
    std::uint64_t max_requests_;
    WorkerTmp tmp_;
    sys::Fd pipe_read_;
    sys::Fd pipe_write_;
    std::unique_ptr<wsgi::Gil> gil_;
    std::unique_ptr<wsgi::GilObserver> gil_tracer_;
    std::shared_ptr<wsgi::Application> app_;  // shared with the master's copy under --preload
    std::shared_ptr<wsgi::Application> preloaded_;
};

}  // namespace minicorn::process
