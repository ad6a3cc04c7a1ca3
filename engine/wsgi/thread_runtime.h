// engine/wsgi/thread_runtime.h — the Runtime of application code running on an
// OS thread: the sync worker's main thread, each gthread pool thread.
//
// There, time.sleep() and an unpatched C call behave the same: both release the
// GIL and block the thread in the kernel, so sleep() and block() are one
// operation. cpu() is pure-Python work: it keeps the GIL, giving it up only
// when another thread has asked (yield_if_requested), as CPython's eval loop.
//
// The GIL: the worker acquires it before calling the application and holds it
// across every Response::next_chunk(); every call here assumes the calling
// thread holds it (with GilMode::On it aborts with a message if not) and
// returns with it held — also when check_signals throws.
//
// Signals: as in CPython, handlers run between bytecodes and after a blocking
// call is interrupted (EINTR). The worker supplies check_signals; it runs with
// the GIL held and may throw or never return (the worker's SIGABRT handling
// ends the process). Which thread may run handlers (CPython: the main one
// only) is the worker's decision, made inside its callback.
//
// Thread affinity: one ThreadRuntime per OS thread, used only from that thread;
// several ThreadRuntimes share the process's one Gil.
// Ownership: does not own the Gil; the Gil must outlive it.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/wsgi/gil.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::wsgi {

class ThreadRuntime final : public Runtime {
public:
    // An empty check_signals means "no handlers to run".
    ThreadRuntime(Gil& gil, std::function<void()> check_signals);

    // Releases the GIL and nanosleeps the thread for `ms` (wall time).
    // Interrupted by a signal, it retakes the GIL, runs check_signals and
    // sleeps again for what remains. Blocks the thread for at least `ms`.
    void sleep(Millis ms) override;

    // On an OS thread an unpatched C call blocks exactly like sleep().
    void block(Millis ms) override;

    // A blocking socket round trip to the /db backend, the GIL released.
    void db(Millis ms) override;
    void db_on(const DbConnection& conn, Millis ms) override;

    // Burns `ms` of this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so time
    // spent waiting for the GIL or descheduled does not count. Works in small
    // slices; between slices it yields the GIL if a waiter asked and runs
    // check_signals. Wall time: `ms` at least, more while other threads hold the GIL.
    void cpu(Millis ms) override;

    // Releases the GIL and waits in pause() forever; after each signal that
    // wakes it, retakes the GIL and runs check_signals (the only way out is
    // for that to throw or end the process).
    [[noreturn]] void hang() override;

    // A WSGI view: plain code.
    ViewStyle view_style() const override { return ViewStyle::Plain; }

    // gevent.spawn + joinall with nothing monkey-patched: each greenlet's
    // sleep blocks this thread, so the tasks run one after another, here.
    void spawn_all(std::span<const Task> tasks) override;

    // Real OS threads (app_threads.h): their sleeps overlap; with the GIL on,
    // their CPU work does not.
    void thread_pool(std::span<const Task> tasks) override;

    void check_signals() override;

    Gil& gil() { return gil_; }

private:
    void require_gil(const char* call) const;

    Gil& gil_;
    std::function<void()> check_signals_;
    // Where cpu() leaves its result, so the arithmetic has an observable effect.
    volatile std::uint64_t sink_ = 0;
};

}  // namespace minicorn::wsgi
