// models/common/connection_io.h — how a connection's bytes move, the one seam
// between the HTTP session (http_session.h, body_reader.h) and a model's way
// of waiting: a blocking call on an OS thread, or a green call that parks the
// greenlet. Both report a net::IoResult (engine/net/io_result.h).
//
// Thread affinity: a ThreadConnectionIo is used by the thread that holds the
// GIL and releases it around each call; a GreenConnectionIo by a greenlet of
// the thread whose hub is installed. Neither owns the fd.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "engine/hub/hub.h"
#include "engine/net/io_result.h"
#include "engine/net/socket_io.h"
#include "engine/wsgi/gil.h"

namespace minicorn::models {

class ConnectionIo {
public:
    virtual ~ConnectionIo() = default;
    // One read of up to `n` bytes: Ok (bytes > 0), Eof, TimedOut, Reset, Error.
    virtual net::IoResult recv(int fd, char* buf, std::size_t n) = 0;
    // All of `data`, or the first failure.
    virtual net::IoResult send_all(int fd, std::string_view data) = 0;
};

// Blocking calls (a blocking socket): the GIL is released around each, and a
// call interrupted by a signal runs `on_interrupt` (check_signals) and
// resumes. No deadline: a silent client holds the thread, as in gunicorn 20.1.
class ThreadConnectionIo final : public ConnectionIo {
public:
    ThreadConnectionIo(wsgi::Gil& gil, net::InterruptHook on_interrupt)
        : gil_(gil), on_interrupt_(std::move(on_interrupt)) {}
    net::IoResult recv(int fd, char* buf, std::size_t n) override;
    net::IoResult send_all(int fd, std::string_view data) override;

private:
    wsgi::Gil& gil_;
    net::InterruptHook on_interrupt_;
};

// Green calls (a non-blocking socket): EAGAIN parks the greenlet on the fd.
// A read deadline, while set, ends a silent wait with TimedOut (the async
// workers' keep-alive timer around each request head).
class GreenConnectionIo final : public ConnectionIo {
public:
    net::IoResult recv(int fd, char* buf, std::size_t n) override;
    net::IoResult send_all(int fd, std::string_view data) override;

    void set_read_deadline(hub::Clock::time_point at) { read_deadline_ = at; }
    void clear_read_deadline() { read_deadline_.reset(); }

private:
    std::optional<hub::Clock::time_point> read_deadline_;
};

}  // namespace minicorn::models
