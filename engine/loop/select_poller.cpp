#include "engine/loop/select_poller.h"

#include <cerrno>

#include "engine/sys/fd.h"

namespace minicorn::loop {

SelectPoller::SelectPoller() {
    FD_ZERO(&read_set_);
    FD_ZERO(&write_set_);
}

void SelectPoller::set_bits(int fd, std::uint32_t events) {
    FD_CLR(fd, &read_set_);
    FD_CLR(fd, &write_set_);
    if (events & kReadable) FD_SET(fd, &read_set_);
    if (events & kWritable) FD_SET(fd, &write_set_);
}

void SelectPoller::do_add(int fd, std::uint32_t events, std::uint64_t tag) {
    if (fd < 0 || fd >= FD_SETSIZE) sys::die_bug("SelectPoller::add: fd outside 0..FD_SETSIZE-1 (use --poller epoll)");
    if (fds_.contains(fd)) sys::die_bug("SelectPoller::add: fd added twice");
    fds_[fd] = Entry{events, tag};
    set_bits(fd, events);
}

void SelectPoller::do_modify(int fd, std::uint32_t events, std::uint64_t tag) {
    auto it = fds_.find(fd);
    if (it == fds_.end()) sys::die_bug("SelectPoller::modify: fd not registered");
    it->second = Entry{events, tag};
    set_bits(fd, events);
}

bool SelectPoller::do_remove(int fd) {
    if (fds_.erase(fd) == 0) return false;
    set_bits(fd, 0);
    return true;
}

WaitStatus SelectPoller::do_wait(int timeout_ms, std::vector<Ready>& out) {
    out.clear();
    // select() overwrites its sets: hand it copies.
    fd_set rd = read_set_;
    fd_set wr = write_set_;
    int max_fd = fds_.empty() ? -1 : fds_.rbegin()->first;
    timeval tv{timeout_ms / 1000, static_cast<suseconds_t>((timeout_ms % 1000) * 1000)};
    int n = ::select(max_fd + 1, &rd, &wr, nullptr, timeout_ms < 0 ? nullptr : &tv);
    if (n < 0) {
        if (errno == EINTR) return WaitStatus::Interrupted;
        sys::die_bug("select() in SelectPoller::wait: a registered fd was closed before remove()");
    }
    for (const auto& [fd, entry] : fds_) {
        if (n == 0) break;
        std::uint32_t ev = 0;
        if (FD_ISSET(fd, &rd)) ev |= kReadable;
        if (FD_ISSET(fd, &wr)) ev |= kWritable;
        if (ev == 0) continue;
        --n;  // select counts an fd ready both ways twice; stopping early is only an optimisation
        out.push_back({entry.tag, ev});
    }
    return WaitStatus::Ok;
}

}  // namespace minicorn::loop
