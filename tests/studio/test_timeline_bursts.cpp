// tests/studio/test_timeline_bursts.cpp — the Timeline's lanes as running
// bursts, drawn headless over a real gevent recording (a server and minicorn
// load, traced as the studio traces them): only one greenlet of a worker is
// ever drawn running; the others are ready or parked on what they wait for;
// a request has one name, and an arrow joins the client's span to the
// server's.
#include <catch2/catch.hpp>

#include <imgui.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "app/studio/draw/palette.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/panels/timeline.h"
#include "engine/trace/model.h"
#include "tests/studio/panel_harness.h"
#include "tests/support/leak_check.h"
#include "tests/support/load_process.h"
#include "tests/support/traced_server.h"

using namespace std::chrono_literals;
using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using timeline_detail::Burst;
using timeline_detail::Lane;
using timeline_detail::RunState;
using timeline_detail::WaitOn;

namespace {

std::string url(int port, const std::string& path) { return "http://127.0.0.1:" + std::to_string(port) + path; }

// gevent -w 2 under 16 users asking for a sleep (/io parks on a timer) or some CPU (/cpu runs without yielding).
trace::Recording gevent_recording() {
    TracedServer ts({"-w", "2", "-k", "gevent"});
    REQUIRE(ts.wait_until([](const trace::Recording& r) { return count_of(r, trace::EventKind::WorkerBooted) == 2; }, 10s));
    LoadProcess load({url(ts.server().port(), "/"), "--mix", "/io?ms=20:60,/cpu?ms=3:40", "-c", "16", "-n", "600",
                      "--quiet"},
                     ts.region_fd());
    std::optional<int> status;
    ts.wait_until([&](const trace::Recording&) { return (status = load.wait_exit(0s)).has_value(); }, 30s);
    CHECK(status == std::optional<int>(0));
    ts.stop();
    return std::move(ts.recording());
}

struct Interval {
    std::uint64_t t0, t1;
    std::uint16_t lane;
};

}  // namespace

TEST_CASE("timeline: on a real gevent recording at most one greenlet per worker is drawn running at any instant",
          "[studio][process][panels]") {
    LeakCheck leaks;
    trace::Recording rec = gevent_recording();
    trace::TraceModel model(rec, 64);
    model.update();
    View view = live_view(model, rec, "gevent");
    RequestIndex requests;
    requests.update(rec, rec.size());
    std::vector<std::string> paths = {"/io?ms=20", "/cpu?ms=3"};
    set_request_naming({&requests, &paths});

    HeadlessImGui ui({1600, 400}, Look::Studio);
    TimelineState st;
    Actions acts;
    st.follow = false;
    st.width_ns = 100'000'000;  // 100 ms over ~1450 px: ~70 µs a pixel
    std::size_t running = 0, ready = 0, timer = 0, windows = 0, flows_seen = 0, concurrent_handlers = 0;
    const std::uint64_t first = rec.first_time(), last = rec.last_time();
    REQUIRE(last - first > 500'000'000);
    for (std::uint64_t end = first + 300'000'000; end <= last; end += 97'000'000) {
        st.end_ns = end;
        ui.frame([&] { draw_timeline(view, st, acts); });
        ++windows;
        // Every burst drawn as running, per worker, in time order: none overlaps the next.
        std::map<pid_t, std::vector<Interval>> by_worker;
        for (const Burst& b : st.bursts) {
            const Lane& L = st.lanes[b.lane];
            if (b.count != 1) continue;
            if (b.state == RunState::Ready) ++ready;
            if (b.state == RunState::Parked && b.on == WaitOn::Timer) ++timer;
            if (b.state != RunState::Running || (L.kind != Lane::Kind::Greenlet && L.kind != Lane::Kind::Process)) continue;
            by_worker[L.pid].push_back({b.t0, b.t1, b.lane});
            ++running;
        }
        for (auto& [pid, runs] : by_worker) {
            std::sort(runs.begin(), runs.end(), [](const Interval& a, const Interval& b) { return a.t0 < b.t0; });
            for (std::size_t i = 1; i < runs.size(); ++i) {
                INFO("worker " << pid << ", window ending " << (end - first) / 1'000'000 << " ms: lane " << runs[i - 1].lane
                               << " runs until " << runs[i - 1].t1 - first << " ns, lane " << runs[i].lane << " from "
                               << runs[i].t0 - first << " ns");
                REQUIRE(runs[i].t0 >= runs[i - 1].t1);
            }
        }
        for (const auto& s : st.spans) {
            if (st.lanes[s.lane].kind == Lane::Kind::Client && s.req) ++flows_seen;
        }
        // The scene the old picture got wrong: two greenlets of a worker inside their handlers at once
        // (one runs /cpu, the other sleeps in /io), each once drawn as a solid bar.
        for (const auto& a : st.spans) {
            for (const auto& b : st.spans) {
                const Lane &la = st.lanes[a.lane], &lb = st.lanes[b.lane];
                concurrent_handlers += a.kind == SpanKind::Handle && b.kind == SpanKind::Handle && a.lane < b.lane &&
                                       la.kind == Lane::Kind::Greenlet && lb.kind == Lane::Kind::Greenlet &&
                                       la.pid == lb.pid && a.t0 < b.t1 && b.t0 < a.t1;
            }
        }
    }
    set_request_naming({});
    INFO(windows << " windows: " << running << " running, " << ready << " ready, " << timer << " parked on a timer, "
                 << concurrent_handlers << " pairs of handlers under way at once");
    CHECK(concurrent_handlers > 10);
    CHECK(windows >= 5);
    CHECK(running > 50);  // the picture is not empty
    CHECK(ready > 10);    // woken greenlets wait their turn
    CHECK(timer > 10);    // /io sleeps are drawn parked on a timer
    CHECK(flows_seen > 10);
}
