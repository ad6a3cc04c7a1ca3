// [process][trace] The event loops as the trace shows them: a real tornado or
// asyncio server is recorded, and TraceModel's World is read at chosen
// instants — the loop's phase, its ready callbacks, its timers, its poll list.
#include <algorithm>
#include <catch2/catch.hpp>
#include <future>
#include <string>
#include <vector>

#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "engine/trace/model.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::LoopCallback;
using minicorn::trace::LoopPhaseId;
using minicorn::trace::Recording;
using minicorn::trace::TraceModel;
using minicorn::trace::World;

namespace {

constexpr std::uint64_t kMs = 1'000'000;

pid_t booted_worker(const Recording& rec) {
    auto boots = events_of(rec, EventKind::WorkerBooted);
    return boots.empty() ? 0 : boots.front().pid;
}

std::vector<Event> between(const Recording& rec, EventKind kind, pid_t pid, std::uint64_t from, std::uint64_t to) {
    std::vector<Event> out;
    for (const Event& e : events_of(rec, kind, pid)) {
        if (e.t_ns > from && e.t_ns < to) out.push_back(e);
    }
    return out;
}

// The recording, exported for Perfetto: within its import rules, and each
// loop phase a slice (a "B" named after the numbered phase).
void check_export(const Recording& rec) {
    std::string json = minicorn::trace::export_chrome_json(rec);
    std::vector<std::string> problems = minicorn::trace::check_trace_json(json);
    INFO((problems.empty() ? std::string() : problems.front()));
    CHECK(problems.empty());
    for (const char* phase : {"1 timers", "2 callbacks", "3 poll", "4 dispatch"}) {
        INFO(phase);
        CHECK(json.find(std::string(R"({"name":")") + phase + R"(","cat":"loop","ph":"B")") != std::string::npos);
    }
}

}  // namespace

TEST_CASE("tornado's IOLoop in the World: timers, callbacks, poll, dispatch in order; the watchdog every second; the "
          "listener in the poll list",
          "[process][tornado][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "tornado"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_worker(r) != 0; }, 5s));
        CHECK(get_close(ts.server().port(), "/").status == 200);
        ::usleep(3'300'000);  // idle: the PeriodicCallbacks tick three times
        ts.stop();
        const Recording& rec = ts.recording();
        const pid_t worker = booted_worker(rec);

        // Every iteration passes through the four phases, in their order.
        std::vector<Event> phases = events_of(rec, EventKind::LoopPhase, worker);
        REQUIRE(phases.size() > 12);
        for (std::size_t i = 1; i < phases.size(); ++i) {
            INFO("phase event " << i << ": " << phases[i - 1].a0 << " then " << phases[i].a0);
            CHECK(phases[i].a0 == phases[i - 1].a0 % 4 + 1);
        }
        CHECK(phases.front().a0 == static_cast<std::int64_t>(LoopPhaseId::Timers));

        // The watchdog PeriodicCallback is the first timer armed; idle, it
        // falls due about every 1000 ms and runs as a Watchdog callback.
        std::vector<Event> adds = events_of(rec, EventKind::TimerAdd, worker);
        REQUIRE(!adds.empty());
        const std::int64_t watchdog = adds.front().a0;
        std::vector<Event> fires;
        for (const Event& e : events_of(rec, EventKind::TimerFire, worker)) {
            if (e.a0 == watchdog) fires.push_back(e);
        }
        REQUIRE(fires.size() >= 3);
        for (std::size_t i = 1; i < fires.size(); ++i) {
            INFO("watchdog tick " << i);
            CHECK(fires[i].t_ns - fires[i - 1].t_ns > 900 * kMs);
            CHECK(fires[i].t_ns - fires[i - 1].t_ns < 1150 * kMs);
        }
        std::vector<Event> runs = events_of(rec, EventKind::CallbackRun, worker);
        CHECK(std::count_if(runs.begin(), runs.end(), [](const Event& e) {
                  return e.a1 == static_cast<std::int64_t>(LoopCallback::Watchdog);
              }) >= static_cast<long>(fires.size()));
        // The request came in as an Accept callback, then a Request callback, both for its connection.
        auto accepted = events_of(rec, EventKind::Accepted, worker);
        REQUIRE(accepted.size() == 1);
        auto for_conn = [&](LoopCallback kind) {
            return std::count_if(runs.begin(), runs.end(), [&](const Event& e) {
                return e.conn == accepted.front().conn && e.a1 == static_cast<std::int64_t>(kind);
            });
        };
        CHECK(for_conn(LoopCallback::Accept) == 1);
        CHECK(for_conn(LoopCallback::Request) == 1);

        // The World, idle in the poll phase between two ticks (before the
        // stop): the watchdog is armed ~1 s ahead, nothing is ready, the
        // listener is polled.
        TraceModel model(rec, 64);
        model.update();
        const Event& last_fire = fires[1];
        World w = model.world_at(last_fire.t_ns + 500 * kMs);
        const minicorn::trace::Process* p = w.process(worker);
        REQUIRE(p != nullptr);
        CHECK(p->loop.seen);
        CHECK(p->loop.phase == LoopPhaseId::Poll);
        CHECK(p->loop.ready_callbacks == 0);
        REQUIRE(p->loop.timers.count(watchdog) == 1);
        const std::int64_t deadline_ns = p->loop.timers.at(watchdog).deadline_ms * static_cast<std::int64_t>(kMs);
        CHECK(deadline_ns > static_cast<std::int64_t>(last_fire.t_ns + 900 * kMs));
        CHECK(deadline_ns < static_cast<std::int64_t>(last_fire.t_ns + 1100 * kMs));
        auto listeners = events_of(rec, EventKind::ListenerOpen);
        REQUIRE(!listeners.empty());
        REQUIRE(p->poll.count(listeners.front().a0) == 1);
        CHECK(p->poll.at(listeners.front().a0).conn == 0);
        CHECK(p->loop.iterations > 3);

        check_export(rec);
    }
}

