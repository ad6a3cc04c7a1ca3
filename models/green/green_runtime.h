// models/green/green_runtime.h — the simulated Python runtime inside a
// monkey-patched green worker (gevent, eventlet).
//
// All greenlets share one OS thread, which holds the GIL throughout. Patched
// calls park only the calling greenlet: sleep() goes to the hub. Unpatched
// ones do not yield: block() and hang() block the OS thread, cpu() never
// yields — so every other greenlet, the heartbeat loop included, stands still.
//
// Thread affinity: the worker's main thread (every greenlet runs there).
#pragma once

#include <functional>

#include "engine/wsgi/runtime.h"

namespace minicorn::models {

class GreenRuntime final : public wsgi::Runtime {
public:
    explicit GreenRuntime(std::function<void()> check_signals) : check_signals_(std::move(check_signals)) {}

    void sleep(wsgi::Millis ms) override;  // patched time.sleep: parks the greenlet
    void block(wsgi::Millis ms) override;  // an unpatched C call: the whole hub waits
    void db(wsgi::Millis ms) override;     // a patched socket round trip: parks the greenlet
    void db_on(const wsgi::DbConnection& conn, wsgi::Millis ms) override;  // parks only if conn is patched
    void cpu(wsgi::Millis ms) override;    // never yields
    [[noreturn]] void hang() override;     // blocks the thread for good
    void check_signals() override;

private:
    std::function<void()> check_signals_;
    volatile unsigned long sink_ = 0;
};

}  // namespace minicorn::models
