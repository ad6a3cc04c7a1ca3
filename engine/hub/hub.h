// engine/hub/hub.h — the greenlet hub: a Boost.Fiber scheduling algorithm
// whose idle wait is epoll, as gevent's Hub runs libev and eventlet's runs
// epolls. Greenlets are Boost fibers; parking one on a socket registers the
// fd in the hub's epoll set and switches away; epoll readiness (or a
// deadline) makes it ready again. Green socket calls: green_io.h.
//
//     Hub& hub = Hub::install();            // this thread's fibers now run on the hub
//     hub.spawn([] { ... green_recv(fd, buf, n) ... });
//     hub.run();                            // until every greenlet has finished
//
// The hub loop is Boost.Fiber's dispatcher fiber, which runs whenever no
// greenlet is running and the hub's turn in the ready queue comes (once per
// round of the ready queue). One turn, in order:
//   1. release finished greenlets (their stacks are freed; Boost does it)
//   2. pick_next: expired timers → ready (the hub's timer list: sleep(),
//      wait_fd and wait_queue deadlines): GreenWake
//   3. pick_next: if greenlets are ready and fds are registered, poll them
//      without blocking first (PollWait a0=0 / PollWake), so I/O is never
//      starved by greenlets that keep yielding; then switch to the oldest
//      ready greenlet (FIFO): GreenSwitch
//   4. nothing ready: suspend_until — epoll_wait until the nearest timer
//      (PollWait / PollWake), wake the waiters of ready fds (PollUnregister,
//      GreenWake), then phase 2 at once; on EINTR, or after
//      notify_signal(), run on_signal.
// The dispatcher's own hops are not traced as GreenSwitch: a switch
// "3 → hub → 5" is traced as GreenSwitch(green 5, a0 3), with the hub's
// poll between them.
//
// As an event loop (set_loop_trace, the asyncio worker): the same turn in
// the loop's vocabulary (trace/event.h), asyncio's tasks being greenlets:
//   timers     LoopPhase(Timers, a1 = deadlines already passed), emitted
//              at the start of the hub's turn or when a blocking poll
//              returns — just before the expired timers wake
//   poll       LoopPhase(Poll, a1 = registered fds) before epoll_wait
//   dispatch   LoopPhase(Dispatch, a1 = ready fds) before their waiters wake
//   callbacks  LoopPhase(Callbacks, a1 = ready greenlets) when the hub
//              switches to the first of a round
// The "ready callbacks" are the ready greenlets — asyncio's ready Task
// steps: CallbackQueued when one becomes ready (a0 = ready greenlets after),
// CallbackRun when the hub switches to it (a0 = ready left), a1 = its kind
// (set_task_kind; by default Watchdog for the main fiber — the worker's
// notify loop —, Request for a greenlet serving a connection, Other else).
// Every deadline is a timer: TimerAdd (a0 = id, a1 = deadline in engine ms)
// when a greenlet parks with one (sleep(), wait_fd with a deadline),
// TimerFire when the deadline wakes it, TimerCancel when something else does
// first. The order differs from asyncio's _run_once (poll, events, timers,
// ready) only in where a turn is cut: a busy turn here is timers, poll
// (non-blocking), dispatch, callbacks; an idle one blocks in poll and
// dispatch, then goes round to timers and callbacks.
//
// Green ids: 0 is the thread's main fiber (and the hub itself); spawned
// greenlets count from 1. Every event a greenlet emits carries its id in
// `green` (pick_next sets the thread's running greenlet once per switch:
// trace::set_running_green); the hub's own events below carry the greenlet
// they are about in `green`, and its connection (spawn(fn, conn),
// set_green_conn) in `conn`:
//   GreenSpawn   green = new id, a0 = parent id
//   GreenSwitch  green = target, a0 = from                      (gated)
//   GreenPark    green, a0 = fd (-1: no fd — a timer, sleep(), or a WaitQueue),
//                a1 = EPOLLIN/EPOLLOUT (0: no fd)
//   GreenWake    green, a0 = fd (-1: no fd), a1 = why: 0 fd ready (or wake_one on
//                its WaitQueue), 1 deadline passed, 2 cancelled (cancel_wait, kill,
//                HubExit for main)
//   GreenExit    green, a0 = how: 0 returned, 1 raised, 2 killed (GreenletExit)
//   PollRegister green = waiter, a0 = fd, a1 = the fd's events now (a second
//                PollRegister for an fd already in the list updates its events)
//   PollUnregister green = waiter, a0 = fd (the fd left the poll list)
//   PollWait     a0 = timeout ms (-1: none), a1 = registered fds   (gated)
//   PollWake     a0 = ready fds, a1 = 1 when a signal interrupted the wait
//
// Exceptions: a greenlet's function that throws does not kill the hub. A
// std::exception (or anything else) is printed to stderr and the greenlet
// ends, as gevent prints a greenlet's traceback. GreenletExit (kill()) ends
// it quietly. A HubExit (or a type derived from it) is gevent's SystemExit:
// it is stored and re-thrown on the main fiber at its next hub call (run,
// sleep, yield, wait_fd and the green calls), waking it early if it is
// parked in one. Only the first HubExit is kept.
//
// Thread affinity: everything on the thread that called install(), except
// notify() (Boost's, any thread) and notify_signal() (async-signal-safe).
// on_signal runs ON the hub (the dispatcher fiber): it must not park (no
// wait_fd, sleep, yield or green call — that aborts); it may spawn.
//
// Thread exit: Boost.Fiber joins every fiber when the thread ends (for the
// main thread: in exit()). At that point the hub kills every greenlet —
// GreenletExit at the hub call it is parked in, or at its next one; one not
// started never runs — so their stacks unwind (RAII closes their sockets);
// and it stops tracing. A greenlet blocked on a Boost fiber mutex or
// condition variable instead can never finish: the hub aborts with a
// message rather than hang. Prefer run() until live_greenlets() == 0, or
// leave a worker process with _exit().
//
// Deadlines are engine time (Clock = EngineClock, trace::engine_now_ns()),
// which stands still while the trace's gate is closed: a paused engine
// times nothing out — no keep-alive, no sleep(). The hub keeps its own
// timer list in that time (Boost's sleep queue, in steady time, is unused).
#pragma once

