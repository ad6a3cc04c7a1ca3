// models/common/http_session.h — reading one request from a connection and
// answering it: the part of gunicorn's handle() / handle_request() that the
// thread-based workers (sync, gthread) share.
//
// Thread affinity: the calling thread must hold the GIL (it runs "Python");
// both calls release it around every blocking recv()/send(). Each call works
// on one connection, owned by the caller.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/http/limits.h"
#include "engine/http/request.h"
#include "engine/net/listener.h"
#include "engine/net/socket_io.h"
#include "engine/process/config.h"
#include "engine/process/log.h"
#include "engine/sys/fd.h"
#include "engine/wsgi/app.h"
#include "engine/wsgi/gil.h"

namespace minicorn::models {

// An accepted client connection (gunicorn's client socket; gthread's TConn).
struct ClientConn {
    sys::Fd fd;
    std::uint64_t id = 0;                      // trace id
    const net::Listener* listener = nullptr;
    std::string peer_ip;
    std::uint16_t peer_port = 0;
    std::string buffer;                        // bytes read past the last request (pipelining)
    int requests = 0;                          // requests served on it
    std::int64_t deadline_ns = 0;              // gthread: keep-alive deadline, engine time
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
    bool multithread;
    std::atomic<std::uint32_t>& req_seq;       // request ids, per process
};

// How a connection's bytes move: blocking calls on a thread (releasing the
// GIL), or green calls that park a greenlet. Both report like net::recv_some /
// net::send_all; a green recv may also report a timeout (IoStatus::Other with
// errno_value ETIMEDOUT), which ends the connection silently.
struct ConnIo {
    std::function<net::IoResult(int fd, char* buf, std::size_t n)> recv;
    std::function<net::IoResult(int fd, std::string_view data)> send_all;
};

// Blocking I/O for OS threads: the GIL is released around each call, and a
// call interrupted by a signal runs `on_interrupt` (check_signals) and resumes.
ConnIo thread_io(wsgi::Gil& gil, net::InterruptHook on_interrupt);

enum class ReadResult {
    Request,   // `out` holds a complete request
    Finished,  // nothing to answer: the peer left, or an error page was already sent
};

// Reads until one request is complete (its body included). No timeout: a
// silent client blocks the thread, as in gunicorn 20.1.
ReadResult read_request(const ServeContext& ctx, ClientConn& conn, http::Request& out, std::uint64_t& req_id,
                        const ConnIo& io);

// After Parsed: when the request carries `X-Request-Id: <decimal number>` (the
// built-in client's request id), emits RequestTagged (conn, req = the
// server's ids; a0 = the client's id), which joins the two lanes in the trace.
// Costs one branch without a trace.
void tag_request(std::uint64_t conn_id, std::uint64_t req_id, const http::Request& req);

enum class AfterResponse { Close, KeepAlive };

// Calls the application and writes its response (with Connection: close when
// `force_close`, or when the request or response calls for it). KeepAlive
// only when the response was written whole and nothing calls for a close.
AfterResponse handle_request(const ServeContext& ctx, ClientConn& conn, const http::Request& req,
                             std::uint64_t req_id, bool force_close, wsgi::Runtime& runtime, const ConnIo& io);

enum class AcceptResult {
    Accepted,  // `out` holds the connection (a blocking socket, close-on-exec)
    Empty,     // EAGAIN: nobody waiting, or another worker won the race
    Failed,     // ECONNABORTED: the client gave up while queued; try again
    Exhausted,  // EMFILE, ENFILE, ENOBUFS, ENOMEM: not logged here — back off (accept_backoff.h)
};

// One accept() on a non-blocking listener, traced (AcceptAttempt, then
// Accepted + an accept-queue sample, or AcceptEagain). `conn_seq` numbers the
// process's connections.
AcceptResult accept_client(const net::Listener& listener, pid_t pid, std::uint32_t& conn_seq, ClientConn& out,
                           process::Logger& log);

// gunicorn's util.write_error path: written non-blockingly, failures ignored.
void write_error_page(int fd, std::string_view page);

}  // namespace minicorn::models
