// [process][trace][gate] One clock, the graceful timeouts: the master's
// graceful_timeout (TERM → wait → KILL) and gthread's wait for its pool on a
// graceful stop are engine time, which stands still while the trace's gate is
// closed (not gated mode: nothing waits for tokens, only time stops). With the
// gate closed a request that never ends keeps its worker alive past the
// timeout; once the gate opens, the timeout runs again and fires.
#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include <future>

#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;

namespace {

constexpr int kGracefulS = 1;

// Starts a request that never returns (/hang) and waits until it is in the worker.
std::future<HttpReply> start_hanging_request(int port) {
    auto reply = std::async(std::launch::async, [port] { return get_close(port, "/hang", 20s); });
    ::usleep(300'000);
    return reply;
}

}  // namespace

TEST_CASE("with the gate closed the master's graceful timeout does not fire; it fires once the gate opens",
          "[process][trace][gate]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "--graceful-timeout", std::to_string(kGracefulS)});
        REQUIRE(ts.server().wait_for_workers(1, 10s));
        const pid_t worker = ts.server().worker_pids().front();
        auto hung = start_hanging_request(ts.server().port());

        ts.gate().close();
        ts.server().signal(SIGTERM);
        // Three graceful timeouts of wall time: the master still waits for its worker.
        CHECK_FALSE(ts.server().wait_exit(Seconds(3 * kGracefulS)).has_value());
        CHECK_FALSE(process_gone(worker));

        ts.gate().open();
        // Now the timeout runs: the worker is killed, the master exits.
        CHECK(ts.server().wait_exit(Seconds(kGracefulS + 3)) == 0);
        CHECK(process_gone(worker));
        CHECK_FALSE(hung.get().got_response);
        ts.stop();
    }
}

TEST_CASE("with the gate closed gthread's graceful wait for its pool does not end; it ends once the gate opens",
          "[process][trace][gate][gthread]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "gthread", "--threads", "2", "--graceful-timeout",
                         std::to_string(kGracefulS)});
        REQUIRE(ts.server().wait_for_workers(1, 10s));
        const pid_t worker = ts.server().worker_pids().front();
        auto hung = start_hanging_request(ts.server().port());

        // TERM to the worker alone: its own graceful stop waits for the pool,
        // the master is not stopping.
        ts.gate().close();
        ::kill(worker, SIGTERM);
        ::usleep(3 * kGracefulS * 1'000'000);
        CHECK_FALSE(process_gone(worker));

        ts.gate().open();
        // The wait ends after graceful_timeout; the worker exits and the master boots another.
        CHECK(ts.server().wait_for_log("Worker exiting (pid: " + std::to_string(worker) + ")", Seconds(kGracefulS + 3)));
        // "Worker exiting" comes before the exit and the master's reap: wait
        // until the master lists one worker and it is not the old one.
        auto replaced = [&] {
            auto pids = ts.server().worker_pids();
            return pids.size() == 1 && pids.front() != worker;
        };
        for (int i = 0; i < 500 && !replaced(); ++i) ::usleep(20'000);
        CHECK(replaced());
        CHECK(ts.server().wait_for_workers(1, 10s));
        CHECK_FALSE(hung.get().got_response);
        ts.stop();
    }
}
