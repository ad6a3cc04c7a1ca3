// models/green/async_worker.h — gunicorn's AsyncWorker (workers/base_async.py)
// and what the gevent and eventlet workers share: one greenlet per
// connection, all on one hub (engine/hub) on the worker's main thread.
//
// design: the model's acceptors (start_servers) spawn one greenlet per
// accepted connection, which runs handle(): base_async's keep-alive loop —
// read a request head within --keep-alive seconds (the first one included:
// a client silent for longer is dropped without a word), answer it, loop
// until the response closes. No max_keepalived cap: an idle keep-alive
// connection holds its greenlet, and its pool slot, until it times out. The
// main greenlet loops notify + sleep(1 s); when alive goes false the model
// stops accepting and in-flight greenlets get up to --graceful-timeout.
//
// Signals, as gevent and eventlet do: a signal that interrupts the hub's
// epoll_wait runs its handler in a freshly spawned greenlet; a signal that
// arrives while a greenlet computes or blocks without yielding is handled
// in that greenlet (between "bytecodes"). SIGABRT there ends only that
// greenlet's connection (handle_request swallows SystemExit), sets alive to
// false and the worker stops gracefully.
//
// Thread affinity: everything on the worker's main thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "engine/process/worker.h"
#include "models/common/http_session.h"
#include "models/green/green_runtime.h"

namespace minicorn::models {

class AsyncWorker : public ServingWorker {
public:
    explicit AsyncWorker(const process::WorkerArgs& args) : ServingWorker(args) {}

    void run() final;

protected:
    virtual void start_servers() = 0;  // spawn the acceptors
    virtual void stop_servers() = 0;   // stop accepting (close the listeners)
    virtual std::size_t busy() const = 0;  // connections being handled

    // The connection's greenlet: base_async.handle.
    void handle(ServerConn& conn);
    // A greenlet-sized accept on a non-blocking listener (traced like the others).
    AcceptResult accept_one(const net::Listener& listener, ServerConn& out);

    void handle_abort() override;
    void handle_quit() override;

    int max_accept() const { return num_workers() > 1 ? 1 : 100; }
    // The idle limit for the next request on a connection (gunicorn's --keep-alive).
    virtual int keepalive_seconds() const { return cfg().keepalive; }

private:
    void graceful_stop();

    std::unique_ptr<GreenRuntime> runtime_;
};

}  // namespace minicorn::models
