// engine/hub/hub_schedule.cpp — how a greenlet parks and wakes, the hub's
// timers (in engine time), and the scheduling algorithm Boost.Fiber calls.
//
// Index:
//   [SECTION] Parking and settling a waiter
//   [SECTION] Timers
//   [SECTION] The scheduling algorithm (Boost.Fiber calls these)
#include <algorithm>
#include <boost/fiber/context.hpp>
#include <cerrno>
#include <climits>
#include <unistd.h>

#include "engine/hub/hub.h"
#include "engine/hub/hub_internal.h"
#include "engine/trace/ev.h"

namespace minicorn::hub {

using boost::fibers::context;
using detail::die;
using detail::GreenProps;
using detail::on_dispatcher;
using detail::Waiter;
using trace::EventKind;

namespace {
// After this many timed polls in a row that found no timer due (engine time
// stood still: the gate is closed), the hub waits at least kGateClosedPollMs
// between polls rather than spinning on a timer that never comes due.
constexpr int kEarlyWakesBeforeFloor = 2;
constexpr int kGateClosedPollMs = 50;

std::int64_t engine_ms(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

// ============================================================================
// [SECTION] Parking and settling a waiter
// ============================================================================

void Hub::park(Waiter& w, std::optional<Clock::time_point> deadline) {
    GreenProps& me = running_props();
    w.green = &me;
    w.has_deadline = deadline.has_value();
    if (deadline) {
        w.deadline = *deadline;
        timer_list_->waiters.insert(w);
        ++timers_;
    }
    if (w.kind == Waiter::Kind::Io) watch(w);
    w.next = parked_head_;
    if (parked_head_ != nullptr) parked_head_->prev = &w;
    parked_head_ = &w;
    ++parked_;
    if (w.kind != Waiter::Kind::Join)
        emit_event(trace::ev::GreenPark{.conn = me.conn, .green = me.id, .fd = w.kind == Waiter::Kind::Io ? w.fd : -1,
                                        .events = w.events});
    if (loop_trace_ && w.has_deadline && w.kind != Waiter::Kind::Join && trace::enabled()) {
        w.timer_id = ++next_timer_id_;
        emit_event(trace::ev::TimerAdd{.conn = me.conn, .green = me.id, .timer = w.timer_id,
                                       .deadline_ms = engine_ms(w.deadline)});
    }
    me.waiter = &w;
    detail::NoLock lock;
    w.cv.wait(lock);
    // awakened() has settled w.
}

// Called from awakened(): `w`'s greenlet has just become ready.
void Hub::settle(Waiter& w) noexcept {
    if (w.prev != nullptr) w.prev->next = w.next; else parked_head_ = w.next;
    if (w.next != nullptr) w.next->prev = w.prev;
    w.prev = w.next = nullptr;
    --parked_;
    if (w.has_deadline) {
        timer_list_->waiters.erase(timer_list_->waiters.iterator_to(w));
        --timers_;
    }
    if (w.kind == Waiter::Kind::Io) unwatch(w);
    if (w.kind == Waiter::Kind::Queue) unlink_queued(w);
    if (w.timer_id != 0) {
        if (w.why == Waiter::Why::Deadline) {
            emit_event(trace::ev::TimerFire{.conn = w.green->conn, .green = w.green->id, .timer = w.timer_id});
        } else {
            emit_event(trace::ev::TimerCancel{.conn = w.green->conn, .green = w.green->id, .timer = w.timer_id});
        }
    }
    if (w.kind != Waiter::Kind::Join)
        emit_event(trace::ev::GreenWake{.conn = w.green->conn, .green = w.green->id,
                                        .fd = w.kind == Waiter::Kind::Io ? w.fd : -1, .why = w.why_code()});
    w.green->waiter = nullptr;
}

void Hub::unlink_queued(Waiter& w) noexcept {
    if (w.queue == nullptr) return;  // the queue is gone (~WaitQueue)
    WaitQueue& q = *w.queue;
    (w.queue_prev != nullptr ? w.queue_prev->queue_next : q.head_) = w.queue_next;
    (w.queue_next != nullptr ? w.queue_next->queue_prev : q.tail_) = w.queue_prev;
    w.queue_prev = w.queue_next = nullptr;
    w.queue = nullptr;
}

// ============================================================================
// [SECTION] Timers
// ============================================================================
//
// Every deadline (sleep(), wait_fd's, wait_queue's) is in the timer list, in
// engine time. The hub expires them at the start of its turn (phase 2) and
// after a blocking poll, and a blocking poll waits until the earliest.

void Hub::emit_timers_phase() const noexcept {
    if (!loop_trace_ || !trace::enabled()) return;  // counting walks the parked list: only when it is shown
    const Clock::time_point now = Clock::now();
    std::size_t due = 0;
    for (const Waiter* w = parked_head_; w != nullptr; w = w->next) due += w->has_deadline && w->deadline <= now;
    emit_phase(trace::LoopPhaseId::Timers, due);
}


std::size_t Hub::expire_timers() noexcept {
    auto& waiters = timer_list_->waiters;
    if (waiters.empty()) return 0;
    const Clock::time_point now = Clock::now();
    std::size_t expired = 0;
    while (!waiters.empty() && waiters.begin()->deadline <= now) {
        Waiter* w = &*waiters.begin();
        w->wake(Waiter::Why::Deadline);  // → awakened() → settle(): it leaves the list
        if (!waiters.empty() && &*waiters.begin() == w) die("an expired timer did not wake (hub bug)");
        ++expired;
    }
    return expired;
}

// Milliseconds until the earliest deadline, rounded up (waking early would
// only spin until it); -1 with no deadline.
int Hub::timer_timeout_ms() noexcept {
    const auto& waiters = timer_list_->waiters;
    if (waiters.empty()) return -1;
    const auto left = waiters.begin()->deadline - Clock::now();
    std::int64_t ms = left.count() <= 0 ? 0 : std::chrono::ceil<std::chrono::milliseconds>(left).count();
    if (early_wakes_ >= kEarlyWakesBeforeFloor) ms = std::max<std::int64_t>(ms, kGateClosedPollMs);
    return static_cast<int>(std::min<std::int64_t>(ms, INT_MAX));
}

// ============================================================================
// [SECTION] The scheduling algorithm (Boost.Fiber calls these)
// ============================================================================

void Hub::awakened(context* ctx, GreenProps& props) noexcept {
    ctx->ready_link(ready_);
    if (props.waiter != nullptr) settle(*props.waiter);
    if (ctx->is_context(boost::fibers::type::dispatcher_context)) return;
    ++ready_greenlets_;
    // A fiber being spawned has no id yet: spawn() traces it once it has one.
    const bool spawning = props.id == 0 && !ctx->is_context(boost::fibers::type::main_context);
    if (loop_trace_ && !spawning) {
        emit_event(trace::ev::CallbackQueued{.conn = props.conn, .green = props.id, .ready = ready_greenlets_,
                                             .callback = static_cast<std::int64_t>(task_kind(props))});
    }
}

context* Hub::pick_next() noexcept {
    asan_finish_switch();
    if (on_dispatcher()) {  // the hub's turn: phases 2 and 3 (after a blocking poll, suspend_until did them)
        if (!polled_this_turn_) {
            emit_timers_phase();
            expire_timers();
            if (registered_fds_ > 0 && !ready_.empty()) poll(0);
        }
        polled_this_turn_ = false;
        if (signal_pending_ != 0) run_on_signal();
    }
    if (ready_.empty()) return nullptr;
    context* next = &ready_.front();
    ready_.pop_front();
    if (!next->is_context(boost::fibers::type::dispatcher_context)) {
        if (on_dispatcher()) emit_phase(trace::LoopPhaseId::Callbacks, ready_greenlets_);
        --ready_greenlets_;
        const GreenProps& p = properties(next);
        if (loop_trace_) {
            emit_event(trace::ev::CallbackRun{.conn = p.conn, .green = p.id, .ready = ready_greenlets_,
                                              .callback = static_cast<std::int64_t>(task_kind(p))});
        }
        if (p.id != running_) {
            emit_event(trace::ev::GreenSwitch{.conn = p.conn, .green = p.id, .from = running_});
            running_ = p.id;
        }
        trace::set_running_green(p.id);  // what the greenlet emits from now on carries its id
    } else {
        trace::set_running_green(0);  // the hub's own turn
    }
    asan_start_switch(next);
    return next;
}

bool Hub::has_ready_fibers() const noexcept { return !ready_.empty(); }

// Phase 4 (see hub.h): nothing is ready — block in epoll until an fd is
// ready or the earliest timer is due, then run phase 2 at once.
void Hub::suspend_until(const std::chrono::steady_clock::time_point& abs_time) noexcept {
    int timeout_ms = timer_timeout_ms();
    const bool timed = timeout_ms >= 0;
    if (abs_time != std::chrono::steady_clock::time_point::max()) {
        // A fiber in Boost's own sleep queue (this_fiber::sleep_for, not a hub call).
        const auto now = std::chrono::steady_clock::now();
        const auto ms = abs_time <= now ? 0 : std::chrono::ceil<std::chrono::milliseconds>(abs_time - now).count();
        const int boost_ms = static_cast<int>(std::min<std::int64_t>(ms, INT_MAX));
        timeout_ms = timeout_ms < 0 ? boost_ms : std::min(timeout_ms, boost_ms);
    } else if (!timed && shutting_down_ && registered_fds_ == 0) {
        die("the thread is exiting while %zu greenlet(s) are blocked on something other than the hub (a fiber "
            "mutex or condition variable): they can never finish. Drain the hub (Hub::run) before the thread "
            "exits, or leave the process with _exit()",
            live_);
    }
    const int woke = poll(timeout_ms);
    polled_this_turn_ = true;
    emit_timers_phase();
    const std::size_t expired = expire_timers();
    early_wakes_ = timed && woke == 0 && expired == 0 ? early_wakes_ + 1 : 0;
}

void Hub::notify() noexcept {
    if (std::this_thread::get_id() == owner_) {
        // Boost.Fiber calls notify() on the scheduler's own thread only from
        // its destructor: the thread is exiting and every fiber must finish.
        shutting_down_ = true;
        kill_all_parked();
        return;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(event_fd_, &one, sizeof one);  // EAGAIN: already signalled
}

}  // namespace minicorn::hub
