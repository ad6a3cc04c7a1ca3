// [loop] The IOLoop's phases on their own (engine/loop/io_loop.h): what runs
// in which pass, in which order — no process, no socket but a pipe kept
// readable so that each poll returns at once.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/loop/io_loop.h"

using minicorn::loop::IOLoop;
using minicorn::loop::kReadable;
using minicorn::loop::make_poller;

namespace {

// An IOLoop whose poll never waits: a pipe with a byte in it stays readable.
struct BusyLoop {
    int fds[2] = {-1, -1};
    IOLoop loop{make_poller("epoll")};
    int dispatched = 0;
    BusyLoop() {
        REQUIRE(::pipe(fds) == 0);
        REQUIRE(::write(fds[1], "x", 1) == 1);
        loop.add_handler(fds[0], kReadable, [this](std::uint32_t) { ++dispatched; });
    }
    ~BusyLoop() {
        loop.remove_handler(fds[0]);
        ::close(fds[0]);
        ::close(fds[1]);
    }
};

}  // namespace

TEST_CASE("IOLoop: a due timer runs in the callbacks phase, after the callbacks queued before it", "[loop][tornado]") {
    BusyLoop b;
    std::vector<std::string> ran;
    b.loop.add_callback([&] { ran.push_back("callback"); });
    b.loop.call_later(0, [&] { ran.push_back("timer"); });
    b.loop.run_once();
    CHECK(ran == std::vector<std::string>{"callback", "timer"});
    CHECK(b.dispatched == 1);  // then poll and dispatch
    CHECK(b.loop.timer_count() == 0);
}

TEST_CASE("IOLoop: callbacks queued while the callbacks phase runs wait for the next pass", "[loop][tornado]") {
    BusyLoop b;
    std::vector<std::string> ran;
    b.loop.add_callback([&] {
        ran.push_back("first");
        b.loop.add_callback([&] { ran.push_back("second"); });
    });
    b.loop.run_once();
    CHECK(ran == std::vector<std::string>{"first"});
    b.loop.run_once();
    CHECK(ran == std::vector<std::string>{"first", "second"});
}

TEST_CASE("IOLoop: a timer cancelled after it fell due does not run", "[loop][tornado]") {
    BusyLoop b;
    std::vector<std::string> ran;
    IOLoop::TimerId second = 0;
    b.loop.call_later(0, [&] {
        ran.push_back("first");
        b.loop.remove_timeout(second);  // already in the ready list, behind this one
    });
    second = b.loop.call_later(0, [&] { ran.push_back("second"); });
    b.loop.run_once();
    CHECK(ran == std::vector<std::string>{"first"});
    CHECK(b.loop.timer_count() == 0);
}

TEST_CASE("IOLoop: a PeriodicCallback blocked past several ticks runs once, then keeps its schedule",
          "[loop][tornado]") {
    BusyLoop b;
    int ticks = 0;
    b.loop.add_periodic(50, [&] { ++ticks; });
    ::usleep(170'000);  // blocked over three ticks: 50, 100, 150 ms
    b.loop.run_once();
    CHECK(ticks == 1);
    b.loop.run_once();
    CHECK(ticks == 1);  // the missed ones are skipped, not queued
    CHECK(b.loop.timer_count() == 1);
    ::usleep(60'000);   // past 200 ms, the next tick on the original schedule
    b.loop.run_once();
    CHECK(ticks == 2);
}

TEST_CASE("IOLoop: a periodic callback that removes itself is not re-armed", "[loop][tornado]") {
    BusyLoop b;
    int ticks = 0;
    IOLoop::TimerId id = 0;
    id = b.loop.add_periodic(1, [&] {
        ++ticks;
        b.loop.remove_timeout(id);
    });
    ::usleep(3'000);
    b.loop.run_once();
    CHECK(ticks == 1);
    CHECK(b.loop.timer_count() == 0);
}
