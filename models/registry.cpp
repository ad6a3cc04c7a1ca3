// models/registry.cpp — the table: one row per worker class -k accepts.
#include "models/registry.h"

#include "models/asyncio/asyncio_worker.h"
#include "models/eventlet/eventlet_worker.h"
#include "models/gevent/gevent_worker.h"
#include "models/gthread/gthread_worker.h"
#include "models/sync/sync_worker.h"
#include "models/tornado/tornado_worker.h"

namespace minicorn::models {

namespace {

// The factory of every row: a new W for each spawned worker.
template <class W>
std::unique_ptr<process::Worker> make(const process::WorkerArgs& args) {
    return std::make_unique<W>(args);
}

}  // namespace

const std::vector<WorkerModel>& worker_models() {
    static const std::vector<WorkerModel> models = {
        {"sync", "one process, one connection at a time; never keeps a connection alive", make<SyncWorker>},
        {"gthread", "a thread pool fed by a poller; keep-alive connections parked in the poller",
         make<GthreadWorker>, GthreadWorker::check_config},
        {"eventlet", "greenlets on eventlet's hub; one acceptor greenlet per listener", make<EventletWorker>},
        {"gevent", "greenlets on gevent's libev hub; StreamServer accepts", make<GeventWorker>},
        {"tornado", "tornado's IOLoop running WSGI on the loop thread", make<TornadoWorker>},
        {"asyncio", "uvicorn's ASGI worker: one asyncio event loop, a task per connection", make<AsyncioWorker>},
        {"uvicorn", "alias of asyncio (gunicorn -k uvicorn.workers.UvicornWorker)", make<AsyncioWorker>},
    };
    return models;
}

const WorkerModel* find_worker_model(std::string_view name) {
    for (const WorkerModel& m : worker_models()) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

}  // namespace minicorn::models
