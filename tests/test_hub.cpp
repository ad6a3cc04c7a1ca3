// The greenlet hub (engine/hub), its scheduling: spawn order, timers and
// deadlines (in engine time), what a blocking call does to everyone, kill,
// wait queues, exceptions, thread exit. Sockets, the poll list, signals and
// the trace: test_hub_io.cpp. Each scenario runs on a fresh thread with its
// own hub (green ids from 1) and records what it observes; the test thread
// checks afterwards.
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/hub/green_io.h"
#include "engine/hub/hub.h"
#include "engine/trace/gate.h"
#include "tests/support/hub_thread.h"
#include "tests/support/local_trace.h"

using namespace std::chrono_literals;
using namespace minicorn::testing;
using minicorn::hub::Clock;
using minicorn::hub::GreenId;
using minicorn::hub::Hub;
using minicorn::hub::HubExit;
using minicorn::hub::IoResult;
using minicorn::hub::Wait;
namespace hub = minicorn::hub;
namespace trace = minicorn::trace;

TEST_CASE("spawned greenlets run in spawn order, and only when the spawner yields", "[hub]") {
    std::vector<std::string> log;
    std::vector<GreenId> ids;
    std::size_t live_after_spawn = 0;
    on_hub_thread([&](Hub& hub) {
        for (int i = 1; i <= 3; ++i) {
            ids.push_back(hub.spawn([&, i] { log.push_back("g" + std::to_string(i) + " as green " +
                                                           std::to_string(Hub::current().current_green())); }));
        }
        log.push_back("main spawned 3");
        live_after_spawn = hub.live_greenlets();
        hub.yield();
        log.push_back("main resumed");
        hub.run();
    });
    CHECK(ids == std::vector<GreenId>{1, 2, 3});
    CHECK(live_after_spawn == 3);
    CHECK(log == std::vector<std::string>{"main spawned 3", "g1 as green 1", "g2 as green 2", "g3 as green 3",
                                          "main resumed"});
}

TEST_CASE("wait_fd with a deadline times out, and the fd leaves the poll list", "[hub]") {
    Wait status = Wait::Ready;
    IoResult recv_result{IoResult::Ok, 0, 0};
    double waited_ms = 0;
    std::size_t registered_while_waiting = 0, timers_while_waiting = 0;
    std::size_t registered_after = 1, timers_after = 1;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;  // nobody ever writes to sp.b
        hub.spawn([&] {
            auto t0 = Clock::now();
            status = hub.wait_fd(sp.a, EPOLLIN, t0 + 50ms);
            waited_ms = ms_since(t0);
            char buf[8];
            recv_result = hub::green_recv(sp.a, buf, sizeof buf, Clock::now() + 10ms);
        });
        hub.spawn([&] {
            registered_while_waiting = hub.registered_fds();
            timers_while_waiting = hub.pending_timers();
        });
        hub.run();
        registered_after = hub.registered_fds();
        timers_after = hub.pending_timers();
    });
    CHECK(status == Wait::TimedOut);
    CHECK(waited_ms >= 50);
    CHECK(waited_ms < 150);
    CHECK(recv_result.status == IoResult::TimedOut);
    CHECK(registered_while_waiting == 1);
    CHECK(timers_while_waiting == 1);
    CHECK(registered_after == 0);
    CHECK(timers_after == 0);
}

TEST_CASE("100 greenlets sleeping 50 ms each finish together in about 50 ms", "[hub]") {
    double elapsed_ms = 0;
    int finished = 0;
    on_hub_thread([&](Hub& hub) {
        auto t0 = Clock::now();
        for (int i = 0; i < 100; ++i) {
            hub.spawn([&] {
                hub.sleep(50ms);
                ++finished;
            });
        }
        hub.run();
        elapsed_ms = ms_since(t0);
    });
    CHECK(finished == 100);
    CHECK(elapsed_ms >= 50);
    CHECK(elapsed_ms < 200);  // one after another would take 5 s
}

