#include "engine/sys/fd.h"

#include <fcntl.h>
#include <sys/ioctl.h>
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

// One ioctl(FIONBIO), as CPython's sock.setblocking() does on Linux, rather
// than fcntl's F_GETFL + F_SETFL: gthread flips every kept-alive connection
// twice per request (conn.init() and finish_request), so it is two system
// calls a request fewer.
void set_nonblocking(int fd, bool on) {
    int arg = on ? 1 : 0;
    if (::ioctl(fd, FIONBIO, &arg) < 0) die_bug("ioctl(FIONBIO) on a descriptor that is not open");
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
