// engine/process/arbiter.h — the master process (gunicorn 20.1's arbiter.py).
//
// The arbiter binds the listeners, forks the workers and keeps their number
// right. Its loop, as in 20.1:
//   1. pop one queued signal;
//   2. none: sleep() — wait up to 1 s on the signal pipe — then
//      murder_workers() (WORKER TIMEOUT) and manage_workers() (spawn / retire);
//   3. one: run its handle_<name>() and loop again at once.
// Signal handlers only enqueue (at most 5 waiting, as 20.1) and write a byte to
// the pipe. SIGCHLD is kept apart from that queue and reaped first thing in the
// next iteration (20.1 reaps inside the handler, which C++ cannot do safely).
//
// Thread affinity: single-threaded; one Arbiter per master process.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/net/listener.h"
#include "engine/process/config.h"
#include "engine/process/log.h"
#include "engine/process/worker.h"
#include "engine/sys/fd.h"

namespace minicorn::process {

using WorkerFactory = std::function<std::unique_ptr<Worker>(const WorkerArgs&)>;

class Arbiter {
public:
    // `worker_label` is what "Using worker: ..." prints.
    using CheckConfig = void (*)(const Config& cfg, Logger& log);
    Arbiter(Config cfg, WorkerFactory factory, std::string worker_label, Logger& log,
            CheckConfig check_config = nullptr);
    ~Arbiter();

    // Runs until the server stops; returns the master's exit status. In a
    // forked worker it never returns: the child exits from spawn_worker.
    int run();

private:
    struct HaltServer {
        std::string reason;
        int exit_status;
    };
    struct StopIteration {};

    void start();
    void init_signals();
    int pop_signal();  // -1: none
    void sleep();
    void reap_if_child_exited();
    void sample_accept_queues();
    void wakeup();

    void dispatch(int sig);
    void handle_chld();
    void handle_hup();
    void handle_term();
    void handle_int();
    void handle_quit();
    void handle_ttin();
    void handle_ttou();
    void handle_usr1();
    void handle_usr2();
    void handle_winch();

    void reload();
    void halt(const std::string& reason, int exit_status);
    void stop(bool graceful);

    void murder_workers();
    void reap_workers();
    void manage_workers();
    void spawn_workers();
    pid_t spawn_worker();
    [[noreturn]] void run_worker_child(Worker& worker);
    void kill_workers(int sig);
    void kill_worker(pid_t pid, int sig);

    void preload_app();
    void start_db_backend();
    void stop_db_backend();
    void write_pidfile();
    void remove_pidfile();

    Config cfg_;
    WorkerFactory factory_;
    std::string worker_label_;
    CheckConfig check_config_;
    Logger& log_;
    pid_t pid_ = 0;
    int num_workers_ = 1;
    int worker_age_ = 0;
    std::vector<net::Listener> listeners_;
    std::map<pid_t, std::unique_ptr<Worker>> workers_;
    sys::Fd pipe_read_;
    sys::Fd pipe_write_;
    bool pidfile_written_ = false;
    int last_logged_worker_count_ = -1;
    int exit_status_ = 0;
    pid_t db_pid_ = 0;
    std::shared_ptr<wsgi::Application> preloaded_;  // --preload: imported once, here
};

}  // namespace minicorn::process
