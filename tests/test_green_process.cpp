// [process] tests of the green workers (gevent, eventlet): many connections,
// one OS thread, cooperative switching — and what an unpatched call does to it.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <future>

#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn::testing;
using minicorn::trace::Event;
using minicorn::trace::EventKind;
using minicorn::trace::Recording;

namespace {

const char* kModels[] = {"gevent", "eventlet"};

}  // namespace

TEST_CASE("green workers: one OS thread runs every greenlet; patched sleeps overlap", "[process][green]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            TracedServer ts({"-w", "1", "-k", model});
            int port = ts.server().port();
            std::vector<std::future<HttpReply>> c;
            for (int i = 0; i < 4; ++i) c.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=1000"); }));
            for (auto& f : c) {
                HttpReply r = f.get();
                CHECK(r.status == 200);
                CHECK(r.seconds < 1.8);  // all four at once, not one after another
            }
            ts.stop();
            const Recording& rec = ts.recording();
            auto boots = events_of(rec, EventKind::WorkerBooted);
            REQUIRE(boots.size() == 1);
            pid_t worker = boots.front().pid;
            // Every event of the worker comes from its one thread: one greenlet runs at a time.
            for (std::uint32_t i : *rec.by_pid(worker)) CHECK(rec[i].tid == worker);
            CHECK(count_of(rec, EventKind::GreenSpawn, worker) >= 4);
            CHECK(count_of(rec, EventKind::GreenPark, worker) >= 4);
            std::vector<std::string> problems = minicorn::trace::check_trace_json(minicorn::trace::export_chrome_json(rec));
            INFO((problems.empty() ? std::string() : problems.front()));
            CHECK(problems.empty());
        }
    }
}

TEST_CASE("green workers: /cpu holds the hub — a concurrent / waits until the spin ends", "[process][green]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            auto server = ServerProcess::start({"-w", "1", "-k", model});
            int port = server->port();
            auto spin = std::async(std::launch::async, [port] { return get_close(port, "/cpu?ms=2000"); });
            ::usleep(300'000);
            HttpReply quick = get_close(port, "/");
            HttpReply slow = spin.get();
            CHECK(slow.status == 200);
            CHECK(quick.status == 200);
            CHECK(quick.seconds >= 1.4);  // it waited for the spin
        }
    }
}

TEST_CASE("green workers: an unpatched /block freezes the hub — no epoll wait while it blocks", "[process][green]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            TracedServer ts({"-w", "1", "-k", model});
            HttpReply r = get_close(ts.server().port(), "/block?ms=1500");
            CHECK(r.status == 200);
            ts.stop();
            const Recording& rec = ts.recording();
            auto starts = events_of(rec, EventKind::HandlerStart);
            auto ends = events_of(rec, EventKind::HandlerEnd);
            REQUIRE(starts.size() == 1);
            REQUIRE(ends.size() == 1);
            pid_t worker = starts.front().pid;
            std::size_t waits = 0;
            for (std::size_t i = rec.lower_bound(starts.front().t_ns); i < rec.size() && rec[i].t_ns < ends.front().t_ns; ++i) {
                if (rec[i].pid == worker && (rec[i].kind == EventKind::PollWait || rec[i].kind == EventKind::Heartbeat)) ++waits;
            }
            CHECK(waits == 0);  // not even the heartbeat greenlet ran
        }
    }
}

TEST_CASE("green workers: a 6 s spin with -t 3 gives WORKER TIMEOUT while a concurrent /io completes", "[process][green]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            auto server = ServerProcess::start({"-w", "1", "-k", model, "-t", "3"});
            int port = server->port();
            auto io = std::async(std::launch::async, [port] { return get_close(port, "/io?ms=4000"); });
            ::usleep(200'000);
            HttpReply spin = get_close(port, "/cpu?ms=6000");
            HttpReply slow_io = io.get();
            CHECK_FALSE(spin.got_response);  // its connection closes empty
            CHECK(slow_io.status == 200);     // graceful: the other greenlet finished
            CHECK(server->wait_for_log("WORKER TIMEOUT", 5s));
            CHECK(server->wait_for_log("Booting worker with pid: ", 8s, 2));
        }
    }
}

TEST_CASE("green workers: --worker-connections 2 with four 2 s requests finish at about 2, 2, 4, 4 s", "[process][green]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            auto server = ServerProcess::start({"-w", "1", "-k", model, "--worker-connections", "2"});
            int port = server->port();
            std::vector<std::future<HttpReply>> c;
            for (int i = 0; i < 4; ++i) c.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=2000"); }));
            std::vector<double> took;
            for (auto& f : c) {
                HttpReply r = f.get();
                CHECK(r.status == 200);
                took.push_back(r.seconds);
            }
            std::sort(took.begin(), took.end());
            CHECK(took[0] < 3.0);
            CHECK(took[1] < 3.0);
            CHECK(took[2] >= 3.5);
            CHECK(took[3] >= 3.5);
            CHECK(took[3] < 5.5);
        }
    }
}

