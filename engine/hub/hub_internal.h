// engine/hub/hub_internal.h — what the hub's source files share, private to
// engine/hub: the Waiter a parked greenlet waits on, and small helpers.
// hub.cpp: install, spawn, the parking calls; hub_schedule.cpp: parking,
// timers and the Boost.Fiber algorithm; hub_poll.cpp: the poll list,
// epoll, signals and the main fiber; hub_asan.cpp: ASan's annotations.
#pragma once

#include <string>
#include <typeinfo>

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/context.hpp>
#include <boost/intrusive/set.hpp>

#include "engine/hub/hub.h"

namespace minicorn::hub::detail {

// Prints "minicorn hub: <message>" and aborts: the hub's way to report a bug
// in its caller (what was probably wrong is in the message).
[[noreturn]] __attribute__((format(printf, 1, 2))) void die(const char* fmt, ...);

// The demangled name of an exception's type, for the messages the hub prints.
std::string type_name(const std::type_info& type);

inline constexpr std::uint64_t kEventFdTag = ~0ULL;  // epoll data of the hub's own eventfd

inline bool on_dispatcher() {
    return boost::fibers::context::active()->is_context(boost::fibers::type::dispatcher_context);
}
inline bool on_main() { return boost::fibers::context::active()->is_context(boost::fibers::type::main_context); }

struct NoLock {  // one thread: the condition variable needs no outer lock
    void lock() noexcept {}
    void unlock() noexcept {}
};

// A parked greenlet waits on its own Waiter, which lives on its stack. The
// hub wakes it through the condition variable (fd ready, deadline passed,
// wake_one, cancel, kill, main interrupted); Boost then calls awakened(),
// which settles the waiter — out of the poll list, the timer list, its
// queue and the parked list, GreenWake traced — before the greenlet runs.
struct Waiter : boost::intrusive::set_base_hook<> {  // the hook: its place in the hub's TimerList
    enum class Kind { Io, Timer, Queue, Join };  // Join: the main fiber in run(), not traced
    // What woke it: set by whoever wakes it first.
    enum class Why { Deadline, Ready, Cancelled, Killed, Interrupted };

    Kind kind = Kind::Timer;
    int fd = -1;
    std::uint32_t events = 0;  // EPOLLIN or EPOLLOUT for Io
    bool has_deadline = false;
    Clock::time_point deadline{};
    std::int64_t timer_id = 0;  // its TimerAdd id with the loop trace on, 0: none
    Why why = Why::Deadline;
    bool woken = false;
    GreenProps* green = nullptr;
    Waiter* prev = nullptr;  // the hub's list of parked waiters
    Waiter* next = nullptr;
    WaitQueue* queue = nullptr;  // Kind::Queue: the queue it waits in
    Waiter* queue_next = nullptr;
    Waiter* queue_prev = nullptr;
    boost::fibers::condition_variable_any cv;

    // Only while parked (green->waiter == this), and only the first reason
    // counts: afterwards the greenlet is already ready.
    void wake(Why reason) {
        if (woken) return;
        woken = true;
        why = reason;
        cv.notify_one();  // → awakened() → settle()
    }
    // GreenWake's a1.
    std::int64_t why_code() const { return why == Why::Ready ? 0 : why == Why::Deadline ? 1 : 2; }
};

// The parked waiters with a deadline, earliest first.
struct ByDeadline {
    bool operator()(const Waiter& a, const Waiter& b) const { return a.deadline < b.deadline; }
};
struct TimerList {
    boost::intrusive::multiset<Waiter, boost::intrusive::compare<ByDeadline>> waiters;
};

}  // namespace minicorn::hub::detail
