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
// Nor a release around a call that did not wait, when nobody took the GIL
// meanwhile (Gil::Released with Brief: gthread's recv and send of a request on
// a ready socket). The GIL was free for one non-blocking system call and the
// same thread took it back: no frame of the studio could show it, and those
// two pairs were 4 of a gthread request's ~21 events. The release is held back
// (not written); it is written, as the releasing thread's, as soon as it
// matters: the call is about to wait (on_blocks), or another thread
// takes the GIL first (its on_acquire writes it before its own GilAcquire).
// Only the same thread taking it back, without waiting, drops the pair. Holding
// one back costs a store (no clock read: most are never written); a written
// one is stamped when it is written — one system call late, or when the next
// holder took the GIL — which no frame of the studio can tell apart either.
//
// Thread affinity: called by the Gil from any thread, outside its lock.
#pragma once

#include <atomic>

#include "engine/trace/ev.h"
#include "engine/trace/region.h"  // now_ns
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
        if (const wsgi::OsThreadId held = held_back_.load(std::memory_order_acquire); held != 0) {
            if (held == thread) {
                // Its own: nobody else took the GIL meanwhile (whoever had would have taken
                // this), and only this thread touches its own held-back release now.
                held_back_.store(0, std::memory_order_relaxed);
                if (waited.count() == 0) return;  // took it back at once: nothing to show
                trace::ev::GilRelease{.reason = wsgi::GilRelease::Voluntary}.emit();
            } else if (const wsgi::OsThreadId other = held_back_.exchange(0, std::memory_order_acq_rel)) {
                // Another thread's (its blocks() may race for it): the release comes first.
                trace::ev::GilRelease{.reason = wsgi::GilRelease::Voluntary}.emit_for(trace::now_ns(), other);
            }
        }
        if (t_hold_reported) trace::ev::GilAcquire{.waited_ns = waited.count()}.emit();
    }
    void on_release(wsgi::OsThreadId, wsgi::GilRelease reason) override {
        if (!t_hold_reported) return;
        trace::ev::GilRelease{.reason = reason}.emit();  // wsgi::GilRelease: 0 let go, 1 forced, 2 at the gate
    }
    bool on_brief_release(wsgi::OsThreadId thread) override {
        if (!t_hold_reported) return false;  // not reported held: not reported released either
        held_back_.store(thread, std::memory_order_release);  // no clock read: most are never written
        return true;
    }
    void on_blocks(wsgi::OsThreadId thread) override {
        wsgi::OsThreadId held = thread;  // still this thread's? (another may have taken the GIL and written it)
        if (held_back_.compare_exchange_strong(held, 0, std::memory_order_acq_rel)) {
            trace::ev::GilRelease{.reason = wsgi::GilRelease::Voluntary}.emit();
        }
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
    std::atomic<wsgi::OsThreadId> held_back_{0};  // the thread whose brief release is not written yet, 0: none
    // Whether the calling thread's current hold was reported (one Gil per process).
    static inline thread_local bool t_hold_reported = false;
};

}  // namespace minicorn::process
