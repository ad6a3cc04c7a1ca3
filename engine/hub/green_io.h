// engine/hub/green_io.h — green (cooperative) socket calls, as gevent's
// patched socket methods: try the non-blocking syscall; on EAGAIN park the
// running greenlet on the fd (Hub::wait_fd) and retry when the hub wakes it.
// Other greenlets run meanwhile; a plain blocking call would stop them all.
//
// The fds must be NON-BLOCKING: on a blocking fd the syscall itself blocks
// the whole hub, exactly as an unpatched call does under gevent. (There is no
// green accept: the workers' acceptors park on their listener with
// Hub::wait_fd and accept through models/common, which traces each try.)
//
// Errors are sorted where the syscall is made: EAGAIN parks, EINTR retries;
// expected conditions come back in net::IoResult (engine/net/io_result.h),
// the same result the thread calls give: Reset, BrokenPipe, or Error with
// errno_value (ECONNREFUSED, …); EFAULT, and EBADF/ENOTSOCK on a connection, are
// bugs and abort with a message. A deadline that passes returns TimedOut
// (also returned while the thread exits, see hub.h). A wait cancelled by
// Hub::cancel_wait(fd) (another greenlet is closing the fd) returns Error
// EBADF without touching the fd again, as gevent's "closed in another
// greenlet". A killed greenlet gets GreenletExit thrown from the call.
//
// Thread affinity: a greenlet (or the main fiber) of the thread whose Hub
// is installed — never from the hub itself (on_signal).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <optional>
#include <string_view>

#include "engine/hub/hub.h"
#include "engine/net/io_result.h"

namespace minicorn::hub {

using net::IoResult;

// One recv of up to n bytes: Ok (bytes > 0, or n == 0), Eof, TimedOut, Error.
IoResult green_recv(int fd, char* buf, std::size_t n, std::optional<Clock::time_point> deadline = {});

// Sends all of `data` (MSG_NOSIGNAL: a gone peer is Error EPIPE, not SIGPIPE).
IoResult green_send_all(int fd, std::string_view data, std::optional<Clock::time_point> deadline = {});

// Connects a non-blocking socket: parks until the connection is established
// or has failed (Error ECONNREFUSED, ENETUNREACH…), or the deadline passes.
IoResult green_connect(int fd, const sockaddr* addr, socklen_t len, std::optional<Clock::time_point> deadline = {});

}  // namespace minicorn::hub
