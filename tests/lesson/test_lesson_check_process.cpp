// tests/lesson/test_lesson_check_process.cpp — lessons run on a real engine:
// the measures read what the engine did, a claim that does not hold fails
// with a message naming it, named requests are joined to the server's side,
// and `minicorn lesson` behaves as a command.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/lesson/catalogue.h"
#include "engine/lesson/check.h"
#include "engine/lesson/child_engine.h"
#include "engine/lesson/parse.h"
#include "engine/lesson/runner.h"
#include "engine/lesson/vocabulary.h"
#include "tests/support/leak_check.h"
#include "tests/support/run_minicorn.h"

using namespace minicorn;
using namespace minicorn::lesson;

namespace {

Lesson parsed(const std::string& text) {
    ParseResult r = parse_lesson(text, "tests/inline.lesson");
    INFO((r.errors.empty() ? "" : r.errors.front()));
    REQUIRE(r.lesson);
    return *r.lesson;
}

const char* kSync = R"(title: sync measures
serve: -k sync -w 1 -t 30
step: A runs, B waits in the kernel
do: A = GET /io?ms=1000
do: sleep 0.2s
do: B = GET /
pause_when: running(A) and waiting(B) and state(worker 1) == handling and accept_queue >= 1 within 3s
wait: finished(A) and finished(B) within 5s
expect: status(A) == 200
expect: latency(A) >= 0.9s
expect: latency(B) >= 0.6s
expect: worker_of(B) == 1
expect: max_concurrent(handler, worker 1) == 1
expect: workers == 1
expect: log_contains("Using worker: sync")
expect: booted(worker 1)
expect: not dropped(A)
expect: timeouts == 0
expect: not worker_timeout(worker 1)
expect: not hub_blocked(worker 1)
expect: heartbeats_during(A) == 0
)";

std::string figures_of(const CheckResult& r) {
    std::string s = r.error + r.failure + " | " + r.figures;
    return s;
}

}  // namespace

TEST_CASE("lesson check: the measures read what a sync worker did", "[lesson][process]") {
    testing::LeakCheck leaks;
    CheckResult r = check_lesson(parsed(kSync), MINICORN_BIN);
    INFO(figures_of(r));
    CHECK(r.passed);
    CHECK(r.figures.find("state(worker 1) = handling") != std::string::npos);
    CHECK(r.figures.find("max_concurrent(handler, worker 1) = 1") != std::string::npos);
}

TEST_CASE("lesson check: a claim that does not hold fails, naming the claim and the figure", "[lesson][process]") {
    testing::LeakCheck leaks;
    const char* text = R"(title: wrong on purpose
serve: -k gthread -w 1 --threads 2 -t 30
step: s
do: A = GET /io?ms=1000
do: B = GET /io?ms=1000
wait: finished(A) and finished(B) within 5s
expect: latency(B) >= 1.8s
)";
    CheckResult r = check_lesson(parsed(text), MINICORN_BIN);
    CHECK_FALSE(r.passed);
    INFO(r.failure);
    CHECK(r.failure.starts_with("step 1 (tests/inline.lesson:7): expect `latency(B) >= 1.8s` did not hold — latency(B) = 1."));
}

TEST_CASE("lesson check: a question whose measured answer is not the expected one fails", "[lesson][process]") {
    testing::LeakCheck leaks;
    const char* text = R"(title: wrong answer
serve: -k gevent -w 1 -t 30
step: s
ask: Do three patched sleeps of 1 s take 3 s?
measure: latency(C)
choice: no, about 1 s | < 1.5s
choice: yes, about 3 s | >= 2.5s
expected: b
do: A = GET /io?ms=1000
do: B = GET /io?ms=1000
do: C = GET /io?ms=1000
wait: finished(C) within 5s
)";
    CheckResult r = check_lesson(parsed(text), MINICORN_BIN);
    CHECK_FALSE(r.passed);
    INFO(r.failure);
    CHECK(r.failure.find("ask `Do three patched sleeps") != std::string::npos);
    CHECK(r.failure.find("measured a, expected b") != std::string::npos);
}

