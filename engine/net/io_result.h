// engine/net/io_result.h — what one socket call on a connection reports, the
// same for a blocking call on a thread (engine/net/socket_io.h) and a green
// call that parks a greenlet (engine/hub/green_io.h).
//
// Expected conditions are statuses, sorted where the syscall is made: the
// peer left (Eof, Reset, BrokenPipe), a deadline passed (TimedOut), anything
// else (Error, with errno_value: ENOTCONN, ECONNREFUSED, EBADF after
// Hub::cancel_wait…). Bugs (EBADF on a socket the caller owns, EFAULT) never
// come back: the call aborts with a message. Plain data.
#pragma once

#include <cstddef>

namespace minicorn::net {

struct IoResult {
    enum Status {
        Ok,          // `bytes` transferred (all of them for a send_all)
        Eof,         // recv: the peer closed its side (0 bytes)
        TimedOut,    // the deadline passed; `bytes` = what was transferred before it
        Reset,       // ECONNRESET: the peer is gone
        BrokenPipe,  // EPIPE: the peer is gone while we write
        Error,       // anything else; errno_value says which
    };
    Status status = Ok;
    std::size_t bytes = 0;  // transferred, also before a failure
    int errno_value = 0;

    bool ok() const { return status == Ok; }
    // The peer went away (or reset): ordinary flow, logged at debug level.
    bool peer_gone() const { return status == Eof || status == Reset || status == BrokenPipe; }
};

// The status for a failed call's errno (ECONNRESET → Reset, EPIPE →
// BrokenPipe, else Error). The caller has sorted out EAGAIN, EINTR and bugs.
IoResult io_failure(int err, std::size_t bytes);

}  // namespace minicorn::net
