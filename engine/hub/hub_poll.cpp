// engine/hub/hub_poll.cpp — the hub's poll list (which fds are in its epoll
// set, for which waiters), its epoll wait, signals, and the main fiber's
// wake-ups and the thread's exit.
//
// Index:
//   [SECTION] The poll list (epoll registration)
//   [SECTION] Polling, signals, the main fiber, thread exit
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "engine/hub/hub.h"
#include "engine/hub/hub_internal.h"
#include "engine/trace/emit.h"

namespace minicorn::hub {

using detail::die;
using detail::kEventFdTag;
using detail::on_main;
using detail::type_name;
using detail::Waiter;
using trace::EventKind;

namespace {
const char* direction(std::uint32_t events) { return events == EPOLLIN ? "reading" : "writing"; }
}  // namespace

// ============================================================================
// [SECTION] The poll list (epoll registration)
// ============================================================================
//
// An fd is in the epoll set exactly while a greenlet waits on it, with the
// union of its waiters' directions — as a libev io watcher is started by
// gevent's wait and stopped when it returns. Level-triggered.

void Hub::watch(Waiter& w) {
    const auto index = static_cast<std::size_t>(w.fd);
    if (index >= watches_.size()) watches_.resize(std::max(index + 1, watches_.size() * 2));
    FdWatch& fw = watches_[index];
    Waiter*& slot = w.events == EPOLLIN ? fw.reader : fw.writer;
    if (slot != nullptr)
        die("greenlet %u waits on fd %d for %s while greenlet %u already does (gevent: ConcurrentObjectUseError) — "
            "two greenlets share one socket",
            w.green->id, w.fd, direction(w.events), slot->green->id);
    slot = &w;
    update_epoll(w.fd, fw, w.green->id, w.green->conn);
}

void Hub::unwatch(Waiter& w) noexcept {
    FdWatch& fw = watches_[static_cast<std::size_t>(w.fd)];
    (w.events == EPOLLIN ? fw.reader : fw.writer) = nullptr;
    update_epoll(w.fd, fw, w.green->id, w.green->conn);
}

void Hub::update_epoll(int fd, FdWatch& fw, GreenId green, std::uint64_t conn) noexcept {
    const std::uint32_t want = (fw.reader != nullptr ? EPOLLIN : 0u) | (fw.writer != nullptr ? EPOLLOUT : 0u);
    if (want == fw.registered) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.u64 = static_cast<std::uint64_t>(fd);
    if (fw.registered == 0) {
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0 &&
            (errno != EEXIST || ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0))
            die("epoll_ctl(ADD, fd %d): %s — waiting on an fd that is not open, or cannot be polled (a regular file)",
                fd, std::strerror(errno));
        ++registered_fds_;
        emit_event(EventKind::PollRegister, conn, fd, want, green);
    } else if (want == 0) {
        // ENOENT/EBADF: the fd was closed while registered, and epoll dropped it already.
        ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        --registered_fds_;
        emit_event(EventKind::PollUnregister, conn, fd, 0, green);
    } else {
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0 &&
            (errno != ENOENT || ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0))
            die("epoll_ctl(MOD, fd %d): %s", fd, std::strerror(errno));
        emit_event(EventKind::PollRegister, conn, fd, want, green);
    }
    fw.registered = want;
}

std::vector<FdWait> Hub::poll_list() const {
    std::vector<FdWait> out;
    for (std::size_t fd = 0; fd < watches_.size(); ++fd) {
        const FdWatch& fw = watches_[fd];
        for (const Waiter* w : {fw.reader, fw.writer}) {
            if (w != nullptr) out.push_back({static_cast<int>(fd), w->events, w->green->id, w->green->conn});
        }
    }
    return out;
}

// ============================================================================
// [SECTION] Polling, signals, the main fiber, thread exit
// ============================================================================

