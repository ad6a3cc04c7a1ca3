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
// (stamped, not written); it is written, with its own time and thread, as soon
// as it matters: the call is about to wait (on_blocks), or another thread
// takes the GIL first (its on_acquire writes it before its own GilAcquire).
// Only the same thread taking it back, without waiting, drops the pair.
//
// Thread affinity: called by the Gil from any thread, outside its lock.
#pragma once

#include <atomic>
#include <cstdint>

#include "engine/trace/ev.h"
#include "engine/trace/region.h"
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
        if (const std::uint64_t held = take_held_back()) {
            if (tid_of(held) == thread && waited.count() == 0) return;  // took it back at once: nothing to show
            write_release(held);  // another thread took it: the release comes first
        }
        if (t_hold_reported) trace::ev::GilAcquire{.waited_ns = waited.count()}.emit();
    }
    void on_release(wsgi::OsThreadId, wsgi::GilRelease reason) override {
        if (!t_hold_reported) return;
        trace::ev::GilRelease{.reason = reason}.emit();  // wsgi::GilRelease: 0 let go, 1 forced, 2 at the gate
    }
    bool on_brief_release(wsgi::OsThreadId thread) override {
        if (!t_hold_reported) return false;  // not reported held: not reported released either
        held_back_.store(pack(thread, trace::now_ns()), std::memory_order_release);
        return true;
    }
    void on_blocks(wsgi::OsThreadId thread) override {
        std::uint64_t held = held_back_.load(std::memory_order_acquire);
        // Still this thread's (another thread may have taken the GIL and written it already).
        if (held != 0 && tid_of(held) == thread &&
            held_back_.compare_exchange_strong(held, 0, std::memory_order_acq_rel)) {
            write_release(held);
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

    // A held-back release in one word, so that taking it is one atomic step:
    // the thread id (< 2^22 on Linux) above the low 40 bits of its time
    // (18 minutes; a release is held back for one system call).
    static constexpr int kTimeBits = 40;
    static constexpr std::uint64_t kTimeMask = (std::uint64_t{1} << kTimeBits) - 1;
    static std::uint64_t pack(wsgi::OsThreadId thread, std::uint64_t t_ns) {
        return (static_cast<std::uint64_t>(thread) << kTimeBits) | (t_ns & kTimeMask);
    }
    static wsgi::OsThreadId tid_of(std::uint64_t held) { return static_cast<wsgi::OsThreadId>(held >> kTimeBits); }
    static void write_release(std::uint64_t held) {
        const std::uint64_t now = trace::now_ns();
        const std::uint64_t t = now - ((now - held) & kTimeMask);  // the full time back from its low bits
        trace::ev::GilRelease{.reason = wsgi::GilRelease::Voluntary}.emit_for(t, tid_of(held));
    }
    std::uint64_t take_held_back() {
        if (held_back_.load(std::memory_order_relaxed) == 0) return 0;  // the usual case: no atomic write
        return held_back_.exchange(0, std::memory_order_acq_rel);
    }

    std::atomic<wsgi::OsThreadId> first_{0};  // the first thread to take the GIL
    std::atomic<bool> shared_{false};         // a second thread has used it
    std::atomic<std::uint64_t> held_back_{0}; // a brief release not written yet (pack()), 0: none
    // Whether the calling thread's current hold was reported (one Gil per process).
    static inline thread_local bool t_hold_reported = false;
};

}  // namespace minicorn::process
