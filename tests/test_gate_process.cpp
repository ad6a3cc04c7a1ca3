// [process] tests of the step gate on real processes: a paused client is as
// frozen as the server (it does not time out), no thread holds the GIL while
// it waits at the gate, and steps aimed at one worker leave the other frozen.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <catch2/catch.hpp>
#include <string>

#include "engine/trace/model.h"
#include "tests/support/leak_check.h"
#include "tests/support/load_process.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::ClientErrorKind;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::GateTarget;
using minicorn::trace::Recording;

namespace {

std::string url(int port, const std::string& path) { return "http://127.0.0.1:" + std::to_string(port) + path; }

std::size_t booted(const Recording& r) { return count_of(r, EventKind::WorkerBooted); }

std::size_t client_timeouts(const Recording& r) {
    std::size_t n = 0;
    for (const Event& e : events_of(r, EventKind::ClientError)) n += e.a0 == static_cast<std::int64_t>(ClientErrorKind::Timeout);
    return n;
}

// Events of `pid` (every pid if 0) stamped at or after `from_ns`, gated ones only if asked.
std::size_t events_since(const Recording& r, std::uint64_t from_ns, pid_t pid, bool gated_only = false) {
    return static_cast<std::size_t>(std::count_if(r.events().begin(), r.events().end(), [&](const Event& e) {
        return e.t_ns >= from_ns && (pid == 0 || e.pid == pid) && (!gated_only || minicorn::trace::is_gated(e.kind));
    }));
}

// Closes the gate and waits until every thread has reached it (nothing new for a while).
void pause_and_settle(TracedServer& ts) {
    ts.gate().set_gated_mode(true);
    ts.gate().close();
    ::usleep(800'000);
    ts.drain();
    ::usleep(200'000);
    ts.flush();
}

// Starts `minicorn load` against `ts` with `users` virtual users on `path` (/io?ms=20),
// waits for `done` answers, then pauses until everyone is at the gate.
std::unique_ptr<LoadProcess> traffic_then_pause(TracedServer& ts, const char* users, std::size_t done,
                                               const char* path = "/io?ms=20") {
    auto load = std::make_unique<LoadProcess>(
        std::vector<std::string>{url(ts.server().port(), path), "-c", users, "-d", "60", "--quiet"}, ts.region_fd());
    REQUIRE(ts.wait_until([&](const Recording& r) { return count_of(r, EventKind::ClientDone) >= done; }, 10s));
    pause_and_settle(ts);
    return load;
}

// Opens the gate, kills the client and stops the server.
void finish(TracedServer& ts, LoadProcess& load) {
    ts.gate().set_target({});
    ts.gate().open();
    load.signal(SIGKILL);
    load.wait_exit(5s);
    ts.stop();
}

}  // namespace

TEST_CASE("a paused client is frozen: it does not time out, and its requests go on when the gate opens",
          "[process][trace][gate]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted(r) == 1; }, 10s));
        // A 2 s client timeout, paused for 5 s: a client on its own clock would give up and reconnect.
        LoadProcess load({url(ts.server().port(), "/io?ms=50"), "-c", "1", "-d", "60", "--timeout", "2", "--quiet"},
                         ts.region_fd());
        REQUIRE(ts.wait_until([](const Recording& r) { return count_of(r, EventKind::ClientDone) >= 3; }, 10s));
        pause_and_settle(ts);
        const std::uint64_t settled_ns = minicorn::trace::now_ns();
        const std::size_t done_before = count_of(ts.recording(), EventKind::ClientDone);
        ::usleep(5'000'000);
        ts.drain();
        ::usleep(150'000);
        ts.flush();
        CHECK(events_since(ts.recording(), settled_ns, load.pid()) == 0);  // the client did nothing at all
        CHECK(events_since(ts.recording(), settled_ns, 0, /*gated_only=*/true) == 0);
        CHECK(client_timeouts(ts.recording()) == 0);
        CHECK(count_of(ts.recording(), EventKind::GateClose) == 1);

        ts.gate().open();
        REQUIRE(ts.wait_until([&](const Recording& r) { return count_of(r, EventKind::ClientDone) >= done_before + 3; }, 10s));
        CHECK(client_timeouts(ts.recording()) == 0);
        CHECK(count_of(ts.recording(), EventKind::ClientError) == 0);
        CHECK(count_of(ts.recording(), EventKind::GateOpen) == 1);
        // The World leaves the pause out: the worker's uptime in engine time is ~5 s shorter.
        minicorn::trace::World w = minicorn::trace::TraceModel::fold(ts.recording().events());
        CHECK(w.gate.spans.size() == 1);
        CHECK(w.gate.paused_between(0, w.now_ns) > 4'500'000'000ULL);
        finish(ts, load);
    }
}

TEST_CASE("no gthread thread holds the GIL while it waits at the closed gate, so a step can run a pool thread",
          "[process][trace][gate]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-k", "gthread", "-w", "1", "--threads", "4"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted(r) == 1; }, 10s));
        // CPU work: a pool thread computing holds the GIL and meets the gate
        // between two slices of its work, so it lets the GIL go there. (Hello
        // was not enough: its threads mostly meet the gate in recv or send,
        // where they hold no GIL, and 1 run in 4 saw no release at the gate.)
        auto load = traffic_then_pause(ts, "8", 10, "/cpu?ms=5");
        const pid_t worker = ts.server().worker_pids().at(0);
        minicorn::trace::World w = minicorn::trace::TraceModel::fold(ts.recording().events());
        const minicorn::trace::Process* p = w.process(worker);
        REQUIRE(p);
        CHECK(p->gil.holder == 0);  // the main thread waits at the gate without it
        CHECK(ts.gate().waiting() >= 2);
        bool released_at_gate = false;
        for (const Event& e : events_of(ts.recording(), EventKind::GilRelease, worker)) released_at_gate |= e.a0 == 2;
        CHECK(released_at_gate);

