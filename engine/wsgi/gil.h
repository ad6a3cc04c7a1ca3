// engine/wsgi/gil.h — a simulated CPython GIL, one per worker process.
//
// It follows CPython 3.x's "new GIL" (Python/ceval_gil.h, take_gil/drop_gil):
//   - a thread must hold the GIL to run "Python code" (the application);
//   - a thread that wants it while another holds it waits on a condition for
//     up to the switch interval (5 ms by default, sys.setswitchinterval); if
//     the holder has not let go by then and no other thread took it in the
//     meantime, the waiter sets a drop request and goes back to waiting;
//   - the holder polls drop_requested() between "bytecodes" (ThreadRuntime::cpu
//     does it between slices of work) and, in yield_if_requested(), drops the
//     GIL and does not retake it until another thread has taken it
//     (FORCE_SWITCHING), so a computing thread cannot starve the others;
//   - blocking calls release it around the wait (Released), the way C code
//     wraps a syscall in Py_BEGIN/END_ALLOW_THREADS.
// With GilMode::Off (`--gil off`) every operation is a no-op: threads run
// truly in parallel, to compare.
//
// The step gate: a holder that has to wait at the trace's closed gate lets
// the GIL go first and takes it back after it passes (trace::GateWaitHook,
// registered for the holding thread on every acquire), so a paused thread
// never keeps a stepped one from running.
//
// Who acquires it: the worker, before it calls the application (and holds it
// across every Response::next_chunk() call); ThreadRuntime and the demo app
// assume the calling thread already holds it.
//
// Thread safety: every member may be called from any thread of the process.
// acquire() is not re-entrant, and only the holder may release(), yield or open
// a Released scope; breaking either rule is a bug and aborts with a message.
// Fork: create the Gil in the worker after fork (init_process). A Gil copied by
// fork() while another thread held its internal lock would stay locked forever.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

namespace minicorn::wsgi {

// The kernel's id of an OS thread (gettid()), the same number the trace
// records as an event's thread, `ps -L` shows and TSan reports.
using OsThreadId = pid_t;

// gettid() of the calling thread. Cached per thread, and refreshed after a
// fork (pthread_atfork), where the forking thread gets a new id.
OsThreadId current_thread_id();

enum class GilMode {
    On,   // CPython's behaviour: one thread runs Python code at a time
    Off,  // no lock at all, as a free-threaded (PEP 703) build would run
};

// "on" / "off" (the --gil flag); nullopt for anything else.
std::optional<GilMode> parse_gil_mode(std::string_view text);
std::string_view to_string(GilMode mode);

// CPython's default: sys.getswitchinterval() == 0.005.
inline constexpr std::chrono::microseconds kDefaultSwitchInterval{5000};

struct GilConfig {
    GilMode mode = GilMode::On;
    // How long a waiter waits before it asks the holder to drop the GIL.
    // Like CPython, anything under 1 µs counts as 1 µs.
    std::chrono::microseconds switch_interval = kDefaultSwitchInterval;
};

// Why a holder let the GIL go (the trace's GilRelease a0).
enum class GilRelease {
    Voluntary = 0,  // release() or a Released scope: a blocking call, or the app returned
    Forced = 1,     // yield_if_requested() honoured a waiter's drop request
    AtGate = 2,     // its thread waits at the trace's closed gate (taken back once it passes)
};

class GilAtGate;

// Counters since construction; all zero with GilMode::Off.
struct GilStats {
    std::uint64_t acquisitions = 0;  // every take (CPython's gil->switch_number)
    std::uint64_t switches = 0;      // takes by a thread other than the previous holder
    std::uint64_t drop_requests = 0; // a waiter's switch interval expired: it asked the holder to drop
    std::uint64_t forced_drops = 0;  // the holder gave the GIL up on request
};

// Hooks for the trace (GIL wait / acquire / release events). Each callback runs
// on the thread the event is about, outside the Gil's internal lock, so it may
// block (a gated trace waits for a token there) but must not call back into
// this Gil. Ordering: on_release() runs while the releasing thread still holds
// the GIL and on_acquire() after the new holder has it, so across threads a
// release is always reported before the acquisition that follows it.
// Never called with GilMode::Off.
class GilObserver {
public:
    virtual ~GilObserver() = default;
    // `waiter` found the GIL held by `holder` and starts waiting.
    virtual void on_wait(OsThreadId /*waiter*/, OsThreadId /*holder*/) {}
    // `waiter` waited a full switch interval without a switch: it asks `holder` to drop.
    virtual void on_drop_request(OsThreadId /*waiter*/, OsThreadId /*holder*/) {}
    // `thread` now holds the GIL, after waiting `waited` (zero if it was free).
    virtual void on_acquire(OsThreadId /*thread*/, std::chrono::nanoseconds /*waited*/) {}
    // `thread` is about to let the GIL go.
    virtual void on_release(OsThreadId /*thread*/, GilRelease /*reason*/) {}
    // `thread` is about to let the GIL go (voluntarily) around a call that
    // usually returns at once (a Released scope made `Brief`). Returns true if
    // it reports the release only when it turns out to matter — the call has
    // to wait (on_blocks) or another thread takes the GIL meanwhile —, false
    // if it dealt with it as on_release does.
    virtual bool on_brief_release(OsThreadId thread) {
        on_release(thread, GilRelease::Voluntary);
        return false;
    }
    // The brief call of `thread` (on_brief_release returned true) is about to wait after all.
    virtual void on_blocks(OsThreadId /*thread*/) {}
};

class Gil {
public:
    explicit Gil(GilConfig config = {});
    Gil(const Gil&) = delete;
    Gil& operator=(const Gil&) = delete;

