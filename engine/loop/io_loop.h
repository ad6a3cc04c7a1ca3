// engine/loop/io_loop.h — a reactor: tornado's IOLoop (over asyncio's
// selector loop), libuv's uv_run, redis's aeMain, in one small class.
//
// The loop, as a numbered list of phases (run_once); docs and trace use the
// same list:
//   1. timers     — run every timer whose deadline has passed (call_later,
//                   PeriodicCallback ticks), earliest first
//   2. callbacks  — run the callbacks queued with add_callback before this
//                   phase began (ones queued while it runs wait a turn)
//   3. poll       — wait on the Poller (traced PollWait / PollWake): 0 ms if
//                   callbacks are pending, else until the next timer, capped
//                   at kMaxPollMs; the on_poll hooks run around the wait (the
//                   worker releases the GIL there, as select() does in CPython)
//   4. dispatch   — call the handler of each ready fd, in the order reported
//
// Everything a handler or callback does runs on the loop thread and blocks
// the whole loop while it runs: no timer fires, no fd is served. That is the
// point of the tornado model.
//
// Thread affinity: every method is loop-thread only (no cross-thread queue:
// nothing in minicorn needs one yet). Ownership: owns its Poller; does not
// own the fds of its handlers (remove_handler before closing one).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/loop/poller.h"

namespace minicorn::loop {

class IOLoop {
public:
    using Callback = std::function<void()>;
    using Handler = std::function<void(std::uint32_t events)>;
    using TimerId = std::uint64_t;

    static constexpr int kMaxPollMs = 1000;

    explicit IOLoop(std::unique_ptr<Poller> poller);
    IOLoop(const IOLoop&) = delete;
    IOLoop& operator=(const IOLoop&) = delete;

    // fd handlers (tornado's add_handler / update_handler / remove_handler).
    void add_handler(int fd, std::uint32_t events, Handler handler);
    void update_handler(int fd, std::uint32_t events);
    void remove_handler(int fd);
    bool has_handler(int fd) const { return handlers_.contains(fd); }

    // Runs `cb` in phase 2 of the next iteration.
    void add_callback(Callback cb);
    // Runs `cb` once, `delay_ms` from now (phase 1).
    TimerId call_later(std::int64_t delay_ms, Callback cb);
    // tornado's PeriodicCallback: `cb` every `period_ms`, first one period from
    // now; ticks missed while the loop was blocked are skipped, not queued.
    TimerId add_periodic(std::int64_t period_ms, Callback cb);
    // Cancels a timer or periodic callback; an id already run or removed is ignored.
    void remove_timeout(TimerId id);

    // Around the wait in phase 3 (e.g. release / retake the GIL). `on_interrupt`
    // runs after a wait cut short by a signal (run the signal handlers).
    void set_poll_hooks(Callback before, Callback after, Callback on_interrupt);

    // Runs iterations until stop(). stop() from inside the loop ends it after
    // the current phase's work.
    void start();
    void stop() { running_ = false; }
    // One iteration of the four phases.
    void run_once();

    std::size_t handler_count() const { return handlers_.size(); }
    std::string_view poller_name() const { return poller_->name(); }

private:
    struct Timer {
        Callback cb;
        std::int64_t period_ns = 0;  // 0: one-shot
    };
    struct FdHandler {
        std::uint32_t generation;  // in the poll tag: a stale readiness for a reused fd is dropped
        std::shared_ptr<Handler> handler;  // shared: a handler may remove itself while running
    };
    using TimerKey = std::pair<std::int64_t, TimerId>;  // deadline (engine ns), id

    void run_timers();
    void run_callbacks();
    int poll_timeout_ms() const;
    void poll();
    void dispatch();
    TimerId schedule(std::int64_t deadline_ns, Timer timer, TimerId id);

    std::unique_ptr<Poller> poller_;
    std::unordered_map<int, FdHandler> handlers_;
    std::uint32_t next_generation_ = 0;
    std::map<TimerKey, Timer> timers_;
    std::unordered_map<TimerId, std::int64_t> timer_deadlines_;  // id → deadline, for remove_timeout
    TimerId next_timer_id_ = 0;
    std::vector<Callback> callbacks_;
    std::vector<Ready> ready_;
    Callback before_poll_;
    Callback after_poll_;
    Callback on_interrupt_;
    bool running_ = false;
};

}  // namespace minicorn::loop
