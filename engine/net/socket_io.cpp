#include "engine/net/socket_io.h"

#include <sys/socket.h>

#include <cerrno>

#include "engine/sys/fd.h"

namespace minicorn::net {

IoResult io_failure(int err, std::size_t bytes) {
    switch (err) {
        case ECONNRESET: return {IoResult::Reset, bytes, err};
        case EPIPE: return {IoResult::BrokenPipe, bytes, err};
        default: return {IoResult::Error, bytes, err};
    }
}

namespace {
IoResult from_errno(int err, std::size_t bytes) {
    if (err == EBADF || err == EFAULT || err == ENOTSOCK) {
        sys::die_bug("socket I/O on a descriptor that is not an open socket");
    }
    return io_failure(err, bytes);
}
}  // namespace

IoResult recv_some(int fd, char* buf, std::size_t size, const InterruptHook& on_interrupt) {
    while (true) {
        ssize_t n = ::recv(fd, buf, size, 0);
        if (n > 0) return {IoResult::Ok, static_cast<std::size_t>(n), 0};
        if (n == 0) return {IoResult::Eof, 0, 0};
        if (errno == EINTR) {
            if (on_interrupt) on_interrupt();
            continue;
        }
        return from_errno(errno, 0);
    }
}

IoResult send_all(int fd, std::string_view data, const InterruptHook& on_interrupt) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) {
            if (on_interrupt) on_interrupt();
            continue;
        }
        return from_errno(errno, sent);
    }
    return {IoResult::Ok, sent, 0};
}

}  // namespace minicorn::net