        // Steps reach the pool threads: a handler starts within a few of them.
        const std::size_t handlers = count_of(ts.recording(), EventKind::HandlerStart, worker);
        // Five threads compete for each step (the main thread and four pool threads), so allow plenty.
        for (int i = 0; i < 60 && count_of(ts.recording(), EventKind::HandlerStart, worker) == handlers; ++i) {
            const std::uint64_t passed = ts.gate().passed();
            ts.gate().step(1);
            REQUIRE(ts.wait_until([&](const Recording&) { return ts.gate().passed() > passed; }, 5s));
            ::usleep(150'000);
            ts.flush();
        }
        CHECK(count_of(ts.recording(), EventKind::HandlerStart, worker) > handlers);
        finish(ts, *load);
    }
}

TEST_CASE("steps aimed at one gthread worker move its requests through a pool thread; the other worker stays frozen",
          "[process][trace][gate]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-k", "gthread", "-w", "2", "--threads", "4"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted(r) == 2; }, 10s));
        auto load = traffic_then_pause(ts, "16", 20);
        const std::vector<pid_t> workers = ts.server().worker_pids();
        REQUIRE(workers.size() == 2);
        // Keep-alive connections may all sit on one worker: step the one that serves most.
        const bool first_busier = count_of(ts.recording(), EventKind::HandlerStart, workers[0]) >=
                                  count_of(ts.recording(), EventKind::HandlerStart, workers[1]);
        const pid_t stepped = first_busier ? workers[0] : workers[1];
        const pid_t frozen = first_busier ? workers[1] : workers[0];
        ts.gate().set_target(GateTarget{stepped, 0, 0});
        const std::uint64_t from_ns = minicorn::trace::now_ns();

        constexpr int kSteps = 24;
        for (int i = 0; i < kSteps; ++i) {
            const std::uint64_t passed = ts.gate().passed();
            ts.gate().step(1);
            REQUIRE(ts.wait_until([&](const Recording&) { return ts.gate().passed() > passed; }, 5s));
            CHECK(ts.gate().last_step().pid == stepped);
        }
        ::usleep(300'000);
        ts.drain();
        ::usleep(150'000);
        ts.flush();
        const Recording& rec = ts.recording();
        CHECK(events_since(rec, from_ns, stepped, /*gated_only=*/true) == kSteps);
        CHECK(events_since(rec, from_ns, frozen) == 0);  // not one event: frozen
        // The stepped worker's requests went through its pool threads.
        std::size_t pool_handlers = 0;
        for (const Event& e : events_of(rec, EventKind::HandlerStart, stepped)) pool_handlers += e.t_ns >= from_ns && e.tid != stepped;
        CHECK(pool_handlers >= 1);

        finish(ts, *load);
    }
}
