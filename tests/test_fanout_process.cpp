// [process] tests of the demo app's /fanout and /threads views on every
// worker model: concurrency INSIDE one request. Latencies are bands (a
// sequential view can never be faster than N×M; an overlapping one is far
// below it), and what ran the pieces — OS threads or greenlets — is counted
// from the trace.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>

#include "engine/trace/ev.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::EventKind;
using minicorn::trace::Recording;
using minicorn::trace::ThreadRole;

namespace {

// n=3 waits of 400 ms: one after another takes ≥ 1.2 s; overlapped ≈ 0.4 s.
constexpr double kSequentialAtLeast = 1.19;
constexpr double kOverlappedBelow = 1.0;

struct Model {
    const char* name;
    bool green;      // gevent, eventlet: monkey-patched, greenlets
    bool coroutine;  // asyncio: async def views
};
constexpr Model kModels[] = {
    {"sync", false, false},   {"gthread", false, false}, {"tornado", false, false},
    {"gevent", true, false},  {"eventlet", true, false}, {"asyncio", false, true},
};

pid_t the_worker(const Recording& rec) {
    const auto boots = events_of(rec, EventKind::WorkerBooted);
    REQUIRE(boots.size() == 1);
    return boots.front().pid;
}

// OS threads the application started (ThreadStart, role app).
std::size_t app_threads(const Recording& rec, pid_t worker) {
    std::size_t n = 0;
    for (const auto& e : events_of(rec, EventKind::ThreadStart, worker)) {
        if (minicorn::trace::ev::ThreadStart::decode(e).role.as<ThreadRole>() == ThreadRole::App) ++n;
    }
    return n;
}

// Greenlets a view spawned: those whose parent serves a connection (the
// acceptor spawns each connection's greenlet tagged with it).
std::size_t view_greenlets(const Recording& rec, pid_t worker) {
    std::set<std::uint32_t> serving;
    std::size_t n = 0;
    for (const auto& e : events_of(rec, EventKind::GreenSpawn, worker)) {
        const auto spawn = minicorn::trace::ev::GreenSpawn::decode(e);
        if (serving.contains(static_cast<std::uint32_t>(spawn.parent))) ++n;
        if (spawn.conn != 0) serving.insert(spawn.green);
    }
    return n;
}

// Runs `body` once per worker model, in its own section, on a traced
// one-worker server that has booted; checks that nothing leaked.
template <typename Body>
void on_each_model(Body body) {
    for (const Model& m : kModels) {
        DYNAMIC_SECTION(m.name) {
            LeakCheck leaks;
            TracedServer ts({"-w", "1", "-k", m.name});
            REQUIRE(ts.server().wait_for_workers(1, 10s));
            body(m, ts, ts.server().port());
        }
    }
}

HttpReply get_ok(int port, std::string_view path) {
    HttpReply r = get_close(port, path);
    INFO(path << " → " << r.raw);
    REQUIRE(r.status == 200);
    return r;
}

}  // namespace

TEST_CASE("/fanout: a plain view waits one call after another; asyncio gathers; spawn=1 overlaps them only where "
          "greenlets are patched",
          "[process][fanout]") {
    on_each_model([](const Model& m, TracedServer& ts, int port) {
        const HttpReply plain = get_ok(port, "/fanout?n=3&ms=400");
        if (m.coroutine) {
            CHECK(plain.seconds < kOverlappedBelow);
            CHECK(plain.body.find("gathered") != std::string::npos);
        } else {
            CHECK(plain.seconds >= kSequentialAtLeast);
            CHECK(plain.body.find("one after another") != std::string::npos);
        }

        const HttpReply spawned = get_ok(port, "/fanout?n=3&ms=400&spawn=1");
        if (m.green || m.coroutine) {
            CHECK(spawned.seconds < kOverlappedBelow);
        } else {
            CHECK(spawned.seconds >= kSequentialAtLeast);  // nothing patched: each greenlet blocks the thread
        }

        ts.stop();
        const pid_t worker = the_worker(ts.recording());
        // asyncio: 3 tasks per request; gevent/eventlet: 3 for spawn=1 only; OS threads: none traced.
        const std::size_t expected = m.coroutine ? 6 : m.green ? 3 : 0;
        CHECK(view_greenlets(ts.recording(), worker) == expected);
        CHECK(app_threads(ts.recording(), worker) == 0);
    });
}

TEST_CASE("/threads: the view's thread pool is real OS threads, except under gevent and eventlet where the "
          "\"threads\" are greenlets on the one hub thread",
          "[process][threads]") {
    on_each_model([](const Model& m, TracedServer& ts, int port) {
        const HttpReply r = get_ok(port, "/threads?n=4&ms=400");
        CHECK(r.seconds < kOverlappedBelow);  // sleeps overlap either way
        CHECK(r.body.find(m.green ? "ran on 1 OS thread" : "ran on 4 OS threads") != std::string::npos);

        ts.stop();
        const Recording& rec = ts.recording();
        const pid_t worker = the_worker(rec);
        CHECK(app_threads(rec, worker) == (m.green ? 0u : 4u));
        CHECK(view_greenlets(rec, worker) == (m.green ? 4u : 0u));
        if (m.green) {
            // Every event of the worker comes from its one OS thread.
            for (std::uint32_t i : *rec.by_pid(worker)) CHECK(rec[i].tid == worker);
        } else {
            CHECK(count_of(rec, EventKind::ThreadExit, worker) >= 4);  // the pool's threads ended with the view
        }
    });
}

TEST_CASE("/threads with CPU work: with the GIL on, the pool's CPU work does not overlap, threads or greenlets",
          "[process][threads]") {
    for (const char* model : {"gthread", "gevent"}) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            ServerProcess server({"-w", "1", "-k", model});
            REQUIRE(server.wait_for_workers(1, 10s));
            const HttpReply r = get_ok(server.port(), "/threads?n=2&ms=300&work=cpu");
            CHECK(r.seconds >= 0.59);  // 2 × 300 ms of CPU, one at a time
        }
    }
}

TEST_CASE("/fanout and /threads refuse a bad parameter with a 400 that names it", "[process][fanout]") {
    LeakCheck leaks;
    ServerProcess server({"-w", "1"});
    REQUIRE(server.wait_for_workers(1, 10s));
    const int port = server.port();
    for (const char* path : {"/fanout?n=0", "/fanout?n=101", "/fanout?spawn=2", "/threads?n=x", "/threads?work=io"}) {
        const HttpReply r = get_close(port, path);
        INFO(path << " → " << r.raw);
        CHECK(r.status == 400);
        const std::string_view name = std::string_view(path).substr(std::string_view(path).find('?') + 1);
        CHECK(r.body.find("'" + std::string(name.substr(0, name.find('='))) + "'") != std::string::npos);
    }
}
