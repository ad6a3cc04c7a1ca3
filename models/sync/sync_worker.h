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

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http/limits.h"
#include "engine/http/request.h"
#include "engine/http/response.h"
#include "engine/wsgi/thread_runtime.h"

#include "engine/process/worker.h"

namespace minicorn::models {

class SyncWorker : public process::Worker {
public:
    explicit SyncWorker(const process::WorkerArgs& args) : Worker(args) {}

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
    void handle(const net::Listener& listener, int client, const std::string& peer_ip, std::uint16_t peer_port);
    void handle_request(const net::Listener& listener, int fd, const http::Request& req, const std::string& peer_ip,
                        std::uint16_t peer_port);
    void write_error_page(int fd, std::string_view page);
    void log_access(const http::Request& req, int status, const http::Response& resp, const std::string& peer_ip,
                    std::chrono::system_clock::time_point started);

    http::Limits limits_;
    std::uint32_t conn_seq_ = 0;
    std::uint64_t conn_ = 0;  // the connection being served (trace id)
    std::uint64_t req_ = 0;   // its request (trace id)
    std::uint32_t req_seq_ = 0;
    std::unique_ptr<wsgi::ThreadRuntime> runtime_;
};

}  // namespace minicorn::models
