// models/common/server_conn.h — a connection a worker accepted and serves
// (gunicorn's client socket; gthread's TConn), and how it is accepted.
// Not the load client's connection (trace::ClientConn, the other end).
//
// Ownership: the ServerConn owns its fd. One thread (greenlet) works on it at
// a time; the model hands it over (gthread: main thread ↔ pool thread).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/net/listener.h"
#include "engine/process/log.h"
#include "engine/sys/fd.h"

namespace minicorn::models {

struct ServerConn {
    sys::Fd fd;
    std::uint64_t id = 0;                      // trace id
    const net::Listener* listener = nullptr;
    std::string peer_ip;
    std::uint16_t peer_port = 0;
    std::string buffer;                        // bytes read past the last request (pipelining)
    int requests = 0;                          // requests served on it
    std::int64_t deadline_ns = 0;              // gthread: keep-alive deadline, engine time
};

enum class AcceptResult {
    Accepted,  // `out` holds the connection (a blocking socket, close-on-exec)
    Empty,     // EAGAIN: nobody waiting, or another worker won the race
    Failed,     // ECONNABORTED: the client gave up while queued; try again
    Exhausted,  // EMFILE, ENFILE, ENOBUFS, ENOMEM: not logged here — back off (accept_backoff.h)
};

// One accept() on a non-blocking listener, traced (AcceptAttempt, then
// Accepted + an accept-queue sample, or AcceptEagain). `conn_seq` numbers the
// process's connections (IdSequences::conn).
AcceptResult accept_client(const net::Listener& listener, pid_t pid, std::uint32_t& conn_seq, ServerConn& out,
                           process::Logger& log);

// gunicorn's util.write_error path: written non-blockingly, failures ignored.
void write_error_page(int fd, std::string_view page);

}  // namespace minicorn::models
