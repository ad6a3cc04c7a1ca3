// models/gevent/gevent_worker.h — gunicorn 20.1's GeventWorker (ggevent.py).
//
// design: per listener, a StreamServer: a read watcher on the listener (here
// an acceptor greenlet parked on it in the hub) that, when readable, accepts
// up to max_accept connections (1 with more than one worker, else 100) and
// spawns a greenlet per connection into a Pool(worker_connections) — spawned,
// i.e. scheduled, not run yet. A full pool stops accepting until a slot frees:
// new clients wait in the kernel backlog. See async_worker.h for the rest.
#pragma once

#include "models/green/async_worker.h"

namespace minicorn::models {

class GeventWorker final : public AsyncWorker {
public:
    explicit GeventWorker(const process::WorkerArgs& args) : AsyncWorker(args) {}
    trace::ModelId model_id() const override { return trace::ModelId::Gevent; }

private:
    void serve(const net::Listener& listener, GreenPool& pool) override;
};

}  // namespace minicorn::models