TEST_CASE("green workers: a client silent for 3 s before its first request is dropped at 2 s", "[process][green]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            auto server = ServerProcess::start({"-w", "1", "-k", model});
            int fd = connect_loopback(server->port());
            REQUIRE(fd >= 0);
            auto start = std::chrono::steady_clock::now();
            pollfd p{fd, POLLIN, 0};
            REQUIRE(::poll(&p, 1, 3000) == 1);
            char b;
            CHECK(::recv(fd, &b, 1, 0) == 0);  // closed, no response
            double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            CHECK(secs >= 1.9);
            CHECK(secs <= 2.6);
            ::close(fd);
        }
    }
}

TEST_CASE("green workers: a worker killed by WORKER TIMEOUT exits 1, as gunicorn's handle_abort does", "[process][green]") {
    for (const char* model : {"gevent", "eventlet", "asyncio"}) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", model, "-t", "2"});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                HttpReply spin = get_close(ts.server().port(), "/cpu?ms=5000");
                CHECK_FALSE(spin.got_response);
                REQUIRE(ts.server().wait_for_log("WORKER TIMEOUT", 5s));
                REQUIRE(ts.server().wait_for_log("Booting worker with pid: ", 10s, 2));
                ts.stop();
                auto timeouts = events_of(ts.recording(), EventKind::WorkerTimeout);
                REQUIRE(timeouts.size() == 1);
                auto exits = events_of(ts.recording(), EventKind::WorkerExit, static_cast<pid_t>(timeouts.front().a0));
                REQUIRE(exits.size() == 1);
                CHECK(exits.front().a0 == 1);
            }
        }
    }
}

TEST_CASE("green workers in the trace: an idle acceptor parks once and is killed at stop; one waiting for a pool slot "
          "is parked",
          "[process][green][trace]") {
    for (const char* model : kModels) {
        DYNAMIC_SECTION(model) {
            LeakCheck leaks;
            {
                TracedServer ts({"-w", "1", "-k", model, "--worker-connections", "1"});
                REQUIRE(ts.server().wait_for_workers(1, 10s));
                const int port = ts.server().port();
                ::usleep(2'500'000);  // idle
                // Two 1 s requests on a pool of one: the second waits for the slot.
                auto first = std::async(std::launch::async, [port] { return get_close(port, "/io?ms=1000"); });
                ::usleep(200'000);
                auto second = std::async(std::launch::async, [port] { return get_close(port, "/io?ms=1000"); });
                CHECK(first.get().status == 200);
                CHECK(second.get().status == 200);
                REQUIRE(ts.wait_until([](const Recording& r) { return count_of(r, EventKind::GreenSpawn) > 0; }, 5s));
                const Event acceptor = events_of(ts.recording(), EventKind::GreenSpawn).front();  // the listener's acceptor
                // Stop (TERM), and read until the worker's exit is in: on a loaded machine the last events come late.
                ts.server().signal(SIGTERM);
                ts.server().wait_exit(15s);
                CHECK(ts.wait_until([&](const Recording& r) { return count_of(r, EventKind::WorkerExit, acceptor.pid) > 0; }, 5s));
                ts.flush();
                const Recording& rec = ts.recording();
                std::vector<Event> parks;
                std::vector<Event> wakes;
                for (const Event& e : rec.events()) {
                    if (e.pid != acceptor.pid || e.green != acceptor.green) continue;
                    if (e.kind == EventKind::GreenPark) parks.push_back(e);
                    if (e.kind == EventKind::GreenWake) wakes.push_back(e);
                }
                // Idle 2.5 s: no wake-ups to check a flag — at most one park on the listener before the first request.
                const std::uint64_t first_accept = events_of(rec, EventKind::Accepted).front().t_ns;
                CHECK(std::count_if(wakes.begin(), wakes.end(), [&](const Event& e) { return e.t_ns < first_accept; }) <= 1);
                // It waited for the pool slot parked in the hub (no fd), not "ready".
                CHECK(std::any_of(parks.begin(), parks.end(), [](const Event& e) { return e.a0 == -1 && e.a1 == 0; }));
                // Stopping killed it (GreenExit a0 = 2) where it was parked (GreenWake a1 = 2: cancelled).
                auto exits = events_of(rec, EventKind::GreenExit);
                auto mine = std::find_if(exits.begin(), exits.end(),
                                         [&](const Event& e) { return e.pid == acceptor.pid && e.green == acceptor.green; });
                REQUIRE(mine != exits.end());
                CHECK(mine->a0 == 2);
                REQUIRE(!wakes.empty());
                CHECK(wakes.back().a1 == 2);
            }
        }
    }
}