TEST_CASE("an unpatched blocking call (::usleep) in one greenlet blocks every other greenlet", "[hub]") {
    std::vector<double> sleeper_woke_ms;
    double blocker_done_ms = 0;
    on_hub_thread([&](Hub& hub) {
        auto t0 = Clock::now();
        for (int i = 0; i < 3; ++i) {
            hub.spawn([&] {
                hub.sleep(10ms);  // due at 10 ms...
                sleeper_woke_ms.push_back(ms_since(t0));
            });
        }
        hub.spawn([&] {
            ::usleep(200'000);  // ...but the hub cannot run until this returns
            blocker_done_ms = ms_since(t0);
        });
        hub.run();
    });
    REQUIRE(sleeper_woke_ms.size() == 3);
    CHECK(blocker_done_ms >= 200);
    for (double t : sleeper_woke_ms) CHECK(t >= blocker_done_ms);
}

TEST_CASE("kill() throws GreenletExit where a greenlet is parked; one killed before it starts never runs", "[hub]") {
    std::vector<std::string> log;
    bool killed_both = false, unknown_killed = true;
    std::size_t live_after = 1, registered_after = 1;
    on_hub_thread([&](Hub& hub) {
        SocketPair sp;
        GreenId parked = hub.spawn([&] {
            struct Unwound {
                std::vector<std::string>& log;
                ~Unwound() { log.push_back("parked greenlet unwound"); }
            } guard{log};
            hub.wait_fd(sp.a, EPOLLIN);  // nobody writes
            log.push_back("parked greenlet went on (wrong)");
        });
        hub.yield();  // it parks
        GreenId unstarted = hub.spawn([&] { log.push_back("unstarted greenlet ran (wrong)"); });
        killed_both = hub.kill(unstarted) && hub.kill(parked);
        hub.run();
        unknown_killed = hub.kill(parked);  // already gone
        live_after = hub.live_greenlets();
        registered_after = hub.registered_fds();
    });
    CHECK(killed_both);
    CHECK(log == std::vector<std::string>{"parked greenlet unwound"});
    CHECK_FALSE(unknown_killed);
    CHECK(live_after == 0);
    CHECK(registered_after == 0);
}

TEST_CASE("an exception in a greenlet is printed and the hub goes on; HubExit reaches the main fiber", "[hub]") {
    bool later_greenlet_ran = false;
    int exit_code = 0;
    double main_woke_ms = 1e9;
    on_hub_thread([&](Hub& hub) {
        hub.spawn([] { throw std::runtime_error("boom (expected by the test)"); });
        hub.spawn([&] { later_greenlet_ran = true; });
        hub.run();
        hub.spawn([&] {
            hub.sleep(20ms);
            throw HubExit{3};
        });
        hub.spawn([&] { hub.sleep(10s); });  // still parked when HubExit arrives
        auto t0 = Clock::now();
        try {
            hub.sleep(10s);  // the main fiber is woken early to receive it
        } catch (const HubExit& e) {
            exit_code = e.code;
            main_woke_ms = ms_since(t0);
        }
    });  // the thread exits with the 10 s sleeper parked: the hub expires it
    CHECK(later_greenlet_ran);
    CHECK(exit_code == 3);
    CHECK(main_woke_ms < 1000);
}

namespace {

// Deep frames with stack arrays: their redzones are what a missed ASan
// stack-switch annotation leaves poisoned after a throw.
__attribute__((noinline)) void throw_from_depth(int depth) {
    volatile char frame[256];
    frame[depth] = static_cast<char>(depth);
    if (depth == 0) throw std::runtime_error(std::string("deep ") + frame[0]);
    throw_from_depth(depth - 1);
}

__attribute__((noinline)) int use_depth(int depth) {
    volatile char frame[200] = {};
    frame[depth % 200] = 1;
    return depth == 0 ? frame[0] : use_depth(depth - 1) + frame[1];
}

}  // namespace

TEST_CASE("a greenlet that catches its own exception goes on running and parking", "[hub]") {
    // Under ASan this is the regression test for the hub's stack-switch annotations.
    int rounds = 0;
    on_hub_thread([&](Hub& hub) {
        for (int g = 0; g < 4; ++g) {
            hub.spawn([&] {
                for (int i = 0; i < 3; ++i) {
                    try {
                        throw_from_depth(10);
                    } catch (const std::runtime_error&) {
                    }
                    use_depth(12);
                    hub.yield();
                    ++rounds;
                }
            });
        }
        hub.run();
    });
    CHECK(rounds == 12);
}


TEST_CASE("a thread that exits with greenlets still parked kills them: their stacks unwind", "[hub]") {
    std::vector<std::string> log;
    on_hub_thread([&](Hub& hub) {
        struct Unwound {
            std::vector<std::string>& log;
            std::string name;
            ~Unwound() { log.push_back(name + " unwound"); }
        };
        auto sp = std::make_shared<SocketPair>();
        hub.spawn([&, sp] {
            Unwound guard{log, "reader"};
            char buf[8];
            hub::green_recv(sp->a, buf, sizeof buf);  // nobody writes
            log.push_back("reader went on (wrong)");
        });
        hub.spawn([&] {
            Unwound guard{log, "sleeper"};
            hub.sleep(1h);
            log.push_back("sleeper went on (wrong)");
        });
        hub.yield();  // both park; the scenario returns without run()
    });
    std::sort(log.begin(), log.end());
    CHECK(log == std::vector<std::string>{"reader unwound", "sleeper unwound"});
}

TEST_CASE("a WaitQueue wakes its greenlets one at a time, in order; a deadline or a kill ends a wait early", "[hub]") {
    std::vector<std::string> log;
    Wait timed = Wait::Ready;
    bool killed_unwound = false;
    std::size_t parked_in_queue = 0;
    on_hub_thread([&](Hub& hub) {
        hub::WaitQueue q;
        for (int i = 1; i <= 2; ++i) {
            hub.spawn([&, i] {
                CHECK(hub.wait_queue(q) == Wait::Ready);
                log.push_back("woke " + std::to_string(i));
            });
        }
        hub.spawn([&] { timed = hub.wait_queue(q, Clock::now() + 20ms); });
        const GreenId victim = hub.spawn([&] {
            struct Guard {
                bool& flag;
                ~Guard() { flag = true; }
            } guard{killed_unwound};
            hub.wait_queue(q);
            log.push_back("victim went on (wrong)");
        });
        hub.yield();  // all four park in q
        parked_in_queue = hub.parked_greenlets();
        CHECK(hub.wake_one(q));
        hub.yield();
        log.push_back("main");
        hub.kill(victim);
        hub.sleep(40ms);  // the timed wait expires meanwhile
        CHECK(hub.wake_one(q));
        hub.run();
        CHECK_FALSE(hub.wake_one(q));  // nobody left
    });
    CHECK(parked_in_queue == 4);
    CHECK(log == std::vector<std::string>{"woke 1", "main", "woke 2"});
    CHECK(timed == Wait::TimedOut);
    CHECK(killed_unwound);
}

TEST_CASE("hub deadlines are engine time: with the trace gate closed a sleep does not end, and the hub does not spin",
          "[hub][trace][gate]") {
    LocalTrace local(1u << 14);
    trace::GateControl gate(local.region());
    gate.close();  // not gated mode: nothing waits for tokens, engine time stands still
    std::thread opener([&] {
        ::usleep(300'000);
        gate.open();
    });
    double steady_ms = 0;
    double engine_ms = 0;
    on_hub_thread([&](Hub& hub) {
        const auto s0 = std::chrono::steady_clock::now();
        const auto e0 = Clock::now();
        hub.spawn([&] { hub.sleep(50ms); });
        hub.run();
        steady_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s0).count();
        engine_ms = ms_since(e0);
    });
    opener.join();
    const trace::Recording rec = local.collect();
    CHECK(steady_ms >= 300);  // waited for the gate
    CHECK(engine_ms >= 50);
    CHECK(engine_ms < 200);   // but only 50 ms of engine time
    const auto polls = std::count_if(rec.events().begin(), rec.events().end(),
                                     [](const trace::Event& e) { return e.kind == trace::EventKind::PollWait; });
    CHECK(polls < 20);  // while the gate was closed: a poll every ~50 ms, not a spin
}
