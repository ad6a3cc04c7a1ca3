#include "engine/loop/io_loop.h"

#include <algorithm>

#include "engine/sys/fd.h"
#include "engine/trace/emit.h"

namespace minicorn::loop {

namespace {
constexpr std::int64_t kNsPerMs = 1'000'000;

std::uint64_t make_tag(int fd, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}
}  // namespace

IOLoop::IOLoop(std::unique_ptr<Poller> poller) : poller_(std::move(poller)) {
    if (!poller_) sys::die_bug("IOLoop: no poller (unknown --poller name?)");
}

// ----------------------------------------------------------------------------
// Registration
// ----------------------------------------------------------------------------
void IOLoop::add_handler(int fd, std::uint32_t events, Handler handler) {
    if (handlers_.contains(fd)) sys::die_bug("IOLoop::add_handler: fd already has a handler");
    std::uint32_t gen = ++next_generation_;
    handlers_[fd] = FdHandler{gen, std::make_shared<Handler>(std::move(handler))};
    poller_->add(fd, events, make_tag(fd, gen));
}

void IOLoop::update_handler(int fd, std::uint32_t events) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end()) sys::die_bug("IOLoop::update_handler: fd has no handler");
    poller_->modify(fd, events, make_tag(fd, it->second.generation));
}

void IOLoop::remove_handler(int fd) {
    if (handlers_.erase(fd) == 0) return;
    poller_->remove(fd);
}

void IOLoop::add_callback(Callback cb) { callbacks_.push_back(std::move(cb)); }

IOLoop::TimerId IOLoop::schedule(std::int64_t deadline_ns, Timer timer, TimerId id) {
    timers_.emplace(TimerKey{deadline_ns, id}, std::move(timer));
    timer_deadlines_[id] = deadline_ns;
    return id;
}

IOLoop::TimerId IOLoop::call_later(std::int64_t delay_ms, Callback cb) {
    return schedule(trace::engine_now_ns() + delay_ms * kNsPerMs, Timer{std::move(cb), 0}, ++next_timer_id_);
}

IOLoop::TimerId IOLoop::add_periodic(std::int64_t period_ms, Callback cb) {
    std::int64_t period = period_ms * kNsPerMs;
    return schedule(trace::engine_now_ns() + period, Timer{std::move(cb), period}, ++next_timer_id_);
}

void IOLoop::remove_timeout(TimerId id) {
    auto it = timer_deadlines_.find(id);
    if (it == timer_deadlines_.end()) return;
    timers_.erase(TimerKey{it->second, id});
    timer_deadlines_.erase(it);
}

void IOLoop::set_poll_hooks(Callback before, Callback after, Callback on_interrupt) {
    before_poll_ = std::move(before);
    after_poll_ = std::move(after);
    on_interrupt_ = std::move(on_interrupt);
}

// ----------------------------------------------------------------------------
// The loop
// ----------------------------------------------------------------------------
void IOLoop::start() {
    running_ = true;
    while (running_) run_once();
}

void IOLoop::run_once() {
    run_timers();     // 1.
    if (!running_) return;
    run_callbacks();  // 2.
    if (!running_) return;
    poll();           // 3.
    dispatch();       // 4.
}

// Phase 1. Only timers already due when the phase begins run: a periodic
// callback that re-arms itself lands in the future, so the phase ends.
void IOLoop::run_timers() {
    std::int64_t now = trace::engine_now_ns();
    while (running_ && !timers_.empty() && timers_.begin()->first.first <= now) {
        auto node = timers_.extract(timers_.begin());
        TimerId id = node.key().second;
        Timer timer = std::move(node.mapped());
        timer_deadlines_.erase(id);
        if (timer.period_ns > 0) {
            // tornado's PeriodicCallback._update_next: skip the ticks missed
            // while the loop was blocked, keep the phase of the schedule.
            std::int64_t next = node.key().first + timer.period_ns;
            if (next <= now) next += ((now - next) / timer.period_ns + 1) * timer.period_ns;
            schedule(next, timer, id);
        }
        timer.cb();  // may remove_timeout(id), including its own next tick
    }
}

// Phase 2. The queue is swapped out first: callbacks added while it runs wait
// for the next iteration, so a callback that re-adds itself cannot starve polling.
void IOLoop::run_callbacks() {
    std::vector<Callback> batch;
    batch.swap(callbacks_);
    for (Callback& cb : batch) cb();
}

int IOLoop::poll_timeout_ms() const {
    if (!callbacks_.empty()) return 0;
    if (timers_.empty()) return kMaxPollMs;
    std::int64_t wait_ns = timers_.begin()->first.first - trace::engine_now_ns();
    if (wait_ns <= 0) return 0;
    // Round up: waking a hair early would spin once more for nothing.
    return static_cast<int>(std::min<std::int64_t>((wait_ns + kNsPerMs - 1) / kNsPerMs, kMaxPollMs));
}

// Phase 3.
void IOLoop::poll() {
    int timeout = poll_timeout_ms();
    trace::emit(trace::EventKind::PollWait, 0, 0, timeout, static_cast<std::int64_t>(handlers_.size()));
    if (before_poll_) before_poll_();
    WaitStatus st = poller_->wait(timeout, ready_);
    if (after_poll_) after_poll_();
    trace::emit(trace::EventKind::PollWake, 0, 0, static_cast<std::int64_t>(ready_.size()),
                st == WaitStatus::Interrupted ? 1 : 0);
    if (st == WaitStatus::Interrupted && on_interrupt_) on_interrupt_();
}

// Phase 4. A handler may add or remove handlers (its own included): each
// readiness is checked against the current table before it is delivered.
void IOLoop::dispatch() {
    for (const Ready& r : ready_) {
        if (!running_) break;
        int fd = static_cast<int>(static_cast<std::uint32_t>(r.tag));
        auto it = handlers_.find(fd);
        if (it == handlers_.end() || it->second.generation != static_cast<std::uint32_t>(r.tag >> 32)) continue;
        std::shared_ptr<Handler> h = it->second.handler;
        (*h)(r.events);
    }
    ready_.clear();
}

}  // namespace minicorn::loop
