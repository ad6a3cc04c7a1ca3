#include "engine/loop/poll_poller.h"

#include <cerrno>

#include "engine/sys/fd.h"

namespace minicorn::loop {

void PollPoller::do_add(int fd, std::uint32_t events, std::uint64_t tag) {
    if (index_.contains(fd)) sys::die_bug("PollPoller::add: fd added twice");
    index_[fd] = fds_.size();
    fds_.push_back(pollfd{fd, static_cast<short>(events), 0});
    tags_.push_back(tag);
}

void PollPoller::do_modify(int fd, std::uint32_t events, std::uint64_t tag) {
    auto it = index_.find(fd);
    if (it == index_.end()) sys::die_bug("PollPoller::modify: fd not registered");
    fds_[it->second].events = static_cast<short>(events);
    tags_[it->second] = tag;
}

bool PollPoller::do_remove(int fd) {
    auto it = index_.find(fd);
    if (it == index_.end()) return false;
    // Swap with the last entry: order in the array does not matter.
    std::size_t pos = it->second;
    std::size_t last = fds_.size() - 1;
    if (pos != last) {
        fds_[pos] = fds_[last];
        tags_[pos] = tags_[last];
        index_[fds_[pos].fd] = pos;
    }
    fds_.pop_back();
    tags_.pop_back();
    index_.erase(it);
    return true;
}

WaitStatus PollPoller::do_wait(int timeout_ms, std::vector<Ready>& out) {
    out.clear();
    int n = ::poll(fds_.data(), fds_.size(), timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return WaitStatus::Interrupted;
        sys::die_bug("poll() in PollPoller::wait");
    }
    for (std::size_t i = 0; i < fds_.size() && n > 0; ++i) {
        if (fds_[i].revents == 0) continue;
        --n;
        out.push_back({tags_[i], static_cast<std::uint32_t>(static_cast<unsigned short>(fds_[i].revents))});
    }
    return WaitStatus::Ok;
}

}  // namespace minicorn::loop
