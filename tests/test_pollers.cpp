// [poller] The three Poller backends (engine/loop: epoll, poll, select), each
// scenario run over all three: register, modify, unregister, the ready set,
// the timeout — on pipes and socketpairs, no process. And what they trace.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "engine/loop/poller.h"
#include "tests/support/local_trace.h"
#include "tests/support/socket_pair.h"

using minicorn::testing::LocalTrace;
using minicorn::testing::Seen;
using minicorn::testing::seen_of;
using minicorn::testing::SocketPair;
using minicorn::loop::kReadable;
using minicorn::loop::kWritable;
using minicorn::loop::make_poller;
using minicorn::loop::Poller;
using minicorn::loop::Ready;
using minicorn::loop::WaitStatus;
namespace trace = minicorn::trace;
using namespace std::chrono_literals;

namespace {

void send_to_a(const SocketPair& p) { REQUIRE(::write(p.b, "x", 1) == 1); }

std::vector<Ready> wait_for(Poller& p, int timeout_ms) {
    std::vector<Ready> out;
    REQUIRE(p.wait(timeout_ms, out) == WaitStatus::Ok);
    std::sort(out.begin(), out.end(), [](const Ready& x, const Ready& y) { return x.tag < y.tag; });
    return out;
}

std::unique_ptr<Poller> backend() {
    const std::string name = GENERATE(as<std::string>{}, "epoll", "poll", "select");
    std::unique_ptr<Poller> p = make_poller(name);
    REQUIRE(p != nullptr);
    REQUIRE(p->name() == name);
    return p;
}

}  // namespace

TEST_CASE("pollers: a registered fd is reported with its tag once it is ready, not before", "[poller]") {
    std::unique_ptr<Poller> p = backend();
    INFO(p->name());
    SocketPair one;
    SocketPair two;
    p->add(one.a, kReadable, 11);
    p->add(two.a, kReadable, 22);
    CHECK(p->registered() == 2);
    CHECK(wait_for(*p, 0).empty());
    send_to_a(two);
    std::vector<Ready> ready = wait_for(*p, 1000);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].tag == 22);
    CHECK((ready[0].events & kReadable) != 0);
    send_to_a(one);
    ready = wait_for(*p, 1000);
    REQUIRE(ready.size() == 2);  // level-triggered: two is still unread
    CHECK(ready[0].tag == 11);
    CHECK(ready[1].tag == 22);
}

TEST_CASE("pollers: modify changes the events and the tag of a registered fd", "[poller]") {
    std::unique_ptr<Poller> p = backend();
    INFO(p->name());
    SocketPair pair;
    p->add(pair.a, kReadable, 1);
    CHECK(wait_for(*p, 0).empty());  // nothing to read
    p->modify(pair.a, kWritable, 2);
    std::vector<Ready> ready = wait_for(*p, 1000);
    REQUIRE(ready.size() == 1);  // an empty socket buffer: writable at once
    CHECK(ready[0].tag == 2);
    CHECK(ready[0].events == kWritable);
    p->modify(pair.a, kReadable, 3);
    CHECK(wait_for(*p, 0).empty());
    CHECK(p->registered() == 1);
}

TEST_CASE("pollers: an unregistered fd is not reported; removing it twice is harmless", "[poller]") {
    std::unique_ptr<Poller> p = backend();
    INFO(p->name());
    SocketPair one;
    SocketPair two;
    p->add(one.a, kReadable, 1);
    p->add(two.a, kReadable, 2);
    send_to_a(one);
    send_to_a(two);
    p->remove(one.a);
    p->remove(one.a);
    CHECK(p->registered() == 1);
    std::vector<Ready> ready = wait_for(*p, 1000);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].tag == 2);
    p->add(one.a, kReadable, 3);  // and it can come back
    CHECK(wait_for(*p, 1000).size() == 2);
}

TEST_CASE("pollers: a wait with nothing ready returns empty after its timeout", "[poller]") {
    std::unique_ptr<Poller> p = backend();
    INFO(p->name());
    SocketPair pair;
    p->add(pair.a, kReadable, 1);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(wait_for(*p, 80).empty());
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    CHECK(ms >= 75);
    CHECK(ms < 500);
    // 0 does not wait at all.
    const auto t1 = std::chrono::steady_clock::now();
    CHECK(wait_for(*p, 0).empty());
    CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::milliseconds(50));
}

TEST_CASE("pollers: a peer that hangs up makes the fd ready", "[poller]") {
    std::unique_ptr<Poller> p = backend();
    INFO(p->name());
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
    p->add(fds[0], kReadable, 7);
    ::close(fds[1]);
    std::vector<Ready> ready = wait_for(*p, 1000);
    REQUIRE(ready.size() == 1);
    CHECK(ready[0].tag == 7);
    p->remove(fds[0]);
    ::close(fds[0]);
}

TEST_CASE("pollers trace themselves: register, a modify with its new events, wait, wake, unregister", "[poller][trace]") {
    std::unique_ptr<Poller> p = backend();
    INFO(p->name());
    LocalTrace local;
    SocketPair pair;
    p->add(pair.a, kReadable, 1, 42);
    p->modify(pair.a, kWritable, 1, 42);  // a connection waiting to write
    std::vector<Ready> ready;
    p->wait(1000, ready);
    p->remove(pair.a, 42);
    p->remove(pair.a, 42);  // not registered any more: nothing to trace
    using K = trace::EventKind;
    const std::vector<Seen> seen = seen_of(local.collect(), {K::PollRegister, K::PollUnregister, K::PollWait, K::PollWake});
    const std::vector<Seen> expected{
        {K::PollRegister, 0, 42, pair.a, kReadable},
        {K::PollRegister, 0, 42, pair.a, kWritable},  // the new mask
        {K::PollWait, 0, 0, 1000, 1},                 // timeout, registered fds
        {K::PollWake, 0, 0, 1, 0},                    // one ready, no signal
        {K::PollUnregister, 0, 42, pair.a, 0},
    };
    CHECK(seen == expected);
}
