// engine/loop/epoll_poller.h — an epoll set: register fds with a tag, wait for
// readiness (Python's selectors.EpollSelector, as gthread and tornado use it).
// The epoll backend of the Poller interface (poller.h); gthread also uses it
// directly, with epoll's own event bits (same values as poll's).
//
// Thread affinity: wait() on one thread (the worker's main thread); add() and
// remove() may be called from any thread, as gunicorn's gthread does from its
// pool threads — epoll itself is thread-safe; the caller keeps its own tag
// table consistent under its own lock.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

#include "engine/loop/poller.h"
#include "engine/sys/fd.h"

namespace minicorn::loop {

static_assert(EPOLLIN == POLLIN && EPOLLOUT == POLLOUT && EPOLLERR == POLLERR && EPOLLHUP == POLLHUP,
              "the Poller interface passes poll(2) bits straight to epoll");

class EpollPoller final : public Poller {
public:
    EpollPoller();
    std::string_view name() const override { return "epoll"; }
    void close() { fd_.reset(); }
    bool open() const { return fd_.valid(); }

protected:
    void do_add(int fd, std::uint32_t events, std::uint64_t tag) override;
    void do_modify(int fd, std::uint32_t events, std::uint64_t tag) override;
    bool do_remove(int fd) override;
    WaitStatus do_wait(int timeout_ms, std::vector<Ready>& out) override;

private:
    sys::Fd fd_;
};

}  // namespace minicorn::loop
