#include "engine/sys/fd.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace minicorn::sys {

void Fd::reset(int fd) {
    if (fd_ >= 0) {
        // close() may report EINTR after the descriptor is already gone on
        // Linux; retrying would close someone else's fd, so never retry.
        if (::close(fd_) != 0 && errno == EBADF) die_bug("close(): descriptor was not open (double close?)");
    }
    fd_ = fd;
}

void set_nonblocking(int fd, bool on) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) die_bug("fcntl(F_GETFL) on a descriptor that is not open");
    flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    if (::fcntl(fd, F_SETFL, flags) < 0) die_bug("fcntl(F_SETFL)");
}

void set_cloexec(int fd, bool on) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) die_bug("fcntl(F_GETFD) on a descriptor that is not open");
    flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    if (::fcntl(fd, F_SETFD, flags) < 0) die_bug("fcntl(F_SETFD)");
}

void die_bug(std::string_view what) {
    int err = errno;
    std::fprintf(stderr, "minicorn: internal error: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
                 std::strerror(err));
    std::abort();
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace minicorn::sys
