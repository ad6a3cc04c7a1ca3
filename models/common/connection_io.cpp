#include "models/common/connection_io.h"

#include <sys/socket.h>

#include <cerrno>

#include "engine/hub/green_io.h"

namespace minicorn::models {

namespace {
bool would_wait(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }
}  // namespace

// A brief release: when the trace holds its report back (deferred), the call
// is tried without waiting first, and the release is reported only if it has
// to wait (see engine/process/gil_trace.h). Otherwise the plain blocking call.
net::IoResult ThreadConnectionIo::recv(int fd, char* buf, std::size_t n) {
    wsgi::Gil::Released no_gil(gil_, wsgi::Gil::Brief::Call);
    if (no_gil.deferred()) {
        const ssize_t got = ::recv(fd, buf, n, MSG_DONTWAIT);
        if (got > 0) return {net::IoResult::Ok, static_cast<std::size_t>(got), 0};
        if (got == 0) return {net::IoResult::Eof, 0, 0};
        if (!would_wait(errno)) return net::io_failure(errno, 0);
        no_gil.blocks();
    }
    return net::recv_some(fd, buf, n, on_interrupt_);
}

net::IoResult ThreadConnectionIo::send_all(int fd, std::string_view data) {
    wsgi::Gil::Released no_gil(gil_, wsgi::Gil::Brief::Call);
    std::size_t sent = 0;
    if (no_gil.deferred()) {
        const ssize_t put = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (put < 0 && !would_wait(errno)) return net::io_failure(errno, 0);
        if (put > 0) sent = static_cast<std::size_t>(put);
        if (sent == data.size()) return {net::IoResult::Ok, sent, 0};
        no_gil.blocks();
    }
    net::IoResult r = net::send_all(fd, data.substr(sent), on_interrupt_);
    r.bytes += sent;
    return r;
}

net::IoResult GreenConnectionIo::recv(int fd, char* buf, std::size_t n) {
    return hub::green_recv(fd, buf, n, read_deadline_);
}

net::IoResult GreenConnectionIo::send_all(int fd, std::string_view data) { return hub::green_send_all(fd, data); }

}  // namespace minicorn::models
