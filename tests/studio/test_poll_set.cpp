// tests/studio/test_poll_set.cpp — the Poll set panel: the words it builds for
// a worker's interest list and ready set (headless, from scripted traces), and
// the real studio showing it for a gevent worker with keep-alive clients.
#include <sys/prctl.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "app/studio/panels/poll_set.h"
#include "tests/studio/panel_scripts.h"
#include "tests/studio/studio_runner.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::panel_scripts;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

PollSetSummary summary_of(const Script& s, pid_t pid) {
    const trace::World w = trace::TraceModel::fold(s.events);
    const trace::Process* p = w.process(pid);
    REQUIRE(p != nullptr);
    return poll_set_rows(w, *p, nullptr);
}

}  // namespace

TEST_CASE("poll set, gevent: two fds registered, the listener came back ready and woke the acceptor",
          "[studio][panels]") {
    const PollSetSummary s = summary_of(gevent_busy(), kGevent);
    REQUIRE(s.polls);
    REQUIRE(s.rows.size() == 2);
    CHECK(s.ready_count == 1);
    // The ready one first: the listening socket, which the acceptor greenlet waits on.
    CHECK(s.rows[0].fd == kListenFd);
    CHECK(s.rows[0].ready);
    CHECK(s.rows[0].ready_for == "ready to read");
    CHECK(has(s.rows[0].what, "the listening socket (port 8000)"));
    CHECK(has(s.rows[0].waiter, "greenlet g#1, the acceptor, waits for a new connection"));
    // fd 9: the client connection greenlet 12 reads from.
    CHECK(s.rows[1].fd == 9);
    CHECK_FALSE(s.rows[1].ready);
    CHECK(has(s.rows[1].what, "the connection from 127.0.0.1:53122"));
    CHECK(has(s.rows[1].waiter, "greenlet g#12 is parked until it can read"));
    CHECK(has(s.now, "awake"));
}

TEST_CASE("poll set, gthread: the main thread's poller watches the listener, and is asleep in epoll_wait",
          "[studio][panels]") {
    const PollSetSummary s = summary_of(gthread_busy(), kGthread);
    REQUIRE(s.rows.size() == 1);
    CHECK(has(s.rows[0].waiter, "the main thread's poller waits for a new connection"));
    CHECK(s.now == "Now: asleep in epoll_wait, for at most 1.0 s");
}

TEST_CASE("poll set, sync: no poll set, the panel says why", "[studio][panels]") {
    trace_script::Script s;
    boot_one(s, 501, trace::ModelId::Sync);
    const PollSetSummary sum = summary_of(s, 501);
    CHECK_FALSE(sum.polls);
    CHECK(sum.rows.empty());
    CHECK(sum.call == "select()");
}

TEST_CASE("the studio's Poll set tab lists a paused gevent worker's fds: the listener and its slow clients' connections",
          "[studio][process]") {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    LeakCheck leaks;
    const std::string png = "/tmp/minicorn-pollset-" + std::to_string(::getpid()) + ".png";
    const std::string cmd = "ASAN_OPTIONS='" + studio_asan_options() + "' xvfb-run -a -s '-screen 0 1600x1000x24' " +
                            std::string(MINICORN_STUDIO_BIN) + " --screenshot " + png +
                            " --frames 10 -k gevent -w 1 -c 3 --slowloris 2 --tab 'Poll set' --then pause";
    const nlohmann::json sidecar = shoot(cmd, png);
    std::vector<std::string> fds;
    bool listener = false, header = false, summary = false;
    for (const auto& t : sidecar["layout"]["texts"]) {
        const std::string text = t["text"].get<std::string>();
        CHECK_FALSE(t["clipped"].get<bool>());
        if (text.rfind("fd ", 0) == 0) fds.push_back(text);
        listener = listener || (text.rfind("fd ", 0) == 0 && has(text, "the listening socket"));
        header = header || has(text, "the interest list");
        summary = summary || has(text, "registered \u00B7 the last epoll_wait returned");
    }
    INFO(sidecar["layout"]["texts"].dump(1));
    CHECK(header);
    CHECK(summary);
    CHECK(listener);
    // The listener and the two slowloris connections, whose greenlets wait to read the rest of the request.
    CHECK(fds.size() >= 3);
    int slow = 0;
    for (const std::string& f : fds) slow += has(f, "the connection from slowloris") ? 1 : 0;
    CHECK(slow == 2);
    for (const auto& f : sidecar["layout"]["faults"]) FAIL_CHECK(f.get<std::string>());
}
