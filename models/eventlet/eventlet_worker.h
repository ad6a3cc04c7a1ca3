// models/eventlet/eventlet_worker.h — gunicorn 20.1's EventletWorker (geventlet.py).
//
// design: per listener, an acceptor greenthread running _eventlet_serve:
// accept() — parking in the hub when nothing is pending — then
// GreenPool(worker_connections).spawn(handle), which parks the acceptor
// while the pool is full. Neither call yields when it can proceed, so the
// acceptor greedily drains the backlog up to the pool size before any
// handler runs. See async_worker.h for the rest.
#pragma once

#include "models/green/async_worker.h"

namespace minicorn::models {

class EventletWorker final : public AsyncWorker {
public:
    explicit EventletWorker(const process::WorkerArgs& args) : AsyncWorker(args) {}
    trace::ModelId model_id() const override { return trace::ModelId::Eventlet; }

private:
    void start_servers() override;
    void serve(const net::Listener& listener, GreenPool& pool) override;
};

}  // namespace minicorn::models
