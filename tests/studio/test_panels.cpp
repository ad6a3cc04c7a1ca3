// tests/studio/test_panels.cpp — the panels together: an empty recording,
// the legend against the colours the panels use, one studio frame over 1 M
// events (prints its time), and a real gevent recording [process]. The
// Topology's and Timeline's own scenarios: test_panels_topology.cpp and
// test_panels_timeline.cpp.
//
// Index
//   [SECTION] Nothing yet
//   [SECTION] Legend
//   [SECTION] Scale      — 1,000 connections and 1 M events (prints the frame time)
//   [SECTION] A real recording [process]
#include <catch2/catch.hpp>

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <vector>

#include "app/studio/draw/palette.h"
#include "app/studio/panels/legend.h"
#include "app/studio/panels/timeline.h"
#include "app/studio/panels/topology.h"
#include "app/studio/synthetic.h"
#include "tests/studio/panel_harness.h"
#include "tests/studio/panel_scripts.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::panel_scripts;

// ============================================================================
// [SECTION] Nothing yet
// ============================================================================

TEST_CASE("before the first event every panel draws, and says there is nothing yet", "[studio][panels]") {
    trace::Recording rec;
    trace::TraceModel model(rec);
    model.update();
    View view = live_view(model, rec, "sync");
    HeadlessImGui ui;
    TopologyState topo;
    TimelineState timeline;
    Actions acts;
    ui.frame([&] {
        draw_topology(view, topo, acts);
        draw_timeline(view, timeline, acts);
        draw_legend(view);
    });
    REQUIRE(topo.count(TopoItemKind::Worker) == 0);
    REQUIRE(timeline.stats.lanes == 0);
    REQUIRE(timeline.stats.events_walked == 0);
    REQUIRE(acts.empty());
}

// ============================================================================
// [SECTION] Legend
// ============================================================================

TEST_CASE("legend: every colour the panels use is listed", "[studio][panels]") {
    auto has = [](std::span<const LegendEntry> list, ImU32 c) {
        return std::any_of(list.begin(), list.end(), [c](const LegendEntry& e) { return e.color == c; });
    };
    for (std::size_t i = 0; i < trace::kConnStageCount; ++i) {
        auto stage = static_cast<trace::ConnStage>(i);
        if (stage == trace::ConnStage::Closed) continue;  // closed connections are not drawn
        INFO(trace::to_string(stage));
        REQUIRE(has(topology_legend(), stage_color(stage)));
    }
    for (std::size_t i = 0; i < kSpanKindCount; ++i) {
        INFO(span_label(static_cast<SpanKind>(i)));
        REQUIRE(has(timeline_legend(), span_color(static_cast<SpanKind>(i))));
    }
    Script s;
    boot_master_and_two_workers(s);
    Scene sc(s, "sync");
    HeadlessImGui ui;
    ui.frame([&] { draw_legend(sc.view); });
    REQUIRE(HeadlessImGui::vertices() > 500);
}

// ============================================================================
// [SECTION] Scale
// ============================================================================

