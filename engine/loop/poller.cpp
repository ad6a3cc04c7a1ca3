#include "engine/loop/poller.h"

#include "engine/loop/epoll_poller.h"
#include "engine/loop/poll_poller.h"
#include "engine/loop/select_poller.h"
#include "engine/trace/emit.h"

namespace minicorn::loop {

void Poller::add(int fd, std::uint32_t events, std::uint64_t tag, std::uint64_t conn) {
    do_add(fd, events, tag);
    registered_.fetch_add(1, std::memory_order_relaxed);
    trace::emit(trace::EventKind::PollRegister, conn, 0, fd, events);
}

void Poller::modify(int fd, std::uint32_t events, std::uint64_t tag, std::uint64_t conn) {
    do_modify(fd, events, tag);
    trace::emit(trace::EventKind::PollRegister, conn, 0, fd, events);
}

void Poller::remove(int fd, std::uint64_t conn) {
    if (!do_remove(fd)) return;
    registered_.fetch_sub(1, std::memory_order_relaxed);
    trace::emit(trace::EventKind::PollUnregister, conn, 0, fd);
}

WaitStatus Poller::wait(int timeout_ms, std::vector<Ready>& out) {
    trace::emit(trace::EventKind::PollWait, 0, 0, timeout_ms, static_cast<std::int64_t>(registered()));
    const WaitStatus st = do_wait(timeout_ms, out);
    trace::emit(trace::EventKind::PollWake, 0, 0, static_cast<std::int64_t>(out.size()),
                st == WaitStatus::Interrupted ? 1 : 0);
    return st;
}

std::unique_ptr<Poller> make_poller(std::string_view name) {
    if (name == "epoll") return std::make_unique<EpollPoller>();
    if (name == "poll") return std::make_unique<PollPoller>();
    if (name == "select") return std::make_unique<SelectPoller>();
    return nullptr;
}

}  // namespace minicorn::loop
