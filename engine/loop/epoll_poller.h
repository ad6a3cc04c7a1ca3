// engine/loop/epoll_poller.h — an epoll set: register fds with a tag, wait for
// readiness (Python's selectors.EpollSelector, as gthread uses it).
//
// Thread affinity: wait() on one thread (the worker's main thread); add() and
// remove() may be called from any thread, as gunicorn's gthread does from its
// pool threads — epoll itself is thread-safe; the caller keeps its own tag
// table consistent under its own lock.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

#include "engine/sys/fd.h"

namespace minicorn::loop {

struct Ready {
    std::uint64_t tag;
    std::uint32_t events;  // EPOLLIN, EPOLLHUP, ...
};

enum class WaitStatus { Ok, Interrupted };

class EpollPoller {
public:
    EpollPoller();
    // Registers `fd` for `events`; `tag` comes back with its readiness.
    void add(int fd, std::uint32_t events, std::uint64_t tag);
    void remove(int fd);
    // Waits up to `timeout_ms` (-1: for ever). Fills `out` (cleared first).
    WaitStatus wait(int timeout_ms, std::vector<Ready>& out);
    void close() { fd_.reset(); }
    bool open() const { return fd_.valid(); }

private:
    sys::Fd fd_;
};

}  // namespace minicorn::loop
