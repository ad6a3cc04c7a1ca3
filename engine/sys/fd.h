// engine/sys/fd.h — small wrappers over file descriptors and syscalls.
//
// Fd owns one descriptor and closes it once. Errors that cannot happen in a
// correct program (EBADF, EFAULT) go through die_bug(), which says what was
// probably wrong and aborts; expected conditions are returned to the caller.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace minicorn::sys {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    ~Fd() { reset(); }

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    explicit operator bool() const { return valid(); }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

void set_nonblocking(int fd, bool on);
void set_cloexec(int fd, bool on);

// A program bug detected at a syscall: prints `what` and errno, then aborts.
[[noreturn]] void die_bug(std::string_view what);

// strerror(errno) as a std::string.
std::string errno_text(int err);

}  // namespace minicorn::sys
