// models/tornado/tornado_worker.h — gunicorn 20.1's TornadoWorker
// (workers/gtornado.py) running a WSGI app under tornado 6.2 (FIDELITY §8).
//
// design: one IOLoop (engine/loop/io_loop.h) on the worker's main thread owns
// everything. The listeners are registered with it; a readable listener
// accepts up to 128 connections at once (tornado's netutil accept handler),
// and each connection starts being served in a ready callback (Accept).
// Each connection is non-blocking and registered with the loop; its bytes are
// fed to the request parser as they arrive. A complete request queues a
// ready callback (Request) in which the WSGI app is called, synchronously,
// on the loop thread — tornado's WSGIContainer with no executor — and its
// whole body is joined before anything is written. While the app runs nothing else happens in the
// process: no accept, no other connection, no timer, not even the heartbeat;
// so one request at a time per process, and a request longer than --timeout
// gets the worker killed (WORKER TIMEOUT). The response is tornado's, not
// gunicorn's: "Server: TornadoServer/6.2", no Date header, Content-Length
// always set, keep-alive by tornado's rules (HTTP/1.1 unless "Connection:
// close"). Tornado's limits, not gunicorn's (engine/http/tornado_wire.h): a
// head over 64 KiB closes the connection without a word, a body over 100 MiB
// gets a bare 400; "Expect: 100-continue" is answered as soon as the head is
// in. --keep-alive is not honoured: an idle connection is closed after
// tornado's idle_connection_timeout, 3600 s. max_requests counts CLOSED
// connections (gunicorn's handle_request is called from on_close).
//
// Two PeriodicCallbacks, every 1000 ms: `watchdog` (notify while alive; parent
// gone → alive = false) and `heartbeat` (not alive: the first tick stops
// listening — server.stop() —, the next one stops the loop). Open connections
// are then dropped.
//
// Thread affinity: everything runs on the worker process's main thread, which
// holds the GIL except while the loop polls.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/http/limits.h"
#include "engine/http/parser.h"
#include "engine/loop/io_loop.h"
#include "engine/process/worker.h"
#include "engine/wsgi/thread_runtime.h"
#include "models/common/accept_backoff.h"
#include "models/common/request_scope.h"
#include "models/common/server_conn.h"
#include "models/common/serving_worker.h"

namespace minicorn::models {

class TornadoWorker : public ServingWorker {
public:
    explicit TornadoWorker(const process::WorkerArgs& args) : ServingWorker(args) {}

    void run() override;
    trace::ModelId model_id() const override { return trace::ModelId::Tornado; }

    // tornado.netutil's accept handler: at most this many accepts per readiness.
    static constexpr int kAcceptsPerReady = 128;
    // HTTPServer's idle_connection_timeout default (tornado 6.2), in seconds.
    static constexpr std::int64_t kIdleConnectionTimeoutS = 3600;

private:
    // One client connection (tornado's HTTP1ServerConnection + its IOStream).
    struct Conn {
        ServerConn client;
        http::RequestParser parser;
        std::string out;                        // response bytes not yet written
        std::size_t out_sent = 0;
        bool close_after = false;               // disconnect once `out` is written
        bool head_seen = false;                 // the current request's head was in (100 Continue sent if asked)
        RequestScope scope;                     // the request being answered
        std::size_t bytes_in = 0;               // of the request being read
        bool request_queued = false;            // a request (or pipelined bytes) waits for its Request callback
        loop::IOLoop::TimerId idle_timer = 0;   // 0: none armed
        explicit Conn(http::Limits limits) : parser(limits) {}
    };

    // The PeriodicCallbacks of gtornado.py.
    void watchdog();
    void heartbeat();

    void watch_listener(const net::Listener& listener);
    void handle_accept(const net::Listener& listener);
    // The open connection on `fd` if it is still connection `id`, else nullptr.
    Conn* find_conn(int fd, std::uint64_t id);
    // The Accept callback: registers the fd, arms the idle timer, reads inline.
    void start_serving(int fd, std::uint64_t id);
    void on_conn_event(int fd, std::uint32_t events);
    // Reads what the socket has; a complete request goes to request_ready.
    void handle_read(Conn& conn);
    // Feeds bytes to the parser (the rest after a complete request is kept
    // for the next one); answers "Expect: 100-continue" once the head is in.
    void feed(Conn& conn, std::string_view bytes);
    // Queues the Request callback that serves it.
    void request_ready(Conn& conn);
    // Feeds the bytes read past the last request (pipelining) to the parser.
    void consume_buffered(int fd);
    void serve_request(Conn& conn);
    // Writes as much of conn.out as the socket takes; false if the conn was closed.
    bool flush(Conn& conn);
    void finish_response(Conn& conn);
    void arm_idle_timer(Conn& conn);
    // Closes and forgets the connection; counts it (handle_request).
    void close_conn(int fd);

    std::optional<loop::IOLoop> loop_;
    std::unique_ptr<wsgi::ThreadRuntime> runtime_;
    http::Limits limits_;
    std::unordered_map<int, std::unique_ptr<Conn>> conns_;
    loop::IOLoop::TimerId watchdog_id_ = 0;
    loop::IOLoop::TimerId heartbeat_id_ = 0;
    bool server_alive_ = true;                  // listeners registered (gtornado's server_alive)
    AcceptBackoff backoff_;                     // out of fds: stop accepting for a while
};

}  // namespace minicorn::models