#include <sys/epoll.h>

#include <array>
#include <csignal>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/fiber/algo/algorithm.hpp>
#include <boost/fiber/context.hpp>
#include <boost/fiber/properties.hpp>
#include <boost/fiber/scheduler.hpp>

#include "engine/trace/emit.h"
#include "engine/trace/event.h"

namespace minicorn::hub {

using GreenId = std::uint32_t;  // 0 = the main fiber (and the hub); greenlets count from 1

// The hub's clock: the trace's engine time (monotonic, stopped while the
// gate is closed; plain monotonic time without a trace region).
struct EngineClock {
    using duration = std::chrono::nanoseconds;
    using rep = duration::rep;
    using period = duration::period;
    using time_point = std::chrono::time_point<EngineClock>;
    static constexpr bool is_steady = true;
    static time_point now() noexcept { return time_point(duration(trace::engine_now_ns())); }
};
using Clock = EngineClock;

enum class Wait {
    Ready,      // the fd is ready (or reported an error/hang-up: the retried call will say which)
    TimedOut,   // the deadline passed first
    Cancelled,  // cancel_wait(fd): the fd is being closed by someone else — do not touch it again
};

// Thrown by a greenlet to end the worker (gevent's SystemExit): re-thrown on
// the main fiber, see above. Derive from it for richer exit reasons.
struct HubExit {
    int code;
};

// Thrown inside a greenlet by the hub call it is parked in (or makes next)
// after Hub::kill() — gevent's GreenletExit. The greenlet unwinds (RAII
// closes its sockets) and ends quietly. Not a std::exception, so that
// `catch (const std::exception&)` does not swallow it; `catch (...)` must
// rethrow it.
struct GreenletExit {};

// One greenlet parked on an fd, as poll_list() shows it (not the World's
// trace::PollEntry, which is a registered fd).
struct FdWait {
    int fd;
    std::uint32_t events;  // EPOLLIN or EPOLLOUT
    GreenId green;
    std::uint64_t conn;    // the waiter's connection id (0: none)
};

namespace detail {

struct Waiter;
struct TimerList;

// Boost.Fiber properties: what the hub knows about each fiber.
class GreenProps final : public boost::fibers::fiber_properties {
public:
    explicit GreenProps(boost::fibers::context* ctx) noexcept : fiber_properties(ctx) {}

