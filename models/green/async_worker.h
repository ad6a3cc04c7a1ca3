// models/green/async_worker.h — gunicorn's AsyncWorker (workers/base_async.py)
// and what the gevent and eventlet workers share: one greenlet per
// connection, all on one hub (engine/hub) on the worker's main thread.
//
// design: per listener, one acceptor greenlet (the model's serve(): the
// few lines that are its lesson) and one GreenPool; the acceptor spawns one
// greenlet per accepted connection into the pool, which runs handle():
// base_async's keep-alive loop — read a request head within --keep-alive
// seconds of engine time (the first one included: a client silent for
// longer is dropped without a word), answer it, loop until the response
// closes. No max_keepalived cap: an idle keep-alive connection holds its
// greenlet, and its pool slot, until it times out. The main greenlet loops
// notify + sleep(1 s); when alive goes false the acceptors are killed
// (server.stop()/close(): woken in the hub with GreenletExit wherever they
// are parked) and in-flight greenlets get up to --graceful-timeout. Out of
// fds, an acceptor backs off as gevent's servers do (accept_backoff.h).
//
// Signals, as gevent and eventlet do: a signal that interrupts the hub's
// epoll_wait runs its handler in a freshly spawned greenlet; a signal that
// arrives while a greenlet computes or blocks without yielding is handled
// in that greenlet (between "bytecodes"). SIGABRT there ends only that
// greenlet's connection (handle_request swallows SystemExit), sets alive to
// false and the worker stops gracefully — then exits 1, the exit code of
// handle_abort's sys.exit(1) (minicorn's sync worker exits 1 there too).
//
// Thread affinity: everything on the worker's main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "engine/process/worker.h"
#include "engine/hub/hub.h"
#include "models/common/accept_backoff.h"
#include "models/common/http_session.h"
#include "models/common/serving_worker.h"
#include "models/green/green_pool.h"
#include "models/green/green_runtime.h"

namespace minicorn::models {

class AsyncWorker : public ServingWorker {
public:
    explicit AsyncWorker(const process::WorkerArgs& args) : ServingWorker(args) {}

    void run() final;

protected:
    // Spawns the acceptors: one greenlet running serve() per listener, each
    // with its pool of pool_size() slots.
    virtual void start_servers();
    // The model's acceptor for one listener: accept and spawn_handler() until
    // killed (stop_servers).
    virtual void serve(const net::Listener& listener, GreenPool& pool) = 0;
    // Connections handled at once per listener (gunicorn: worker_connections).
    virtual std::size_t pool_size() const;

    // One accept on the non-blocking listener, traced; an accepted socket is
    // non-blocking (a green socket). Out of fds or memory, the acceptor backs
    // off first — parks on a timer for the backoff delay — and then returns
    // Exhausted; an accept that works again ends the episode.
    AcceptResult accept_one(const net::Listener& listener, ServerConn& out);
    // Takes a slot of `pool` (parking the caller while it is full) and spawns
    // the connection's greenlet — scheduled, not run — which gives it back.
    void spawn_handler(GreenPool& pool, std::shared_ptr<ServerConn> conn);

    void handle_exit() override;
    void handle_abort() override;
    void handle_quit() override;

    int max_accept() const { return num_workers() > 1 ? 1 : 100; }
    // The idle limit for the next request on a connection (gunicorn's --keep-alive).
    virtual int keepalive_seconds() const { return cfg().keepalive; }
    // How often the main greenlet wakes between two notify()s, a second apart
    // (gunicorn's gevent and eventlet: it sleeps the whole second).
    virtual std::chrono::milliseconds main_tick() const { return std::chrono::seconds(1); }

private:
    // The connection's greenlet: base_async.handle.
    void handle(ServerConn& conn);
    void stop_servers();
    std::size_t busy() const;
    void graceful_stop();

    std::unique_ptr<GreenRuntime> runtime_;
    std::vector<std::unique_ptr<GreenPool>> pools_;  // one per listener, as gunicorn's
    std::vector<hub::GreenId> acceptors_;             // one per listener
    AcceptBackoff backoff_;
    hub::WaitQueue main_wake_;       // the main greenlet's 1 s sleep, woken early when alive goes false
    bool abort_requested_ = false;  // handle_abort ran: the worker exits 1 after its graceful stop
};

}  // namespace minicorn::models