TEST_CASE("tornado: during a 2 s request the loop stays in its callbacks phase running the Request; the watchdog "
          "starves until it returns",
          "[process][tornado][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "tornado"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_worker(r) != 0; }, 5s));
        HttpReply r = get_close(ts.server().port(), "/io?ms=2000");
        CHECK(r.status == 200);
        ::usleep(1'200'000);
        ts.stop();
        const Recording& rec = ts.recording();
        const pid_t worker = booted_worker(rec);
        auto starts = events_of(rec, EventKind::HandlerStart, worker);
        auto ends = events_of(rec, EventKind::HandlerEnd, worker);
        REQUIRE(starts.size() == 1);
        REQUIRE(ends.size() == 1);
        const std::uint64_t t0 = starts.front().t_ns;
        const std::uint64_t t1 = ends.front().t_ns;
        CHECK(t1 - t0 > 1900 * kMs);

        // Nothing of the loop's own happens while the app runs: no phase, no timer.
        CHECK(between(rec, EventKind::LoopPhase, worker, t0, t1).empty());
        CHECK(between(rec, EventKind::TimerFire, worker, t0, t1).empty());
        CHECK(between(rec, EventKind::Heartbeat, worker, t0, t1).empty());

        TraceModel model(rec, 64);
        model.update();
        World mid = model.world_at(t0 + 1000 * kMs);
        const minicorn::trace::Process* p = mid.process(worker);
        REQUIRE(p != nullptr);
        CHECK(p->loop.phase == LoopPhaseId::Callbacks);
        CHECK(p->loop.running == LoopCallback::Request);
        CHECK(p->loop.running_conn == starts.front().conn);
        // The watchdog is overdue: its deadline passed while the app ran.
        const std::int64_t watchdog = events_of(rec, EventKind::TimerAdd, worker).front().a0;
        REQUIRE(p->loop.timers.count(watchdog) == 1);
        CHECK(p->loop.timers.at(watchdog).deadline_ms * static_cast<std::int64_t>(kMs) <
              static_cast<std::int64_t>(t0 + 1000 * kMs));

        // Once the app returns, the next pass fires it at once.
        std::vector<Event> late = between(rec, EventKind::TimerFire, worker, t1, t1 + 100 * kMs);
        CHECK(std::any_of(late.begin(), late.end(), [&](const Event& e) { return e.a0 == watchdog; }));
    }
}

TEST_CASE("asyncio's loop in the World: four concurrent 2 s /io are four pending timers, polled between turns",
          "[process][asyncio][trace]") {
    LeakCheck leaks;
    {
        TracedServer ts({"-w", "1", "-k", "asyncio"});
        REQUIRE(ts.wait_until([](const Recording& r) { return booted_worker(r) != 0; }, 5s));
        const int port = ts.server().port();
        std::vector<std::future<HttpReply>> clients;
        for (int i = 0; i < 4; ++i) {
            clients.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=2000"); }));
        }
        for (auto& c : clients) CHECK(c.get().status == 200);
        ts.stop();
        const Recording& rec = ts.recording();
        const pid_t worker = booted_worker(rec);
        auto starts = events_of(rec, EventKind::HandlerStart, worker);
        REQUIRE(starts.size() == 4);
        const std::uint64_t all_in = starts.back().t_ns;

        TraceModel model(rec, 64);
        model.update();
        World w = model.world_at(all_in + 1000 * kMs);
        const minicorn::trace::Process* p = w.process(worker);
        REQUIRE(p != nullptr);
        REQUIRE(p->loop.seen);
        // Each sleeping task is a timer ~2 s long; the worker's 100 ms tick is another.
        const auto two_seconds = std::count_if(p->loop.timers.begin(), p->loop.timers.end(), [](const auto& kv) {
            const std::int64_t len = kv.second.deadline_ms * static_cast<std::int64_t>(kMs) -
                                     static_cast<std::int64_t>(kv.second.added_ns);
            return len > 1900 * static_cast<std::int64_t>(kMs) && len < 2100 * static_cast<std::int64_t>(kMs);
        });
        CHECK(two_seconds == 4);
        CHECK(p->loop.timers.size() <= 6);
        // Idle between ticks: the loop waits in its poll phase, the listener in the poll list.
        CHECK((p->loop.phase == LoopPhaseId::Poll || p->loop.phase == LoopPhaseId::Timers));
        auto listeners = events_of(rec, EventKind::ListenerOpen);
        REQUIRE(!listeners.empty());
        CHECK(p->poll.count(listeners.front().a0) == 1);

        // The four wake by their timers, and each wake runs its task as a Request callback.
        std::vector<Event> fires = between(rec, EventKind::TimerFire, worker, all_in, all_in + 2500 * kMs);
        std::vector<Event> runs = between(rec, EventKind::CallbackRun, worker, all_in + 1900 * kMs, all_in + 2500 * kMs);
        CHECK(std::count_if(runs.begin(), runs.end(), [](const Event& e) {
                  return e.a1 == static_cast<std::int64_t>(LoopCallback::Request);
              }) >= 4);
        CHECK(fires.size() >= 4 + 15);  // and the tick, every 100 ms
        // Poll and dispatch wrap every epoll_wait.
        CHECK(count_of(rec, EventKind::LoopPhase, worker) > 40);

        check_export(rec);
    }
}
