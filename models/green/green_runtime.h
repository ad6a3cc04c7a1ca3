// models/green/green_runtime.h — the simulated Python runtime inside a
// monkey-patched green worker (gevent, eventlet).
//
// All greenlets share one OS thread, which holds the GIL throughout. Patched
// calls park only the calling greenlet: sleep() goes to the hub. Unpatched
// ones do not yield: block() and hang() block the OS thread, cpu() never
// yields — so every other greenlet, the heartbeat loop included, stands still.
//
// The asyncio worker uses it too (its tasks are greenlets on the hub), with
// one difference: nothing is monkey-patched there, so a view's thread pool
// has real OS threads (see thread_pool()).
//
// Thread affinity: the worker's main thread (every greenlet runs there).
// Ownership: does not own the Gil; the Gil must outlive it.
#pragma once

#include <functional>

#include "engine/wsgi/gil.h"
#include "engine/wsgi/runtime.h"

namespace minicorn::models {

class GreenRuntime final : public wsgi::Runtime {
public:
    // `style`: Plain for gevent and eventlet (WSGI views, monkey-patched),
    // Coroutine for asyncio (ASGI views, nothing patched).
    GreenRuntime(wsgi::Gil& gil, wsgi::ViewStyle style, std::function<void()> check_signals)
        : gil_(gil), style_(style), check_signals_(std::move(check_signals)) {}

    void sleep(wsgi::Millis ms) override;  // patched time.sleep: parks the greenlet
    void block(wsgi::Millis ms) override;  // an unpatched C call: the whole hub waits
    void db(wsgi::Millis ms) override;     // a patched socket round trip: parks the greenlet
    void db_on(const wsgi::DbConnection& conn, wsgi::Millis ms) override;  // parks only if conn is patched
    void cpu(wsgi::Millis ms) override;    // never yields
    [[noreturn]] void hang() override;     // blocks the thread for good
    wsgi::ViewStyle view_style() const override { return style_; }
    // A greenlet per task (gevent.spawn + joinall; asyncio.gather): green_group.h.
    void spawn_all(std::span<const wsgi::Task> tasks) override;
    // Monkey-patched threading: the pool's "threads" are greenlets (spawn_all).
    // asyncio: real OS threads, and the loop waits for them (app_threads.h).
    void thread_pool(std::span<const wsgi::Task> tasks) override;
    void check_signals() override;

private:
    wsgi::Gil& gil_;
    wsgi::ViewStyle style_;
    std::function<void()> check_signals_;
    volatile unsigned long sink_ = 0;
};

}  // namespace minicorn::models
