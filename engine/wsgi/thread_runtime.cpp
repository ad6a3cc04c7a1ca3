#include "engine/wsgi/thread_runtime.h"

#include "engine/wsgi/app.h"
#include "engine/wsgi/app_threads.h"
#include "engine/wsgi/app_module.h"
#include "engine/wsgi/db_backend.h"
#include "engine/trace/emit.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <utility>

namespace minicorn::wsgi {

namespace {

// Iterations of arithmetic between two eval-breaker checks: ~0.1 ms optimised,
// ~0.3 ms in a Debug + sanitizer build (measured) — either way well below the
// 5 ms switch interval, so a drop request is honoured promptly, as CPython's
// every-few-bytecodes check is.
constexpr int kSliceIterations = 1 << 15;

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        std::fprintf(stderr, "minicorn: clock_gettime(CLOCK_THREAD_CPUTIME_ID): %s\n",
                     std::strerror(errno));
        std::abort();
    }
    return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
}

// xorshift64*: each step depends on the last and has no closed form, so the
// optimiser can neither fold the loop away nor shorten it.
std::uint64_t burn_slice(std::uint64_t state) {
    for (int i = 0; i < kSliceIterations; ++i) {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state *= 0x2545F4914F6CDD1DULL;
    }
    return state;
}

}  // namespace

ThreadRuntime::ThreadRuntime(Gil& gil, std::function<void()> check_signals)
    : gil_(gil), check_signals_(std::move(check_signals)) {}

void ThreadRuntime::require_gil(const char* call) const {
    if (gil_.held_by_current_thread()) return;
    std::fprintf(stderr,
                 "minicorn: ThreadRuntime::%s called by thread %d without the GIL — the worker "
                 "must take it (Gil::Held) before calling the application\n",
                 call, static_cast<int>(current_thread_id()));
    std::abort();
}

void ThreadRuntime::sleep(Millis ms) {
    require_gil("sleep()");
    std::int64_t left = std::chrono::nanoseconds(ms).count();
    for (;;) {
        bool slept;
        {
            Gil::Released released(gil_);
            slept = trace::sleep_engine_for(left);
        }
        if (slept) return;
        // time.sleep() in CPython: run the handlers (with the GIL), then sleep
        // the rest — unless a handler raised.
        check_signals();
    }
}

void ThreadRuntime::block(Millis ms) { sleep(ms); }

void ThreadRuntime::cpu(Millis ms) {
    require_gil("cpu()");
    const std::chrono::nanoseconds budget = ms;
    const auto start = thread_cpu_time();
    auto state = static_cast<std::uint64_t>(start.count()) | 1u;  // never 0: xorshift's fixed point
    while (thread_cpu_time() - start < budget) {
        state = burn_slice(state);
        trace::wait_while_paused();
        gil_.yield_if_requested();
        check_signals();
    }
    sink_ = state;
}

void ThreadRuntime::hang() {
    require_gil("hang()");
    for (;;) {
        {
            Gil::Released released(gil_);
            pause();
        }
        check_signals();
    }
}

void ThreadRuntime::spawn_all(std::span<const Task> tasks) {
    require_gil("spawn_all()");
    std::exception_ptr first;
    for (const Task& task : tasks) {
        try {
            task(*this);
        } catch (...) {
            if (!first) first = std::current_exception();
        }
    }
    if (first) std::rethrow_exception(first);
}

void ThreadRuntime::thread_pool(std::span<const Task> tasks) {
    require_gil("thread_pool()");
    run_on_app_threads(gil_, tasks);
}

void ThreadRuntime::check_signals() {
    if (check_signals_) check_signals_();
}

void ThreadRuntime::db(Millis ms) {
    require_gil("db");
    std::string error;
    bool ok;
    {
        Gil::Released released(gil_);
        ok = db_query_blocking(static_cast<std::uint32_t>(ms.count()), &error);
    }
    if (!ok) throw AppError(error);
}

// A thread waits on the shared connection with the GIL released, as any
// blocking socket call in CPython; a signal's handlers run with it held.
void ThreadRuntime::db_on(const DbConnection& conn, Millis ms) {
    require_gil("db_on");
    std::string error;
    bool ok;
    {
        Gil::Released released(gil_);
        ok = db_query_on(conn.fd, static_cast<std::uint32_t>(ms.count()), [this] {
            Gil::Held held(gil_);
            check_signals();
        }, &error);
    }
    if (!ok) throw AppError(error);
}

}  // namespace minicorn::wsgi
