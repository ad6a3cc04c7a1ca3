// engine/net/listener.h — the listening sockets the master creates and every
// worker inherits (gunicorn's sock.py).
//
// Owned by the master; a forked worker uses the same descriptors. Options as
// gunicorn's BaseSocket.set_options: SO_REUSEADDR always, SO_REUSEPORT when
// asked, TCP_NODELAY on TCP, bind, non-blocking, listen(backlog).
#pragma once

#include <optional>
#include <string>

#include "engine/net/address.h"
#include "engine/sys/fd.h"

namespace minicorn::net {

class Listener {
public:
    Listener(BindAddress address, sys::Fd fd);
    int fd() const { return fd_.get(); }
    // The address actually bound (a requested port 0 is replaced by the real one).
    const BindAddress& address() const { return address_; }
    std::string url() const { return address_.url(); }
    // Closes the socket; unlinks a Unix socket path if `unlink_path`.
    void close(bool unlink_path);

private:
    BindAddress address_;
    sys::Fd fd_;
};

struct ListenOptions {
    int backlog = 2048;
    bool reuse_port = false;
};

// One attempt at a listening socket on `address` (gunicorn's
// BaseSocket.__init__): socket, options, bind, listen. Returns std::nullopt
// with `*error` set to the errno (EADDRINUSE, EADDRNOTAVAIL, ...); the caller
// decides whether to retry and what to log (engine/process/sockets.h).
std::optional<Listener> bind_listener(const BindAddress& address, const ListenOptions& options, int* error);

// An address as gunicorn prints it, Python's str() of its tuple:
// "('127.0.0.1', 8000)", or the path of a Unix socket.
std::string python_repr(const BindAddress& address);

// The accept queue of a listening TCP socket, read with TCP_INFO: on a
// listening socket tcpi_unacked is the queue length and tcpi_sacked the
// backlog in force. Returns false for a Unix socket or on error.
struct AcceptQueue {
    unsigned length = 0;
    unsigned backlog = 0;
};
bool read_accept_queue(int listen_fd, AcceptQueue& out);

}  // namespace minicorn::net
