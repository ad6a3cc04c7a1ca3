#include "engine/loop/io_loop.h"

#include <algorithm>
#include <iterator>

#include "engine/sys/fd.h"
#include "engine/trace/ev.h"

namespace minicorn::loop {

namespace {
constexpr std::int64_t kNsPerMs = 1'000'000;

std::uint64_t make_tag(int fd, std::uint32_t generation) {
    return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}
}  // namespace

IOLoop::IOLoop(std::unique_ptr<Poller> poller) : poller_(std::move(poller)) {
    if (!poller_) sys::die_bug("IOLoop: no poller (unknown --poller name?)");
    poller_->set_tag_fd([](std::uint64_t tag) { return static_cast<int>(static_cast<std::uint32_t>(tag)); });
}

// ----------------------------------------------------------------------------
// Registration
// ----------------------------------------------------------------------------
void IOLoop::add_handler(int fd, std::uint32_t events, Handler handler, std::uint64_t conn) {
    if (handlers_.contains(fd)) sys::die_bug("IOLoop::add_handler: fd already has a handler");
    std::uint32_t gen = ++next_generation_;
    handlers_[fd] = FdHandler{gen, conn, std::make_shared<Handler>(std::move(handler))};
    poller_->add(fd, events, make_tag(fd, gen), conn);
}

void IOLoop::update_handler(int fd, std::uint32_t events) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end()) sys::die_bug("IOLoop::update_handler: fd has no handler");
    poller_->modify(fd, events, make_tag(fd, it->second.generation), it->second.conn);
}

void IOLoop::remove_handler(int fd) {
    auto it = handlers_.find(fd);
    if (it == handlers_.end()) return;
    const std::uint64_t conn = it->second.conn;
    handlers_.erase(it);
    poller_->remove(fd, conn);
}

void IOLoop::add_callback(Callback cb, Tag tag) { queue(ReadyCallback{std::move(cb), tag, 0}); }

void IOLoop::queue(ReadyCallback rc) {
    const Tag tag = rc.tag;
    ready_.push_back(std::move(rc));
    trace::ev::CallbackQueued{.conn = tag.conn, .ready = ready_total(), .callback = tag.kind}.emit();
}

IOLoop::TimerId IOLoop::add_timer(std::int64_t delay_ns, std::int64_t period_ns, Callback cb, Tag tag) {
    const TimerId id = ++next_timer_id_;
    Timer& timer = timers_[id];
    timer = Timer{std::move(cb), trace::engine_now_ns() + delay_ns, period_ns, tag, false};
    arm(id, timer);
    return id;
}

void IOLoop::arm(TimerId id, Timer& timer) {
    timer.due = false;
    heap_.insert(TimerKey{timer.deadline_ns, id});
    trace::ev::TimerAdd{.timer = id, .deadline_ms = timer.deadline_ns / kNsPerMs}.emit();
}

IOLoop::TimerId IOLoop::call_later(std::int64_t delay_ms, Callback cb, Tag tag) {
    return add_timer(delay_ms * kNsPerMs, 0, std::move(cb), tag);
}

IOLoop::TimerId IOLoop::add_periodic(std::int64_t period_ms, Callback cb, Tag tag) {
    return add_timer(period_ms * kNsPerMs, period_ms * kNsPerMs, std::move(cb), tag);
}

void IOLoop::remove_timeout(TimerId id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    // A due timer is no longer in the heap; its entry in the ready list finds
    // the timer gone and is skipped (asyncio: a cancelled handle in _ready).
    if (!it->second.due) heap_.erase(TimerKey{it->second.deadline_ns, id});
    timers_.erase(it);
    trace::ev::TimerCancel{.timer = id}.emit();
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
    running_ = true;  // a stop() during this pass ends it after that phase, and ends start()
    run_timers();     // 1.
    if (!running_) return;
    run_callbacks();  // 2.
    if (!running_) return;
    poll();           // 3.
    dispatch();       // 4.
}

