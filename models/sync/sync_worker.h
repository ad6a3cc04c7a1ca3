// models/sync/sync_worker.h — gunicorn's SyncWorker (workers/sync.py).
//
// design: one process serves one connection at a time, on its main thread.
// The loop tries a non-blocking accept() on the shared listener; when a
// connection is waiting it serves it completely — read one request, run the
// app, write the response with "Connection: close", close — and goes straight
// back to accept, draining the queue without select(). When nothing is
// waiting (EAGAIN: also what the losers of a thundering herd see), it
// select()s on the listeners and the signal pipe for timeout/2 seconds. There
// is no read timeout: a client that connects and says nothing pins the worker
// until the master's WORKER TIMEOUT kills it.
//
// Thread affinity: everything runs on the worker process's main thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/wsgi/thread_runtime.h"
#include "models/common/http_session.h"

#include "engine/process/worker.h"

namespace minicorn::models {

class SyncWorker : public ServingWorker {
public:
    explicit SyncWorker(const process::WorkerArgs& args) : ServingWorker(args) {}

    void run() override;
    trace::ModelId model_id() const override { return trace::ModelId::Sync; }

private:
    // The loop for one listener, and for several (gunicorn's run_for_one / run_for_multiple).
    void run_for_one(double timeout);
    void run_for_multiple(double timeout);

    // Waits up to `timeout` seconds for a listener (or the signal pipe) to be
    // readable. Returns false when waiting must stop (a listener was closed).
    bool wait(double timeout, std::vector<int>& ready);

    // One accept() on a non-blocking listener. False: nothing was waiting.
    bool accept(const net::Listener& listener);

    // Serves one connection: one request, then close.
    void handle(ServerConn& conn);

    std::unique_ptr<wsgi::ThreadRuntime> runtime_;
};

}  // namespace minicorn::models
