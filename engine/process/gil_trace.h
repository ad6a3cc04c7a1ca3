// engine/process/gil_trace.h — reports the simulated GIL's hand-offs to the
// trace: GilWait, GilAcquire, GilRelease, each emitted by the thread concerned.
//
// Thread affinity: called by the Gil from any thread, outside its lock.
#pragma once

#include "engine/trace/ev.h"
#include "engine/wsgi/gil.h"

namespace minicorn::process {

class GilTracer final : public wsgi::GilObserver {
public:
    void on_wait(wsgi::OsThreadId, wsgi::OsThreadId holder) override {
        trace::ev::GilWait{.holder = holder}.emit();
    }
    void on_acquire(wsgi::OsThreadId, std::chrono::nanoseconds waited) override {
        trace::ev::GilAcquire{.waited_ns = waited.count()}.emit();
    }
    void on_release(wsgi::OsThreadId, wsgi::GilRelease reason) override {
        trace::ev::GilRelease{.reason = reason}.emit();  // wsgi::GilRelease: 0 let go, 1 forced, 2 at the gate
    }
};

}  // namespace minicorn::process