// Phase 1. Only timers already due when the phase begins move: a periodic
// callback is re-armed after it runs, in the future, so it cannot loop here.
void IOLoop::run_timers() {
    const std::int64_t now = trace::engine_now_ns();
    const auto end = heap_.upper_bound(TimerKey{now, ~TimerId{0}});
    trace::ev::LoopPhase{.phase = trace::LoopPhaseId::Timers, .items = std::distance(heap_.begin(), end)}.emit();
    while (!heap_.empty() && heap_.begin()->first <= now) {
        const TimerId id = heap_.begin()->second;
        heap_.erase(heap_.begin());
        Timer& timer = timers_.at(id);
        timer.due = true;
        trace::ev::TimerFire{.timer = id}.emit();
        queue(ReadyCallback{nullptr, timer.tag, id});
    }
}

// Phase 2. The ready list is swapped out first: callbacks added while it runs
// wait for the next iteration, so a callback that re-adds itself cannot
// starve polling.
void IOLoop::run_callbacks() {
    std::vector<ReadyCallback> batch;
    batch.swap(ready_);
    trace::ev::LoopPhase{.phase = trace::LoopPhaseId::Callbacks, .items = batch.size()}.emit();
    for (std::size_t i = 0; i < batch.size(); ++i) {
        ReadyCallback& rc = batch[i];
        batch_left_ = batch.size() - i - 1;
        if (rc.timer != 0 && !timers_.contains(rc.timer)) continue;  // cancelled after it fell due
        trace::ev::CallbackRun{.conn = rc.tag.conn, .ready = ready_total(), .callback = rc.tag.kind}.emit();
        if (rc.timer != 0) {
            run_timer(rc.timer);
        } else {
            rc.cb();
        }
    }
    batch_left_ = 0;
}

void IOLoop::run_timer(TimerId id) {
    auto it = timers_.find(id);
    Callback cb = std::move(it->second.cb);  // the callback may remove its own timer while it runs
    if (it->second.period_ns == 0) {
        timers_.erase(it);
        cb();
        return;
    }
    cb();
    it = timers_.find(id);  // the callback may have added timers (rehash) or removed this one
    if (it == timers_.end()) return;
    // tornado's PeriodicCallback._update_next, after the callback: the next
    // tick on the original schedule that is still in the future.
    Timer& timer = it->second;
    timer.cb = std::move(cb);
    const std::int64_t now = trace::engine_now_ns();
    std::int64_t next = timer.deadline_ns + timer.period_ns;
    if (next <= now) next += ((now - next) / timer.period_ns + 1) * timer.period_ns;
    timer.deadline_ns = next;
    arm(id, timer);
}

int IOLoop::poll_timeout_ms() const {
    if (!ready_.empty()) return 0;
    if (heap_.empty()) return kMaxPollMs;
    std::int64_t wait_ns = heap_.begin()->first - trace::engine_now_ns();
    if (wait_ns <= 0) return 0;
    // Round up: waking a hair early would spin once more for nothing.
    return static_cast<int>(std::min<std::int64_t>((wait_ns + kNsPerMs - 1) / kNsPerMs, kMaxPollMs));
}

// Phase 3.
void IOLoop::poll() {
    trace::ev::LoopPhase{.phase = trace::LoopPhaseId::Poll, .items = handlers_.size()}.emit();
    const int timeout = poll_timeout_ms();
    if (before_poll_) before_poll_();
    const WaitStatus st = poller_->wait(timeout, ready_fds_);  // traced PollWait / PollWake
    if (after_poll_) after_poll_();
    if (st == WaitStatus::Interrupted && on_interrupt_) on_interrupt_();
}

// Phase 4. A handler may add or remove handlers (its own included): each
// readiness is checked against the current table before it is delivered.
void IOLoop::dispatch() {
    trace::ev::LoopPhase{.phase = trace::LoopPhaseId::Dispatch, .items = ready_fds_.size()}.emit();
    for (const Ready& r : ready_fds_) {
        if (!running_) break;
        int fd = static_cast<int>(static_cast<std::uint32_t>(r.tag));
        auto it = handlers_.find(fd);
        if (it == handlers_.end() || it->second.generation != static_cast<std::uint32_t>(r.tag >> 32)) continue;
        std::shared_ptr<Handler> h = it->second.handler;
        (*h)(r.events);
    }
    ready_fds_.clear();
}

}  // namespace minicorn::loop
