// engine/process/gil_trace.h — reports the simulated GIL's hand-offs to the
// trace: GilWait, GilAcquire, GilRelease, each emitted by the thread concerned.
//
// Only once a second thread has used the GIL. While one thread alone takes it
// (a sync, gevent, eventlet, tornado or asyncio worker: one OS thread), nobody
// can wait for it, so its hand-offs carry nothing a learner sees — and they
// were a quarter of a sync worker's events. The first GilWait or GilAcquire
// by another thread turns reporting on for good; a GilWait names the holder
// (the World takes the holder from it), and a hold whose GilAcquire was not
// reported is not reported released either, so every thread's acquires and
// releases stay paired.
//
// Thread affinity: called by the Gil from any thread, outside its lock.
#pragma once

#include <atomic>

#include "engine/trace/ev.h"
#include "engine/wsgi/gil.h"

namespace minicorn::process {

class GilTracer final : public wsgi::GilObserver {
public:
    void on_wait(wsgi::OsThreadId, wsgi::OsThreadId holder) override {
        shared_.store(true, std::memory_order_relaxed);  // a waiter is another thread than the holder
        trace::ev::GilWait{.holder = holder}.emit();
    }
    void on_acquire(wsgi::OsThreadId thread, std::chrono::nanoseconds waited) override {
        t_hold_reported = report(thread);
        if (t_hold_reported) trace::ev::GilAcquire{.waited_ns = waited.count()}.emit();
    }
    void on_release(wsgi::OsThreadId, wsgi::GilRelease reason) override {
        if (!t_hold_reported) return;
        trace::ev::GilRelease{.reason = reason}.emit();  // wsgi::GilRelease: 0 let go, 1 forced, 2 at the gate
    }

private:
    // Whether `thread`'s acquisition is reported: once a second thread has
    // used the GIL, always.
    bool report(wsgi::OsThreadId thread) {
        if (shared_.load(std::memory_order_relaxed)) return true;
        wsgi::OsThreadId first = 0;
        if (first_.compare_exchange_strong(first, thread, std::memory_order_relaxed) || first == thread) return false;
        shared_.store(true, std::memory_order_relaxed);
        return true;
    }

    std::atomic<wsgi::OsThreadId> first_{0};  // the first thread to take the GIL
    std::atomic<bool> shared_{false};         // a second thread has used it
    // Whether the calling thread's current hold was reported (one Gil per process).
    static inline thread_local bool t_hold_reported = false;
};

}  // namespace minicorn::process