TEST_CASE("a wait that never holds fails at its time limit", "[lesson][process]") {
    testing::LeakCheck leaks;
    const char* text = R"(title: never
serve: -k sync -w 1 -t 30
step: s
do: A = GET /io?ms=3000
wait: finished(A) within 0.5s
)";
    CheckResult r = check_lesson(parsed(text), MINICORN_BIN);
    CHECK_FALSE(r.passed);
    CHECK(r.failure.find("wait `finished(A)` did not hold — did not hold within 0.5 s: at the end finished(A) = no") !=
          std::string::npos);
}

TEST_CASE("named requests: the runner's X-Request-Id table names what the trace joined", "[lesson][process]") {
    testing::LeakCheck leaks;
    const char* text = R"(title: names
serve: -k sync -w 1 -t 30
step: s
do: Alpha = GET /
do: Beta = GET /io?ms=100
wait: finished(Alpha) and finished(Beta) within 5s
)";
    Lesson l = parsed(text);
    ChildEngine engine(MINICORN_BIN);
    std::string error;
    REQUIRE(engine.start(l.serve_args, &error));
    {
        Runner runner(l, engine);
        runner.start_step(0);
        for (int i = 0; i < 800 && runner.tick() != StepPhase::Done && runner.phase() != StepPhase::Failed; ++i) {
            ::usleep(10'000);
        }
        REQUIRE(runner.phase() == StepPhase::Done);
        // The client may hear the last response before the trace of its
        // request is collected (the collector's holdback): give it a moment.
        for (int i = 0; i < 30; ++i) {
            runner.tick();
            ::usleep(10'000);
        }
        const auto names = runner.request_names();
        REQUIRE(names.size() == 2);
        std::set<std::string> tagged;
        for (const trace::Event& e : runner.recording().events()) {
            if (e.kind != trace::EventKind::RequestTagged) continue;
            auto it = names.find(static_cast<std::uint64_t>(e.a0));
            if (it != names.end()) tagged.insert(it->second);
        }
        CHECK(tagged == std::set<std::string>{"Alpha", "Beta"});
        runner.stop_requests();
    }
    engine.stop();
}

TEST_CASE("every measure of the vocabulary is used by a checked lesson or a test here", "[lesson]") {
    std::string all = kSync;
    for (const std::string& f : lesson_files(lessons_dir(""))) {
        std::ifstream in(f);
        all += std::string(std::istreambuf_iterator<char>(in), {});
    }
    for (const MeasureDef& m : measures()) {
        INFO(m.name);
        CHECK(all.find(std::string(m.name)) != std::string::npos);
    }
}

TEST_CASE("minicorn lesson: check passes a lesson and prints its figures; list and errors", "[lesson][process]") {
    testing::LeakCheck leaks;
    testing::Run ok = testing::run_minicorn("lesson check 11");
    INFO(ok.output);
    CHECK(ok.status == 0);
    CHECK(ok.output.find("PASS 11-gthread-executor-queue (") != std::string::npos);
    CHECK(ok.output.find("pool_queue(worker 1) = ") != std::string::npos);

    testing::Run list = testing::run_minicorn("lesson list");
    CHECK(list.status == 0);
    CHECK(list.output.find("01  One request at a time: the sync worker") != std::string::npos);
    CHECK(list.output.find("24  Which worker should I pick?\n    models: sync, gevent") != std::string::npos);
    CHECK(list.output.find("not written yet") == std::string::npos);  // every lesson of the catalogue is written

    const std::string dir = "/tmp/minicorn-lesson-test-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/50-bad.lesson") << "title: bad\nserve: -k sync\nstep: s\nwiat: finished(A)\n";
    testing::Run bad = testing::run_minicorn("lesson check --all --dir " + dir);
    CHECK(bad.status == 1);
    CHECK(bad.output.find(dir + "/50-bad.lesson:4: unknown field 'wiat'") != std::string::npos);
    std::filesystem::remove_all(dir);
}
