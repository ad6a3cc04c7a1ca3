// ThreadRuntime and signals: what happens to a request's sleep, computation or
// hang when the worker is signalled (the master's SIGABRT on a timeout, say).
// Signals are sent to one thread with pthread_kill, to a SIGUSR1 handler that
// only counts, as the worker's handlers only note the signal.
#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "engine/wsgi/gil.h"
#include "engine/wsgi/thread_runtime.h"

namespace wsgi = minicorn::wsgi;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<int> g_signals_caught{0};
extern "C" void count_signal(int) { g_signals_caught.fetch_add(1); }

// Installs count_signal for SIGUSR1 without SA_RESTART, so blocking calls
// return EINTR; puts the old disposition back at the end.
class ScopedSignalHandler {
public:
    ScopedSignalHandler() {
        struct sigaction action {};
        action.sa_handler = count_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;
        REQUIRE(sigaction(SIGUSR1, &action, &previous_) == 0);
    }
    ~ScopedSignalHandler() { sigaction(SIGUSR1, &previous_, nullptr); }
    ScopedSignalHandler(const ScopedSignalHandler&) = delete;
    ScopedSignalHandler& operator=(const ScopedSignalHandler&) = delete;

private:
    struct sigaction previous_ {};
};

struct SystemExit {};  // what the worker's SIGABRT handling raises, in the small

std::chrono::nanoseconds thread_cpu_time() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
}

}  // namespace

TEST_CASE("a signal during sleep runs check_signals with the GIL, then the sleep goes on "
          "for the time that remains",
          "[wsgi][runtime][signal][process]") {
    ScopedSignalHandler handler;
    wsgi::Gil gil;
    std::atomic<bool> sleeping{false};
    std::atomic<int> checks{0};
    std::atomic<bool> checks_had_gil{true};
    Clock::duration slept{};

    std::thread sleeper([&] {
        wsgi::ThreadRuntime runtime(gil, [&] {
            if (!gil.held_by_current_thread()) checks_had_gil = false;
            ++checks;
        });
        wsgi::Gil::Held held(gil);
        sleeping = true;
        const auto start = Clock::now();
        runtime.sleep(400ms);
        slept = Clock::now() - start;
    });
    while (!sleeping.load()) std::this_thread::yield();
    std::this_thread::sleep_for(60ms);
    pthread_kill(sleeper.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(100ms);
    pthread_kill(sleeper.native_handle(), SIGUSR1);
    sleeper.join();

    CHECK(checks.load() >= 1);
    CHECK(checks_had_gil.load());
    CHECK(slept >= 400ms);  // interrupted twice, still the full sleep
}

TEST_CASE("check_signals raising during sleep ends it early, with the GIL held again",
          "[wsgi][runtime][signal][process]") {
    ScopedSignalHandler handler;
    wsgi::Gil gil;
    std::atomic<bool> sleeping{false};
    std::atomic<bool> exited{false};
    std::atomic<bool> held_after{false};
    Clock::duration slept{};

    std::thread sleeper([&] {
        wsgi::ThreadRuntime runtime(gil, [] { throw SystemExit{}; });
        wsgi::Gil::Held held(gil);
        sleeping = true;
        const auto start = Clock::now();
        try {
            runtime.sleep(10s);
        } catch (const SystemExit&) {
            exited = true;
        }
        slept = Clock::now() - start;
        held_after = gil.held_by_current_thread();
    });
    while (!sleeping.load()) std::this_thread::yield();
    // Repeat in case the first signal lands before the thread is in nanosleep.
    const auto deadline = Clock::now() + 5s;
    while (!exited.load() && Clock::now() < deadline) {
        pthread_kill(sleeper.native_handle(), SIGUSR1);
        std::this_thread::sleep_for(20ms);
    }
    sleeper.join();

    CHECK(exited.load());
    CHECK(slept < 5s);
    CHECK(held_after.load());
}

TEST_CASE("cpu runs check_signals between slices; when it raises the computation stops, "
          "GIL still held",
          "[wsgi][runtime]") {
    wsgi::Gil gil;
    int checks = 0;
    wsgi::ThreadRuntime runtime(gil, [&] {
        if (++checks == 3) throw SystemExit{};
    });
    wsgi::Gil::Held held(gil);
    const auto start = Clock::now();
    CHECK_THROWS_AS(runtime.cpu(10s), SystemExit);
    CHECK(Clock::now() - start < 5s);
    CHECK(checks == 3);
    CHECK(gil.held_by_current_thread());
}

TEST_CASE("cpu burns the thread's own CPU time, not wall time", "[wsgi][runtime]") {
    wsgi::Gil gil;
    wsgi::ThreadRuntime runtime(gil, {});
    wsgi::Gil::Held held(gil);
    const auto cpu_before = thread_cpu_time();
    const auto wall_before = Clock::now();
    runtime.cpu(60ms);
    const auto cpu_used = thread_cpu_time() - cpu_before;
    CHECK(cpu_used >= 60ms);
    CHECK(Clock::now() - wall_before >= cpu_used);
}

TEST_CASE("a hung request waits without the GIL and runs check_signals after every signal",
          "[wsgi][runtime][signal][process]") {
    ScopedSignalHandler handler;
    wsgi::Gil gil;
    std::atomic<bool> hanging{false};
    std::atomic<int> checks{0};
    std::atomic<bool> checks_had_gil{true};
    std::atomic<bool> exited{false};

    std::thread hung([&] {
        wsgi::ThreadRuntime runtime(gil, [&] {
            if (!gil.held_by_current_thread()) checks_had_gil = false;
            if (++checks == 2) throw SystemExit{};
        });
        wsgi::Gil::Held held(gil);
        hanging = true;
        try {
            runtime.hang();
        } catch (const SystemExit&) {
            exited = true;
        }
    });
    while (!hanging.load()) std::this_thread::yield();

    // The main thread can still run Python code (gthread's heartbeat goes on).
    auto deadline = Clock::now() + 5s;
    while (gil.holder() != std::nullopt && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    CHECK(gil.holder() == std::nullopt);
    {
        wsgi::Gil::Held held(gil);
        CHECK(gil.holder() == wsgi::current_thread_id());
    }

    deadline = Clock::now() + 5s;
    while (!exited.load() && Clock::now() < deadline) {
        pthread_kill(hung.native_handle(), SIGUSR1);
        std::this_thread::sleep_for(20ms);
    }
    hung.join();
    CHECK(exited.load());
    CHECK(checks.load() == 2);
    CHECK(checks_had_gil.load());
}
