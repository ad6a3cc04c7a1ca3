#include "engine/hub/green_io.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace minicorn::hub {

namespace {

[[noreturn]] void die_bug(const char* call, int fd, int err) {
    std::fprintf(stderr, "minicorn hub: %s(fd %d): %s — the fd is not an open socket (closed twice, or never opened?)\n",
                 call, fd, std::strerror(err));
    std::abort();
}

// EBADF/ENOTSOCK on a connection the caller owns, EFAULT anywhere: bugs.
bool is_bug(int err) { return err == EBADF || err == ENOTSOCK || err == EFAULT; }

// After cancel_wait(fd) the fd is being closed (its number may even be reused
// already): report it as gevent does — EBADF, "closed in another greenlet" —
// without another syscall on it.
IoResult after_wait(Wait w, std::size_t bytes) {
    return w == Wait::TimedOut ? IoResult{IoResult::TimedOut, bytes, 0} : IoResult{IoResult::Error, bytes, EBADF};
}

}  // namespace

IoResult green_recv(int fd, char* buf, std::size_t n, std::optional<Clock::time_point> deadline) {
    Hub& hub = Hub::current();
    for (;;) {
        const ssize_t r = ::recv(fd, buf, n, 0);
        if (r > 0) return {IoResult::Ok, static_cast<std::size_t>(r), 0};
        if (r == 0) return {n == 0 ? IoResult::Ok : IoResult::Eof, 0, 0};
        const int e = errno;
        if (e == EINTR) continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            if (const Wait w = hub.wait_fd(fd, EPOLLIN, deadline); w != Wait::Ready) return after_wait(w, 0);
            continue;
        }
        if (is_bug(e)) die_bug("recv", fd, e);
        return net::io_failure(e, 0);
    }
}

IoResult green_send_all(int fd, std::string_view data, std::optional<Clock::time_point> deadline) {
    Hub& hub = Hub::current();
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t r = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (r >= 0) {
            sent += static_cast<std::size_t>(r);
            continue;
        }
        const int e = errno;
        if (e == EINTR) continue;
        if (e == EAGAIN || e == EWOULDBLOCK) {
            if (const Wait w = hub.wait_fd(fd, EPOLLOUT, deadline); w != Wait::Ready) return after_wait(w, sent);
            continue;
        }
        if (is_bug(e)) die_bug("send", fd, e);
        return net::io_failure(e, sent);
    }
    return {IoResult::Ok, sent, 0};
}

IoResult green_connect(int fd, const sockaddr* addr, socklen_t len, std::optional<Clock::time_point> deadline) {
    Hub& hub = Hub::current();
    if (::connect(fd, addr, len) == 0) return {IoResult::Ok, 0, 0};
    const int e = errno;
    if (e == EISCONN) return {IoResult::Ok, 0, 0};
    // EINTR on a non-blocking connect: the connection goes on in the background, like EINPROGRESS.
    if (e == EINPROGRESS || e == EALREADY || e == EINTR) {
        if (const Wait w = hub.wait_fd(fd, EPOLLOUT, deadline); w != Wait::Ready) return after_wait(w, 0);
        int so_error = 0;
        socklen_t so_len = sizeof so_error;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len) != 0) die_bug("getsockopt(SO_ERROR)", fd, errno);
        if (so_error != 0) return net::io_failure(so_error, 0);
        return {IoResult::Ok, 0, 0};
    }
    if (is_bug(e)) die_bug("connect", fd, e);
    return net::io_failure(e, 0);
}

}  // namespace minicorn::hub