TEST_CASE("scale: 1,000 connections and 1 M events — one studio frame (prints its CPU time)", "[studio][panels][scale]") {
    // 4 gevent workers holding 1,000 keep-alive connections between them, then
    // requests round-robin over those connections until 1 M events, 4 µs apart.
    trace::Recording rec = synthetic_recording({.events = 1'000'000, .connections = 1000, .workers = 4, .spacing_ns = 4'000});
    trace::TraceModel model(rec, 16384);
    model.update();
    View view = live_view(model, rec, "gevent");
    REQUIRE(rec.size() >= 999'000);
    REQUIRE(model.latest().connections.size() == 1000);

    HeadlessImGui ui;
    TopologyState topo;
    TimelineState timeline;
    Actions acts;
    auto studio_frame = [&] {
        ImGui::GetIO().MousePos = {-FLT_MAX, -FLT_MAX};
        ImGui::NewFrame();
        ImGui::SetNextWindowPos({0, 0});
        ImGui::SetNextWindowSize({1070, 560});
        ImGui::Begin("Topology");
        draw_topology(view, topo, acts);
        ImGui::End();
        ImGui::SetNextWindowPos({0, 560});
        ImGui::SetNextWindowSize({1600, 440});
        ImGui::Begin("Timeline");
        draw_timeline(view, timeline, acts);
        ImGui::End();
        ImGui::SetNextWindowPos({1070, 0});
        ImGui::SetNextWindowSize({530, 560});
        ImGui::Begin("Legend");
        draw_legend(view);
        ImGui::End();
        ImGui::Render();
    };
    auto measure = [&](const char* what) {
        studio_frame();  // warm: buffers reach their size
        constexpr int kFrames = 20;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kFrames; ++i) studio_frame();
        double ms_per_frame =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / kFrames;
        std::printf("studio frame, %s: %.2f ms (timeline walked %zu events, %zu spans, %zu lanes; topology %zu tokens, %zu not shown)\n",
                    what, ms_per_frame, timeline.stats.events_walked, timeline.stats.spans_drawn, timeline.stats.lanes,
                    topo.tokens_drawn, topo.tokens_hidden);
    };
    timeline.width_ns = 500'000'000;
    {
        // The first frame also reads the whole recording once (which greenlet serves which connection).
        auto start = std::chrono::steady_clock::now();
        studio_frame();
        std::printf("studio frame, the first one over 1 M events: %.2f ms\n",
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    measure("live, 500 ms window");
    REQUIRE(timeline.stats.events_walked < 200'000);
    timeline.width_ns = 5'000'000'000;
    measure("zoomed out to all 1 M events");
    REQUIRE(timeline.stats.events_walked <= kMaxEventsPerFrame);
    REQUIRE(timeline.stats.capped);
    REQUIRE(topo.count(TopoItemKind::Worker) == 4);
}

// ============================================================================
// [SECTION] A real recording
// ============================================================================

TEST_CASE("a real gevent recording: the panels show its two workers, their lanes and spans", "[studio][panels][process]") {
    LeakCheck leaks;
    trace::Recording rec;
    {
        TracedServer ts({"-w", "2", "-k", "gevent"});
        int port = ts.server().port();
        REQUIRE(port > 0);
        REQUIRE(ts.wait_until([](const trace::Recording& r) { return count_of(r, K::WorkerBooted) >= 2; }, 10s));
        std::vector<std::future<HttpReply>> replies;
        for (int i = 0; i < 6; ++i) replies.push_back(std::async(std::launch::async, [port] { return get_close(port, "/io?ms=200"); }));
        for (auto& r : replies) REQUIRE(r.get().status == 200);
        ts.stop();
        rec = ts.recording();
    }
    trace::TraceModel model(rec);
    model.update();
    // The World while the six requests were in flight: the last HandlerStart.
    std::uint64_t busy_ns = 0;
    for (const trace::Event& e : rec.events()) {
        if (e.kind == K::HandlerStart) busy_ns = e.t_ns;
    }
    REQUIRE(busy_ns != 0);
    trace::World busy = model.world_at(busy_ns + 1'000'000);
    View view{busy, rec, model, busy.now_ns, false, false, "gevent", 2};

    HeadlessImGui ui;
    TopologyState topo;
    TimelineState timeline;
    Actions acts;
    timeline.follow = false;
    timeline.end_ns = busy.now_ns + 100'000'000;
    timeline.width_ns = 400'000'000;
    for (int i = 0; i < 12; ++i) {
        ui.frame([&] { draw_topology(view, topo, acts); }, {}, {0, 0}, {1070, 560});
    }
    INFO(trace::describe(busy));
    REQUIRE(topo.count(TopoItemKind::Worker) == 2);
    REQUIRE(topo.count(TopoItemKind::Greenlet) >= 6);  // one per request, parked in the patched sleep
    REQUIRE(topo.count(TopoItemKind::Token) >= 6);
    ui.frame([&] { draw_timeline(view, timeline, acts); });
    REQUIRE(timeline.stats.lanes >= 4 + 6);  // arbiter, accept queue, two hubs, a greenlet per request
    REQUIRE(timeline.stats.spans_drawn > 6);
}