    GilMode mode() const { return config_.mode; }
    std::chrono::microseconds switch_interval() const { return config_.switch_interval; }

    // Takes the GIL for the calling thread. Blocks while another thread holds
    // it, setting a drop request each time a switch interval passes without a
    // switch. The caller must not hold it already.
    void acquire();

    // Lets the GIL go and wakes one waiter. The caller must hold it.
    void release();

    // True when a waiter has asked the holder to drop the GIL. Cheap (one
    // relaxed atomic load): meant to be polled between "bytecodes".
    bool drop_requested() const;

    // CPython's eval-breaker step: if a drop was requested, releases the GIL,
    // waits until another thread has taken it, then queues to take it back.
    // Returns whether it switched. The caller must hold the GIL. May block for
    // as long as the other threads keep it.
    bool yield_if_requested();

    // The thread holding the GIL, or nullopt when it is free (always nullopt
    // with GilMode::Off).
    std::optional<OsThreadId> holder() const;

    // Whether the calling thread holds the GIL (always true with GilMode::Off,
    // where every thread may run Python code).
    bool held_by_current_thread() const;

    GilStats stats() const;

    // Installs (or, with nullptr, removes) the observer. The Gil does not own
    // it; it must outlive every GIL operation that may report to it.
    void set_observer(GilObserver* observer);

    // Holds the GIL for a scope: acquire() now, release() at the end. This is
    // how a worker wraps its call into the application.
    class Held {
    public:
        explicit Held(Gil& gil);
        ~Held();
        Held(const Held&) = delete;
        Held& operator=(const Held&) = delete;

    private:
        Gil& gil_;
    };

    // Py_BEGIN_ALLOW_THREADS / Py_END_ALLOW_THREADS: releases the GIL for a
    // scope (a blocking call) and takes it back at the end, which may block.
    // The calling thread must hold the GIL.
    //
    // Made with `Brief`, for a call that usually returns at once (a recv or a
    // send on a ready socket): the GIL is released all the same, but the
    // observer may hold back its report (deferred()); the caller then tries
    // the call without waiting first and calls blocks() before it waits.
    enum class Brief { Call };
    class Released {
    public:
        explicit Released(Gil& gil);
        Released(Gil& gil, Brief);
        ~Released();
        Released(const Released&) = delete;
        Released& operator=(const Released&) = delete;

        // Whether the release is reported only if the call waits (see above).
        bool deferred() const { return deferred_; }
        // The call is about to wait: the release is reported now.
        void blocks();

    private:
        Gil& gil_;
        bool deferred_ = false;
    };

private:
    friend class GilAtGate;  // drops and retakes the GIL around a wait at the gate
    bool enabled() const { return config_.mode == GilMode::On; }
    // Returns whether the observer held back its report (brief: on_brief_release).
    bool drop(OsThreadId self, GilRelease reason, bool brief = false);
    GilObserver* observer() const { return observer_.load(std::memory_order_acquire); }

    const GilConfig config_;
    std::atomic<GilObserver*> observer_{nullptr};

    // Read without the lock by the holder between bytecodes (as CPython's
    // eval_breaker); written only under mutex_.
    std::atomic<bool> drop_request_{false};

    mutable std::mutex mutex_;
    std::condition_variable released_;  // gil->cond: the GIL became free
    std::condition_variable switched_;  // gil->switch_cond: another thread took it
    bool locked_ = false;               // guarded by mutex_
    OsThreadId holder_ = 0;             // guarded by mutex_; valid while locked_
    std::optional<OsThreadId> last_holder_;  // guarded by mutex_
    GilStats stats_;                    // guarded by mutex_
};

}  // namespace minicorn::wsgi