    GreenId id = 0;
    std::uint64_t conn = 0;
    Waiter* waiter = nullptr;  // set while parked in a hub call
    bool exiting = false;      // its function has returned; it only terminates now
    trace::LoopCallback task_kind = trace::LoopCallback::Other;  // set_task_kind
    bool kill_requested = false;  // Hub::kill(): throw GreenletExit at its next hub call

    // For AddressSanitizer's fiber-switch annotations (unused without it).
    const void* stack_bottom = nullptr;
    std::size_t stack_size = 0;
    std::uintptr_t stack_top = 0;  // page-aligned top of its stack (recorded at entry), 0: unknown
    void* asan_fake_stack = nullptr;
};

}  // namespace detail

// Greenlets parked until another greenlet wakes them (the links of a gevent
// Semaphore, an eventlet GreenPool's): Hub::wait_queue parks the running
// greenlet at the back, Hub::wake_one readies the front. A parked greenlet
// is traced as one (GreenPark a0 = -1); killing it wakes it with
// GreenletExit.
class WaitQueue {
public:
    WaitQueue() = default;
    WaitQueue(const WaitQueue&) = delete;
    WaitQueue& operator=(const WaitQueue&) = delete;
    ~WaitQueue();
    bool empty() const { return head_ == nullptr; }

private:
    friend class Hub;
    detail::Waiter* head_ = nullptr;
    detail::Waiter* tail_ = nullptr;
};

class Hub final : public boost::fibers::algo::algorithm_with_properties<detail::GreenProps> {
public:
    static constexpr std::size_t kDefaultStackSize = 16 * 1024;

    // Makes the calling thread's Boost.Fiber scheduler the hub and returns it.
    // One per OS thread: a second call on the same thread returns the same hub
    // (its stack size must match). Call before spawning. Greenlet stacks are
    // mmap'd with a guard page (protected_fixedsize_stack): only touched pages
    // cost memory (~4 KiB for an idle greenlet, -O2). Under ASan the size is
    // multiplied by 4 (its redzones need the room).
    static Hub& install(std::size_t stack_size = kDefaultStackSize);
    // The calling thread's hub; aborts if install() was not called.
    static Hub& current();
    // The calling thread's hub, or nullptr.
    static Hub* find();

    // gevent's spawn: a detached greenlet, SCHEDULED not run — it runs when
    // the caller next parks or yields, after those scheduled before it.
    // `conn` tags its trace events (set_green_conn changes it later).
    // Throws std::bad_alloc if its stack cannot be mapped.
    GreenId spawn(std::function<void()> fn, std::uint64_t conn = 0);
    // The running greenlet's id; 0 on the main fiber (or on the hub).
    GreenId current_green() const;
    // The running greenlet now serves `conn` (0: none), for its trace events.
    void set_green_conn(std::uint64_t conn);
    // The connection the running greenlet serves (0: none, or on the main fiber).
    std::uint64_t current_conn() const;
    // What the running greenlet is, as an event loop's ready callback
    // (CallbackQueued / CallbackRun a1; see set_loop_trace).
    void set_task_kind(trace::LoopCallback kind);
    // Trace the hub as an event loop too: LoopPhase, timers and ready
    // greenlets as callbacks (see above). Off by default: the green models
    // keep their GreenSwitch / GreenPark story alone.
    void set_loop_trace(bool on) { loop_trace_ = on; }

