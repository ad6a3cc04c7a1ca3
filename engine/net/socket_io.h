// engine/net/socket_io.h — blocking reads and writes on a connected socket, as
// a thread-based worker does them (sync, gthread).
//
// Every call retries after EINTR, first running `on_interrupt` — the worker's
// check_signals(), which may throw to end the process, exactly where CPython
// would raise SystemExit out of a blocking recv(). Expected conditions (the
// peer went away) are returned as an IoResult (io_result.h), never thrown;
// there is no deadline, so never TimedOut.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "engine/net/io_result.h"

namespace minicorn::net {

using InterruptHook = std::function<void()>;

// One recv() of up to `size` bytes; blocks until something arrives.
IoResult recv_some(int fd, char* buf, std::size_t size, const InterruptHook& on_interrupt);

// Writes all of `data` (a blocking socket); stops at the first error.
IoResult send_all(int fd, std::string_view data, const InterruptHook& on_interrupt);

}  // namespace minicorn::net
