// engine/net/socket_io.h — blocking reads and writes on a connected socket, as
// a thread-based worker does them (sync, gthread).
//
// Every call retries after EINTR, first running `on_interrupt` — the worker's
// check_signals(), which may throw to end the process, exactly where CPython
// would raise SystemExit out of a blocking recv(). Expected conditions (the
// peer went away) are returned as IoStatus, never thrown.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace minicorn::net {

enum class IoStatus {
    Ok,
    Eof,          // the peer closed its side (recv returned 0)
    Reset,        // ECONNRESET
    BrokenPipe,   // EPIPE: the peer is gone while we write
    NotConnected, // ENOTCONN
    Other,        // anything else; errno_value says which
};

struct IoResult {
    IoStatus status = IoStatus::Ok;
    std::size_t bytes = 0;
    int errno_value = 0;
};

using InterruptHook = std::function<void()>;

// One recv() of up to `size` bytes; blocks until something arrives.
IoResult recv_some(int fd, char* buf, std::size_t size, const InterruptHook& on_interrupt);

// Writes all of `data` (a blocking socket); stops at the first error.
IoResult send_all(int fd, std::string_view data, const InterruptHook& on_interrupt);

}  // namespace minicorn::net
