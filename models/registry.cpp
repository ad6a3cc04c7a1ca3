#include "models/registry.h"

#include "models/asyncio/asyncio_worker.h"
#include "models/eventlet/eventlet_worker.h"
#include "models/gevent/gevent_worker.h"
#include "models/gthread/gthread_worker.h"
#include "models/sync/sync_worker.h"
#include "models/tornado/tornado_worker.h"

namespace minicorn::models {

const std::vector<WorkerModel>& worker_models() {
    static const std::vector<WorkerModel> models = {
        {"sync", "one process, one connection at a time; never keeps a connection alive",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<SyncWorker>(a);
         },
         ""},
        {"gthread", "a thread pool fed by a poller; keep-alive connections parked in the poller",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<GthreadWorker>(a);
         },
         "", GthreadWorker::check_config},
        {"eventlet", "greenlets on eventlet's hub; one acceptor greenlet per listener",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<EventletWorker>(a);
         },
         ""},
        {"gevent", "greenlets on gevent's libev hub; StreamServer accepts",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<GeventWorker>(a);
         },
         ""},
        {"gevent_wsgi", "gevent's own pywsgi server and parser", {}, "the green workers (issue 5)"},
        {"gevent_pywsgi", "gevent's own pywsgi server and parser", {}, "the green workers (issue 5)"},
        {"tornado", "tornado's IOLoop running WSGI on the loop thread",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<TornadoWorker>(a);
         },
         ""},
        {"asyncio", "uvicorn's ASGI worker: one asyncio event loop, a task per connection",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<AsyncioWorker>(a);
         },
         ""},
        {"uvicorn", "alias of asyncio (gunicorn -k uvicorn.workers.UvicornWorker)",
         [](const process::WorkerArgs& a) -> std::unique_ptr<process::Worker> {
             return std::make_unique<AsyncioWorker>(a);
         },
         ""},
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