int Hub::poll(int timeout_ms) noexcept {
    emit_phase(trace::LoopPhaseId::Poll, registered_fds_);
    emit_event(EventKind::PollWait, 0, timeout_ms, static_cast<std::int64_t>(registered_fds_), 0);
    const int n = ::epoll_wait(epoll_fd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
    if (n < 0) {
        if (errno != EINTR) die("epoll_wait: %s", std::strerror(errno));
        emit_event(EventKind::PollWake, 0, 0, 1, 0);
        emit_phase(trace::LoopPhaseId::Dispatch, 0);
        run_on_signal();
        return -1;
    }
    const auto count = static_cast<std::size_t>(n);
    const auto ready = std::count_if(events_.begin(), events_.begin() + n,
                                     [](const epoll_event& e) { return e.data.u64 != kEventFdTag; });
    emit_event(EventKind::PollWake, 0, ready, 0, 0);
    emit_phase(trace::LoopPhaseId::Dispatch, static_cast<std::size_t>(ready));
    for (std::size_t i = 0; i < count; ++i) {
        if (events_[i].data.u64 == kEventFdTag) {
            std::uint64_t value = 0;
            [[maybe_unused]] ssize_t r = ::read(event_fd_, &value, sizeof value);
        } else {
            wake_fd(static_cast<int>(events_[i].data.u64), events_[i].events);
        }
    }
    if (signal_pending_ != 0) run_on_signal();
    return n;
}

void Hub::wake_fd(int fd, std::uint32_t revents) noexcept {
    FdWatch& fw = watches_[static_cast<std::size_t>(fd)];
    // Errors and hang-ups wake both directions: the retried call reports them.
    const bool failed = (revents & (EPOLLERR | EPOLLHUP)) != 0;
    Waiter* reader = (revents & (EPOLLIN | EPOLLRDHUP | EPOLLPRI)) != 0 || failed ? fw.reader : nullptr;
    Waiter* writer = (revents & EPOLLOUT) != 0 || failed ? fw.writer : nullptr;
    for (Waiter* w : {reader, writer}) {  // copies: wake() takes each out of fw
        if (w != nullptr) w->wake(Waiter::Why::Ready);
    }
}

void Hub::set_on_signal(std::function<void()> fn) {
    check_thread("set_on_signal");
    on_signal_ = std::move(fn);
}

void Hub::notify_signal() noexcept {
    signal_pending_ = 1;
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);
}

void Hub::run_on_signal() noexcept {
    signal_pending_ = 0;
    if (!on_signal_) return;
    try {
        on_signal_();
    } catch (const HubExit&) {
        raise_on_main(std::current_exception());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "minicorn hub: on_signal raised %s: %s\n", type_name(typeid(e)).c_str(), e.what());
    } catch (...) {
        std::fprintf(stderr, "minicorn hub: on_signal raised an exception that is not a std::exception\n");
    }
}

void Hub::raise_on_main(std::exception_ptr e) noexcept {
    if (!pending_exit_) pending_exit_ = std::move(e);
    wake_main(true);
}

void Hub::rethrow_on_main() {
    if (pending_exit_ && on_main()) std::rethrow_exception(std::exchange(pending_exit_, nullptr));
}

// Wakes the main fiber if it is parked: in run() always (interrupt or not),
// in any other hub call only to interrupt it (a HubExit to re-throw).
void Hub::wake_main(bool interrupt) noexcept {
    if (main_props_ == nullptr || main_props_->waiter == nullptr) return;
    Waiter* w = main_props_->waiter;
    if (!interrupt && w->kind != Waiter::Kind::Join) return;
    w->wake(Waiter::Why::Interrupted);
}

// The thread is exiting: every parked greenlet wakes to GreenletExit
// (check_killed() throws it for every greenlet from now on).
void Hub::kill_all_parked() noexcept {
    while (parked_head_ != nullptr) {
        Waiter* w = parked_head_;
        w->wake(Waiter::Why::Killed);  // awakened() → settle(): w leaves the list
        if (parked_head_ == w) die("a parked greenlet did not wake at thread exit (hub bug)");
    }
}

}  // namespace minicorn::hub
