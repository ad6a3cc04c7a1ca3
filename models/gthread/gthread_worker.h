// models/gthread/gthread_worker.h — gunicorn 20.1's ThreadWorker (gthread.py),
// the "classic" design of FIDELITY §4.1.
//
// design: the main thread owns an epoll poller holding the listeners. A
// readable listener → accept() → nr_conns++ → the connection is submitted at
// once to a fixed pool of --threads threads through an UNBOUNDED queue. A pool
// thread reads one request, runs the app, writes the response and decides
// keep-alive (forced close at max_requests, when the worker is stopping, with
// --keep-alive 0, or when the keep-alive list already holds
// worker_connections − threads). Its done-callback, still on the pool thread,
// either parks the connection — non-blocking, in the `_keep` list with a
// deadline, registered in the poller — or closes it. A parked connection that
// becomes readable is taken out of the poller and `_keep` and submitted again.
//
// The main loop: notify; if nr_conns < worker_connections, poll for 1 s and
// run the callbacks, else block on the running tasks without polling — accept
// and keep-alive both stall, as in 20.1 —; check the parent;
// murder_keepalived. Out of fds (accept: EMFILE), the listeners leave the
// poller for a backoff delay (models/common/accept_backoff.h). The poller
// traces its own registrations and waits (engine/loop/poller.h). On stop: the pool takes no new work, the poller closes,
// running requests get up to graceful_timeout.
//
// Thread affinity: run(), the poller and murder_keepalived on the main thread;
// handle() and finish_request() on pool threads; `_keep` and the poller's
// table under lock_.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "engine/loop/epoll_poller.h"
#include "engine/process/worker.h"
#include "models/common/accept_backoff.h"
#include "models/common/http_session.h"
#include "models/gthread/thread_pool.h"

namespace minicorn::models {

class GthreadWorker : public ServingWorker {
public:
    explicit GthreadWorker(const process::WorkerArgs& args) : ServingWorker(args) {}

    void run() override;
    trace::ModelId model_id() const override { return trace::ModelId::Gthread; }

    // gunicorn's ThreadWorker.check_config: warns when no connection can be kept alive.
    static void check_config(const process::Config& cfg, process::Logger& log);

protected:
    void handle_quit() override;

private:
    using Conn = std::shared_ptr<ServerConn>;

    void accept(const net::Listener& listener);
    void stop_accepting(std::chrono::milliseconds delay);
    void resume_accepting_if_due();
    int poll_timeout_ms() const;
    void enqueue_req(Conn conn);
    void reuse_connection(int fd);
    void murder_keepalived();
    // On a pool thread: one request, then keep-alive or close.
    void handle(Conn conn);
    void finish_request(Conn conn, bool keepalive);
    void close_conn(ServerConn& conn);

    std::optional<loop::EpollPoller> poller_;
    std::unique_ptr<ThreadPool> tpool_;
    std::mutex lock_;                             // _keep and registered_
    std::deque<Conn> keep_;                       // gunicorn's _keep: parked, oldest deadline first
    std::unordered_map<int, Conn> registered_;    // parked connections in the poller, by fd
    std::atomic<int> nr_conns_{0};
    int max_keepalived_ = 0;
    AcceptBackoff backoff_;
    std::int64_t accept_resume_ns_ = 0;  // listeners out of the poller until then (engine time); 0: accepting
};

}  // namespace minicorn::models
