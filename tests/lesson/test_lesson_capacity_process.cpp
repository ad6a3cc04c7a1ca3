// tests/lesson/test_lesson_capacity_process.cpp — the capacity measures
// (measures_capacity.cpp) on a real engine: each one tells apart the two
// settings a lesson compares (the GIL on and off, keep-alive kept or closed,
// a pool thread busy or idle, workers restarting together or not).
#include <catch2/catch.hpp>

#include "engine/lesson/check.h"
#include "engine/lesson/parse.h"
#include "tests/support/leak_check.h"

using namespace minicorn;
using namespace minicorn::lesson;

namespace {

CheckResult check_text(const char* text) {
    ParseResult r = parse_lesson(text, "tests/inline.lesson");
    INFO((r.errors.empty() ? "" : r.errors.front()));
    REQUIRE(r.lesson);
    return check_lesson(*r.lesson, MINICORN_BIN);
}

}  // namespace

TEST_CASE("gil_wait: threads computing at once wait for the GIL, and never with --gil off", "[lesson][process]") {
    testing::LeakCheck leaks;
    CheckResult r = check_text(R"(title: gil
serve: -k gthread -w 1 --threads 2 -t 30
step: on
do: A = GET /cpu?ms=300
do: B = GET /cpu?ms=300
wait: finished(A) and finished(B) within 15s
expect: gil_wait(worker 1) >= 0.1s
step: off
do: restart -k gthread -w 1 --threads 2 -t 30 --gil off
do: C = GET /cpu?ms=300
do: D = GET /cpu?ms=300
wait: finished(C) and finished(D) within 15s
expect: gil_wait(worker 1) == 0s
)");
    INFO(r.error << r.failure << " | " << r.figures);
    CHECK(r.passed);
}

TEST_CASE("kept_alive, closed, busy_threads: gthread keeps connections, sync closes every one", "[lesson][process]") {
    testing::LeakCheck leaks;
    CheckResult r = check_text(R"(title: keep-alive
serve: -k gthread -w 1 --threads 1 -t 30
step: gthread keeps them
do: load -c 2 --mix /io?ms=50 -d 30s
do: sleep 1.5s
expect: client_requests >= 4
expect: kept_alive(worker 1) >= 4
expect: closed(worker 1) == 0
step: a busy thread
do: load stop
do: A = GET /io?ms=2000
pause_when: running(A) and busy_threads(worker 1) == 1 within 3s
wait: finished(A) within 5s
expect: busy_threads(worker 1) == 0
step: sync closes them
do: restart -k sync -w 1 -t 30
do: load -c 2 --mix /io?ms=50 -d 30s
do: sleep 1.5s
expect: client_requests >= 4
expect: kept_alive(worker 1) == 0
expect: closed(worker 1) >= 4
)");
    INFO(r.error << r.failure << " | " << r.figures);
    CHECK(r.passed);
}

TEST_CASE("restart_spread: known once every first worker restarted, near zero without jitter", "[lesson][process]") {
    testing::LeakCheck leaks;
    CheckResult r = check_text(R"(title: restarts
serve: -k sync -w 2 --max-requests 5 -t 30
step: restarts
do: load -c 2 --mix /io?ms=50 -d 30s
wait: restart_spread >= 0s and booted(worker 4) within 10s
expect: restart_spread < 1s
)");
    INFO(r.error << r.failure << " | " << r.figures);
    CHECK(r.passed);
}
