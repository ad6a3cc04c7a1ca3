#include "engine/loop/poller.h"

#include "engine/loop/epoll_poller.h"
#include "engine/loop/poll_poller.h"
#include "engine/loop/select_poller.h"
#include "engine/trace/ev.h"

namespace minicorn::loop {

void Poller::add(int fd, std::uint32_t events, std::uint64_t tag, std::uint64_t conn) {
    do_add(fd, events, tag);
    registered_.fetch_add(1, std::memory_order_relaxed);
    trace::ev::PollRegister{.conn = conn, .fd = fd, .events = events}.emit();
}

void Poller::modify(int fd, std::uint32_t events, std::uint64_t tag, std::uint64_t conn) {
    do_modify(fd, events, tag);
    trace::ev::PollRegister{.conn = conn, .fd = fd, .events = events}.emit();
}

void Poller::remove(int fd, std::uint64_t conn) {
    if (!do_remove(fd)) return;
    registered_.fetch_sub(1, std::memory_order_relaxed);
    trace::ev::PollUnregister{.conn = conn, .fd = fd}.emit();
}

WaitStatus Poller::wait(int timeout_ms, std::vector<Ready>& out) {
    trace::ev::PollWait{.timeout_ms = timeout_ms, .fds = registered()}.emit();
    const WaitStatus st = do_wait(timeout_ms, out);
    trace::ev::PollWake{.ready = out.size(), .interrupted = st == WaitStatus::Interrupted}.emit();
    if (trace::enabled() && tag_fd_ && out.size() <= kListedReady) {
        for (const Ready& r : out) trace::ev::PollReady{.fd = tag_fd_(r.tag), .events = r.events}.emit();
    }
    return st;
}

std::unique_ptr<Poller> make_poller(std::string_view name) {
    if (name == "epoll") return std::make_unique<EpollPoller>();
    if (name == "poll") return std::make_unique<PollPoller>();
    if (name == "select") return std::make_unique<SelectPoller>();
    return nullptr;
}

}  // namespace minicorn::loop
