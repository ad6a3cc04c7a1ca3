#include "engine/loop/epoll_poller.h"

#include <cerrno>
#include <stdexcept>

namespace minicorn::loop {

EpollPoller::EpollPoller() : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!fd_) throw std::runtime_error("epoll_create1: " + sys::errno_text(errno));
}

void EpollPoller::do_add(int fd, std::uint32_t events, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (::epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) sys::die_bug("epoll_ctl(ADD): fd not open, or added twice");
}

void EpollPoller::do_modify(int fd, std::uint32_t events, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (::epoll_ctl(fd_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) sys::die_bug("epoll_ctl(MOD): fd not registered");
}

bool EpollPoller::do_remove(int fd) {
    // EBADF: the fd was closed while registered, and epoll dropped it already.
    // ENOENT: it was not registered.
    return ::epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr) == 0 || errno != ENOENT;
}

WaitStatus EpollPoller::do_wait(int timeout_ms, std::vector<Ready>& out) {
    out.clear();
    epoll_event events[64];
    int n = ::epoll_wait(fd_.get(), events, 64, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return WaitStatus::Interrupted;
        sys::die_bug("epoll_wait");
    }
    for (int i = 0; i < n; ++i) out.push_back({events[i].data.u64, events[i].events});
    return WaitStatus::Ok;
}

}  // namespace minicorn::loop
