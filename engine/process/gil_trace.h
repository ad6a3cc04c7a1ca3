// engine/process/gil_trace.h — reports the simulated GIL's hand-offs to the
// trace: GilWait, GilAcquire, GilRelease, each emitted by the thread concerned.
//
// Thread affinity: called by the Gil from any thread, outside its lock.
#pragma once

#include "engine/trace/emit.h"
#include "engine/wsgi/gil.h"

namespace minicorn::process {

class GilTracer final : public wsgi::GilObserver {
public:
    void on_wait(wsgi::OsThreadId, wsgi::OsThreadId holder) override {
        trace::emit(trace::EventKind::GilWait, 0, 0, holder);
    }
    void on_acquire(wsgi::OsThreadId, std::chrono::nanoseconds waited) override {
        trace::emit(trace::EventKind::GilAcquire, 0, 0, waited.count());
    }
    void on_release(wsgi::OsThreadId, wsgi::GilRelease reason) override {
        trace::emit(trace::EventKind::GilRelease, 0, 0, static_cast<std::int64_t>(reason));
    }
};

}  // namespace minicorn::process
