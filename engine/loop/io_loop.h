// engine/loop/io_loop.h — a reactor: tornado's IOLoop (over asyncio's
// selector loop), libuv's uv_run, redis's aeMain, in one small class.
//
// The loop, as a numbered list of phases (run_once); docs and trace use the
// same list, and each phase begins with a LoopPhase event (a0 = the phase,
// a1 = its items):
//   1. timers     — every timer whose deadline has passed leaves the timer
//                   heap and joins the ready list, earliest first (TimerFire,
//                   CallbackQueued). a1 = due timers.
//   2. callbacks  — run the ready list as it was when the phase began: the
//                   callbacks queued with add_callback since the last pass and
//                   the timers just due (CallbackRun each). Ones queued while
//                   it runs wait a turn. a1 = ready callbacks.
//   3. poll       — wait on the Poller (it traces PollWait / PollWake): 0 ms if
//                   callbacks are ready, else until the next timer, capped at
//                   kMaxPollMs; the on_poll hooks run around the wait (the
//                   worker releases the GIL there, as select() does in
//                   CPython). a1 = registered fds.
//   4. dispatch   — call the handler of each ready fd, in the order reported.
//                   a1 = ready fds.
// This is asyncio's _run_once (select, process events, due timers → _ready,
// run _ready) begun at a different point of the same cycle: a timer's
// callback runs in the callbacks phase, after the callbacks already queued,
// as asyncio runs a due TimerHandle from its ready queue.
//
// Everything a handler or callback does runs on the loop thread and blocks
// the whole loop while it runs: no timer fires, no fd is served. That is the
// point of the tornado model.
//
// Trace: TimerAdd (a0 = id, a1 = deadline, engine ms) when a timer is armed
// or a periodic one re-armed, TimerFire when it falls due, TimerCancel when
// remove_timeout takes it out (even after it fell due: its callback is then
// skipped). CallbackQueued / CallbackRun carry the callback's Tag (a1 = its
// LoopCallback kind, conn) and a0 = the ready callbacks counted after the
// change.
//
// Thread affinity: every method is loop-thread only (no cross-thread queue:
// nothing in minicorn needs one yet). Ownership: owns its Poller; does not
// own the fds of its handlers (remove_handler before closing one).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

#include "engine/loop/poller.h"
#include "engine/trace/event.h"

namespace minicorn::loop {

// What a callback or timer is for, in the trace: CallbackQueued / CallbackRun
// a1 and conn.
struct CallbackTag {
    trace::LoopCallback kind = trace::LoopCallback::Other;
    std::uint64_t conn = 0;  // the connection it serves, 0: none
};

class IOLoop {
public:
    using Callback = std::function<void()>;
    using Handler = std::function<void(std::uint32_t events)>;
    using TimerId = std::uint64_t;

    using Tag = CallbackTag;

    static constexpr int kMaxPollMs = 1000;

    explicit IOLoop(std::unique_ptr<Poller> poller);
    IOLoop(const IOLoop&) = delete;
    IOLoop& operator=(const IOLoop&) = delete;

    // fd handlers (tornado's add_handler / update_handler / remove_handler).
    // Events 0: registered, but only errors and hang-ups are reported (an
    // IOStream with no read or write pending). `conn`: the connection the fd
    // carries (0: none), for the poller's trace (PollRegister on add and on
    // every update, PollUnregister on remove: see poller.h).
    void add_handler(int fd, std::uint32_t events, Handler handler, std::uint64_t conn = 0);
    void update_handler(int fd, std::uint32_t events);
    void remove_handler(int fd);
    bool has_handler(int fd) const { return handlers_.contains(fd); }

    // Runs `cb` in phase 2 of the next iteration.
    void add_callback(Callback cb, Tag tag = {});
    // Runs `cb` once, `delay_ms` from now (due in phase 1, run in phase 2).
    TimerId call_later(std::int64_t delay_ms, Callback cb, Tag tag = {trace::LoopCallback::Timer, 0});
    // tornado's PeriodicCallback: `cb` every `period_ms`, first one period from
    // now; re-armed after each run, skipping the ticks missed while the loop
    // was blocked (not queuing them).
    TimerId add_periodic(std::int64_t period_ms, Callback cb, Tag tag = {trace::LoopCallback::Timer, 0});
    // Cancels a timer or periodic callback, even one already due and waiting
    // in the ready list; an id already run or removed is ignored.
    void remove_timeout(TimerId id);

    // Around the wait in phase 3 (e.g. release / retake the GIL). `on_interrupt`
    // runs after a wait cut short by a signal (run the signal handlers).
    void set_poll_hooks(Callback before, Callback after, Callback on_interrupt);

    // Runs iterations until stop(). stop() from inside the loop ends it after
    // the current phase's work.
    void start();
    void stop() { running_ = false; }
    // One iteration of the four phases (on its own too: a test's single step).
    void run_once();

    std::size_t handler_count() const { return handlers_.size(); }
    std::size_t timer_count() const { return timers_.size(); }  // armed or due, not yet run
    std::string_view poller_name() const { return poller_->name(); }

private:
    struct Timer {
        Callback cb;
        std::int64_t deadline_ns;    // engine time
        std::int64_t period_ns = 0;  // 0: one-shot
        Tag tag;
        bool due = false;            // out of the heap, waiting in the ready list
    };
    struct ReadyCallback {
        Callback cb;                 // empty for a due timer: the timer holds it
        Tag tag;
        TimerId timer = 0;           // 0: a plain callback
    };
    struct FdHandler {
        std::uint32_t generation;  // in the poll tag: a stale readiness for a reused fd is dropped
        std::uint64_t conn;        // for the trace
        std::shared_ptr<Handler> handler;  // shared: a handler may remove itself while running
    };
    using TimerKey = std::pair<std::int64_t, TimerId>;  // deadline (engine ns), id

    void run_timers();
    void run_callbacks();
    int poll_timeout_ms() const;
    void poll();
    void dispatch();
    TimerId add_timer(std::int64_t delay_ns, std::int64_t period_ns, Callback cb, Tag tag);
    void arm(TimerId id, Timer& timer);
    void queue(ReadyCallback rc);
    void run_timer(TimerId id);
    std::int64_t ready_total() const { return static_cast<std::int64_t>(ready_.size() + batch_left_); }

    std::unique_ptr<Poller> poller_;
    std::unordered_map<int, FdHandler> handlers_;
    std::uint32_t next_generation_ = 0;
    std::set<TimerKey> heap_;                      // armed timers, earliest first
    std::unordered_map<TimerId, Timer> timers_;    // armed or due
    TimerId next_timer_id_ = 0;
    std::vector<ReadyCallback> ready_;             // queued for the next callbacks phase
    std::size_t batch_left_ = 0;                   // of the batch phase 2 is running
    std::vector<Ready> ready_fds_;
    Callback before_poll_;
    Callback after_poll_;
    Callback on_interrupt_;
    bool running_ = false;
};

}  // namespace minicorn::loop
