// models/common/serving_worker.h — what every model that serves HTTP shares
// on top of process::Worker: the process's id sequences and the ServeContext
// its serving threads (greenlets) read.
//
// Thread affinity: init_serving() runs once, on the worker's main thread, in
// run() before any connection is served; the context is read-only after.
#pragma once

#include <sys/types.h>

#include <optional>

#include "engine/http/limits.h"
#include "engine/process/config.h"
#include "engine/process/log.h"
#include "engine/process/worker.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/gil.h"
#include "models/common/request_scope.h"

namespace minicorn::models {

// When `HTTP/1.1 100 Continue` answers "Expect: 100-continue".
enum class ExpectContinue {
    AtOnce,       // gunicorn 20.1: while the environ is built, before the app runs
    OnFirstRead,  // uvicorn: when the app first reads the body, unless it answered already
};

// What serving a request needs from its worker. Shared by the worker's threads.
struct ServeContext {
    process::Logger& log;
    const process::Config& cfg;
    http::Limits limits;
    wsgi::Application& app;
    wsgi::Gil& gil;
    pid_t pid;
    int num_workers;
    bool multithread;                // wsgi.multithread
    IdSequences& ids;
    ExpectContinue expect_continue;
};

class ServingWorker : public process::Worker {
public:
    explicit ServingWorker(const process::WorkerArgs& args) : Worker(args) {}

protected:
    // Builds the context from the settings (gunicorn's limit_request_*).
    void init_serving(bool multithread, ExpectContinue expect_continue = ExpectContinue::AtOnce);
    const ServeContext& serving() const { return *serve_; }
    IdSequences& ids() { return ids_; }

private:
    IdSequences ids_;
    std::optional<ServeContext> serve_;
};

}  // namespace minicorn::models