    // Parks the running greenlet until `fd` is ready for `events` (EPOLLIN or
    // EPOLLOUT, exactly one) or `deadline` passes. The fd must be open; it is
    // in the poll list only while someone waits on it. One waiter per fd and
    // direction: a second is a bug (gevent's ConcurrentObjectUseError) and
    // aborts with a message. To close an fd another greenlet may be parked
    // on, cancel_wait(fd) first. Throws GreenletExit if the greenlet is killed.
    Wait wait_fd(int fd, std::uint32_t events, std::optional<Clock::time_point> deadline = std::nullopt);
    // Wakes the greenlets parked on `fd` (both directions) with
    // Wait::Cancelled and takes the fd out of the poll list: call it just
    // before closing an fd someone may wait on (gevent's socket.close() →
    // hub.cancel_wait). Returns how many were woken.
    std::size_t cancel_wait(int fd);
    // gevent's Greenlet.kill(): GreenletExit is thrown in greenlet `id` at the
    // hub call it is parked in, or at its next one (if it has not started
    // yet, it never runs its function). It does not wait for the greenlet to
    // end. Killing the running greenlet throws at once. Returns false if no
    // such greenlet is live. The main fiber (0) cannot be killed.
    bool kill(GreenId id);
    // Parks the running greenlet at the back of `q` until wake_one(q) reaches
    // it (Ready), or `deadline` passes (TimedOut). Throws GreenletExit if
    // the greenlet is killed.
    Wait wait_queue(WaitQueue& q, std::optional<Clock::time_point> deadline = std::nullopt);
    // Readies the greenlet at the front of `q`; false if none waits.
    bool wake_one(WaitQueue& q);
    // Parks the running greenlet on a timer (patched time.sleep). d <= 0 is yield().
    void sleep(std::chrono::nanoseconds d);
    // gevent.sleep(0): to the back of the ready queue, after the greenlets
    // (and the hub turn) already ready.
    void yield();

    // Main fiber only. Parks it until every greenlet spawned so far has
    // finished, or stop() is called, or a greenlet raised HubExit (re-thrown
    // here). The hub runs meanwhile. Returns at once if nothing is live. A
    // worker's main loop may instead `while (alive) { notify(); sleep(1s); }`
    // as gunicorn's gevent worker does: the hub runs whenever main is parked.
    void run();
    // Makes run() return (the greenlets stay: run() again continues them).
    // If main is not in run(), the next run() returns at once.
    void stop();

    std::size_t live_greenlets() const { return live_; }

    // Called on the hub after an epoll_wait interrupted by a signal (EINTR),
    // and at the next hub turn after notify_signal(): the worker runs its
    // Python-level signal handlers there. Must not park; may spawn or stop().
    // A HubExit it throws reaches the main fiber; other exceptions are printed.
    void set_on_signal(std::function<void()> fn);
    // Async-signal-safe: call from a C signal handler so the hub runs
    // on_signal even if the signal did not interrupt its epoll_wait (it
    // arrived while a greenlet was running). Wakes the hub.
    void notify_signal() noexcept;

    // Introspection (for the trace's World and tests), sorted by fd then direction.
    std::vector<FdWait> poll_list() const;
    std::size_t registered_fds() const { return registered_fds_; }
    std::size_t pending_timers() const { return timers_; }  // parked greenlets with a deadline
    std::size_t ready_greenlets() const { return ready_greenlets_; }  // the main fiber included, not the hub
    std::size_t parked_greenlets() const { return parked_; }
    std::size_t stack_size() const { return stack_size_; }

    // Gives back to the kernel the running greenlet's stack pages below the
    // current frame (madvise MADV_DONTNEED): a greenlet about to park for a
    // long time (an idle keep-alive connection) keeps only the pages its
    // current frames use, not the high-water mark of the request it served.
    // Call from a greenlet (not main), from a shallow frame.
    void trim_stack() noexcept;

    // --- boost::fibers::algo::algorithm: called by Boost.Fiber only ---
    void awakened(boost::fibers::context* ctx, detail::GreenProps& props) noexcept override;
    boost::fibers::context* pick_next() noexcept override;
    bool has_ready_fibers() const noexcept override;
    void suspend_until(const std::chrono::steady_clock::time_point& abs_time) noexcept override;
    // From another thread: wakes the hub (eventfd). On the hub's own thread
    // Boost calls it only while the thread exits (see above).
    void notify() noexcept override;

    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;
    ~Hub() override;

private:
    struct FdWatch {
        detail::Waiter* reader = nullptr;
        detail::Waiter* writer = nullptr;
        std::uint32_t registered = 0;  // events now in the epoll set (0: not in it)
    };

