// models/asyncio/asyncio_worker.h — the ASGI worker gunicorn runs as
// `uvicorn.workers.UvicornWorker`: one asyncio event loop per worker process.
//
// design: the loop's tasks are greenlets on the hub (engine/hub): an async
// app's `await asyncio.sleep()` (/io) or awaited socket round trip (/db)
// suspends only its task while the loop serves others; /cpu and /block run
// synchronously inside the coroutine and block the loop — every task, the
// heartbeat task included. Per listener, the server's accept handler takes up
// to 100 connections per readiness (asyncio's backlog drain); there is no
// connection limit (uvicorn's limit_concurrency is off by default), and the
// keep-alive timer is uvicorn's timeout_keep_alive, 5 s. The heartbeat is a
// loop task: notify + sleep(1 s). See models/green/async_worker.h for the
// per-connection loop, which this model shares with gevent and eventlet.
// The hub is traced as this worker's asyncio loop (Hub::set_loop_trace):
// its phases, every deadline as a timer, ready tasks as ready callbacks.
#pragma once

#include "models/green/async_worker.h"

namespace minicorn::models {

class AsyncioWorker final : public AsyncWorker {
public:
    explicit AsyncioWorker(const process::WorkerArgs& args) : AsyncWorker(args) {}
    trace::ModelId model_id() const override { return trace::ModelId::Asyncio; }

private:
    void start_servers() override;
    void serve(const net::Listener& listener, GreenPool& pool) override;
    std::size_t pool_size() const override { return GreenPool::kUnlimited; }  // no limit_concurrency
    int keepalive_seconds() const override { return 5; }  // uvicorn's timeout_keep_alive
    // uvicorn's main_loop: `await asyncio.sleep(0.1)` between its ticks.
    std::chrono::milliseconds main_tick() const override { return std::chrono::milliseconds(100); }
};

}  // namespace minicorn::models