    explicit Hub(std::size_t stack_size);

    void run_greenlet(GreenId id, std::function<void()>& fn);
    void check_killed();
    void park(detail::Waiter& w, std::optional<Clock::time_point> deadline);
    void settle(detail::Waiter& w) noexcept;
    std::size_t expire_timers() noexcept;  // how many woke
    int timer_timeout_ms() noexcept;
    void unlink_queued(detail::Waiter& w) noexcept;
    void watch(detail::Waiter& w);
    void unwatch(detail::Waiter& w) noexcept;
    void update_epoll(int fd, FdWatch& fw, GreenId green, std::uint64_t conn) noexcept;
    int poll(int timeout_ms) noexcept;  // epoll_wait's count (the eventfd included); -1: a signal
    void wake_fd(int fd, std::uint32_t revents) noexcept;
    void run_on_signal() noexcept;
    void raise_on_main(std::exception_ptr e) noexcept;
    void rethrow_on_main();
    void wake_main(bool interrupt) noexcept;
    void kill_all_parked() noexcept;
    void asan_start_switch(boost::fibers::context* to) noexcept;
    void asan_finish_switch() noexcept;
    void asan_restore_main() noexcept;
    detail::GreenProps& running_props() const;
    void check_thread(const char* what) const;
    void check_can_park(const char* what) const;
    // Emits a typed trace event (engine/trace/ev.h), unless the thread is exiting
    // (its per-thread ring may already be released).
    template <typename TypedEvent>
    void emit_event(const TypedEvent& event) const noexcept {
        if (!shutting_down_) event.emit();
    }
    void emit_phase(trace::LoopPhaseId phase, std::size_t items) const noexcept;
    // LoopPhase(Timers): the dispatcher is about to release the expired deadlines.
    void emit_timers_phase() const noexcept;
    static trace::LoopCallback task_kind(const detail::GreenProps& props) noexcept;

    std::size_t stack_size_;
    std::thread::id owner_;
    int epoll_fd_ = -1;
    int event_fd_ = -1;  // always in the epoll set: notify(), notify_signal()

    boost::fibers::scheduler::ready_queue_type ready_;
    GreenId running_ = 0;          // the greenlet last switched to (the hub's hops don't count)
    bool polled_this_turn_ = false;
    GreenId next_id_ = 1;
    std::size_t live_ = 0;
    std::unordered_map<GreenId, detail::GreenProps*> greens_;  // live greenlets (kill)

    std::vector<FdWatch> watches_;  // by fd
    std::size_t registered_fds_ = 0;
    detail::Waiter* parked_head_ = nullptr;  // every parked waiter (expiry at thread exit)
    std::size_t parked_ = 0;
    std::size_t timers_ = 0;
    // Parked greenlets with a deadline, earliest first (engine time): an
    // intrusive set of their Waiters (no allocation per park).
    std::unique_ptr<detail::TimerList> timer_list_;
    int early_wakes_ = 0;  // timed polls in a row after which no timer was due (a closed gate)
    std::size_t ready_greenlets_ = 0;  // in ready_, the dispatcher not counted
    bool loop_trace_ = false;
    std::int64_t next_timer_id_ = 0;
    std::array<epoll_event, 256> events_{};

    detail::GreenProps* main_props_ = nullptr;
    bool stop_requested_ = false;
    std::exception_ptr pending_exit_;
    bool shutting_down_ = false;

    std::function<void()> on_signal_;
    volatile sig_atomic_t signal_pending_ = 0;

    // AddressSanitizer must be told of every stack switch (Debian's
    // Boost.Context does not): pick_next() announces the target's stack, the
    // target confirms at its next pick_next(). Unused without ASan.
    struct AsanSwitch {
        bool switching = false;
        void** to_fake = nullptr;  // the target's fake-stack slot
        const void* main_bottom = nullptr;
        std::size_t main_size = 0;
        void* main_fake = nullptr;
        void* dispatcher_fake = nullptr;
    } asan_;
};

}  // namespace minicorn::hub
