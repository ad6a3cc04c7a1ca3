// tests/studio/test_panels_timeline.cpp — the Timeline panel drawn headless:
// the window walked, merging, lanes and their caps, greenlets' and clients'
// lanes, the accept queue, and what a click, a drag or a wheel does.
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
#include "tests/studio/panel_harness.h"
#include "tests/studio/panel_scripts.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::panel_scripts;

// ============================================================================
// [SECTION] Timeline
// ============================================================================

TEST_CASE("timeline: walks only the visible window's events; its spans stay inside it", "[studio][panels]") {
    Scene sc(many_sync_requests(), "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.follow = false;
    st.end_ns = ms(1500);
    st.width_ns = ms(100);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });

    std::size_t expected = sc.rec.lower_bound(ms(1500) + 1) - sc.rec.lower_bound(ms(1400));
    REQUIRE(st.stats.events_walked == expected);
    REQUIRE(st.stats.events_walked < sc.rec.size() / 10);
    REQUIRE(st.stats.lanes == 4);  // the arbiter, the accept queue and two workers
    REQUIRE(st.stats.spans_drawn > 10);
    REQUIRE(st.stats.first_span_ns >= ms(1400));
    REQUIRE(st.stats.last_span_ns <= ms(1500));
    REQUIRE_FALSE(st.stats.capped);
}

TEST_CASE("timeline: zoomed out, spans narrower than a pixel merge", "[studio][panels]") {
    Scene sc(many_sync_requests(), "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(60'000);  // a minute: each 12 ms request is far below a pixel
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    REQUIRE(st.stats.spans_merged > 1000);
    REQUIRE(st.stats.spans_drawn < 100);
    REQUIRE(st.stats.events_walked == sc.rec.size());
}

TEST_CASE("timeline: a quiet worker in select() still shows its wait across the whole window", "[studio][panels]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(5000, kMaster, ev::AcceptQueueSample{.backlog = kBacklog});  // time passes; both workers sit in select()
    Scene sc(s, "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(500);  // [4.5 s, 5 s]: no event of either worker inside
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    REQUIRE(st.stats.events_walked == 1);
    // One wait per worker, drawn as its main thread parked in the poller across the window.
    std::size_t waits = 0;
    for (const auto& b : st.bursts) {
        waits += b.state == timeline_detail::RunState::Parked && b.on == timeline_detail::WaitOn::Poll && b.t0 == ms(4500) &&
                 b.t1 == ms(5000);
    }
    REQUIRE(waits == 2);
    REQUIRE(st.stats.first_span_ns == ms(4500));
}

TEST_CASE("timeline: a click shows that instant; a drag leaves live; back to live follows again; ctrl+wheel zooms",
          "[studio][panels]") {
    Scene sc(many_sync_requests(), "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    auto frame = [&](HeadlessImGui::Input in) { ui.frame([&] { draw_timeline(sc.view, st, acts); }, in); };
    HeadlessImGui::Input in;
    in.mouse = {900, 400};
    frame(in);
    frame(in);

    // ctrl+wheel: zoom in around the right edge while live.
    std::uint64_t w0 = st.width_ns;
    in.wheel = 1;
    in.ctrl = true;
    frame(in);
    in.wheel = 0;
    in.ctrl = false;
    REQUIRE(st.width_ns < w0);
    REQUIRE(st.follow);

    // A click (press, release, no movement): ShowInstant at the time under the mouse.
    in.left_down = true;
    frame(in);
    in.left_down = false;
    frame(in);
    REQUIRE(acts.size() == 1);
    REQUIRE(acts[0].kind == Action::Kind::ShowInstant);
    REQUIRE(acts[0].t_ns >= st.stats.t0_ns);
    REQUIRE(acts[0].t_ns <= st.stats.t1_ns);
    REQUIRE_FALSE(st.follow);
    acts.clear();

    // A drag to the right shows earlier times.
    st.follow = true;
    std::uint64_t end_before = st.stats.t1_ns;
    in.left_down = true;
    frame(in);
    for (int i = 0; i < 5; ++i) {
        in.mouse.x += 40;
        frame(in);
    }
    in.left_down = false;
    frame(in);
    REQUIRE_FALSE(st.follow);
    REQUIRE(st.end_ns < end_before);
    REQUIRE(acts.empty());  // a drag is not a click

    // "back to live" is the first thing on the header line.
    ImVec2 pad = ImGui::GetStyle().WindowPadding;
    in.mouse = {pad.x + 12, pad.y + 6};
    frame(in);
    frame(in);
    in.left_down = true;
    frame(in);
    in.left_down = false;
    frame(in);
    REQUIRE(st.follow);
    REQUIRE(acts.size() == 1);
    REQUIRE(acts[0].kind == Action::Kind::FollowLive);
}

TEST_CASE("timeline, gthread: a GIL wait is a span on the waiting thread's lane; an uncontended acquire is none",
          "[studio][panels]") {
    Script s = gthread_busy();
    s.add(9, kGthread, ev::GilRelease{}).tid = 2011;
    s.add(9, kGthread, ev::GilAcquire{.waited_ns = 2'000'000}).tid = 2012;  // 2012 waited 7 → 9 ms
    s.add(12, kGthread, ev::Heartbeat{.engine_ms = 12});
    Scene sc(s, "gthread");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(12);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    std::size_t blocked = 0;
    for (const auto& sp : st.spans) {
        if (sp.kind != SpanKind::Blocked) continue;
        ++blocked;
        REQUIRE(st.lanes[sp.lane].tid == 2012);
        REQUIRE(sp.t0 == ms(7));
        REQUIRE(sp.t1 == ms(9));
    }
    REQUIRE(blocked == 1);
    REQUIRE(st.stats.lanes == 5);  // the arbiter, the accept queue, the worker's main thread, two pool threads
}

TEST_CASE("timeline: each client connection of minicorn load has a lane: connect, send, then waiting", "[studio][panels]") {
    Scene sc(with_load_client(), "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(20);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    std::size_t client_lanes = 0;
    for (const auto& lane : st.lanes) client_lanes += lane.kind == timeline_detail::Lane::Kind::Client ? 1 : 0;
    REQUIRE(client_lanes == 3);
    const std::uint64_t a = trace::make_id(900, 1);
    std::vector<SpanKind> steps;
    for (const auto& sp : st.spans) {
        if (st.lanes[sp.lane].client == a) steps.push_back(sp.kind);
    }
    REQUIRE(steps == std::vector<SpanKind>{SpanKind::Accept, SpanKind::Read, SpanKind::Handle});
    // The clients sit below the server's lanes.
    REQUIRE(st.lanes[st.order.back()].kind == timeline_detail::Lane::Kind::Client);
}

TEST_CASE("timeline: greenlets over the lane cap are left out, not drawn on the hub's lane", "[studio][panels]") {
    Scene sc(gevent_many(12), "gevent");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(20);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    std::size_t green_lanes = 0;
    for (const auto& lane : st.lanes) green_lanes += lane.kind == timeline_detail::Lane::Kind::Greenlet ? 1 : 0;
    REQUIRE(green_lanes == kMaxGreenLanesPerProcess);
    REQUIRE(st.stats.lanes_hidden >= 12 - kMaxGreenLanesPerProcess);
    for (const auto& sp : st.spans) {
        const auto& lane = st.lanes[sp.lane];
        if (lane.kind == timeline_detail::Lane::Kind::Process && lane.pid == kGeventMany) {
            REQUIRE(sp.kind != SpanKind::Read);
            REQUIRE(sp.kind != SpanKind::Handle);
        }
    }
    // The greenlets shown are the ones alive at the right edge, newest first.
    bool newest_shown = false;
    for (const auto& lane : st.lanes) newest_shown |= lane.kind == timeline_detail::Lane::Kind::Greenlet && lane.green == 13;
    REQUIRE(newest_shown);
}

TEST_CASE("timeline: in replay the instant shown sits three quarters across; back to live asks to follow again",
          "[studio][panels]") {
    Scene sc(many_sync_requests(), "sync");
    trace::World then = sc.model.world_at(ms(1000));
    View replay{then, sc.rec, sc.model, ms(1000), false, false, "sync", 2};
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(200);
    ui.frame([&] { draw_timeline(replay, st, acts); });
    REQUIRE(st.stats.t0_ns == ms(850));
    REQUIRE(st.stats.t1_ns == ms(1050));
    ImVec2 pad = ImGui::GetStyle().WindowPadding;
    HeadlessImGui::Input in;
    in.mouse = {pad.x + 12, pad.y + 6};
    ui.frame([&] { draw_timeline(replay, st, acts); }, in);
    in.left_down = true;
    ui.frame([&] { draw_timeline(replay, st, acts); }, in);
    in.left_down = false;
    ui.frame([&] { draw_timeline(replay, st, acts); }, in);
    REQUIRE(acts.size() == 1);
    REQUIRE(acts[0].kind == Action::Kind::FollowLive);
}

TEST_CASE("timeline: the kernel's accept queue is a lane of its own, under the arbiter; hovering reads its length",
          "[studio][panels]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(5, kMaster, ev::AcceptQueueSample{.backlog = kBacklog});
    s.add(6, kMaster, ev::AcceptQueueSample{.length = 3, .backlog = kBacklog});
    s.add(8, kMaster, ev::AcceptQueueSample{.length = 1, .backlog = kBacklog});
    s.add(10, kMaster, ev::AcceptQueueSample{.backlog = kBacklog});
    Scene sc(s, "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(10);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    REQUIRE(st.lanes[st.order[1]].kind == timeline_detail::Lane::Kind::Queue);
    const timeline_detail::Sample* three = nullptr;
    for (const auto& smp : st.samples) {
        if (smp.len == 3) three = &smp;
    }
    REQUIRE(three != nullptr);
    ImVec2 o = ImGui::GetStyle().WindowPadding;
    float header_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().ItemSpacing.y;
    HeadlessImGui::Input in;
    in.mouse = {o.x + 150 + three->x + 3, o.y + header_h + 18 + 18.0f * 1 + 9};
    ui.frame([&] { draw_timeline(sc.view, st, acts); }, in);
    ui.frame([&] { draw_timeline(sc.view, st, acts); }, in);
    INFO(st.tooltip);
    REQUIRE(st.tooltip.find("3 connection(s) waiting for a worker's accept() (backlog 2048)") != std::string::npos);
}

TEST_CASE("timeline: hovering a span tells its step, duration and request", "[studio][panels]") {
    Scene sc(many_sync_requests(), "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.follow = false;
    st.end_ns = ms(24);  // the first request of worker 101, 10..22 ms
    st.width_ns = ms(20);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    // Find the handle span (15..19 ms) and hover it.
    const timeline_detail::Span* handle = nullptr;
    for (const auto& sp : st.spans) {
        if (sp.kind == SpanKind::Handle) handle = &sp;
    }
    REQUIRE(handle != nullptr);
    int row = st.lanes[handle->lane].row;
    ImVec2 o = ImGui::GetStyle().WindowPadding;
    float header_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().ItemSpacing.y;
    HeadlessImGui::Input in;
    in.mouse = {o.x + 150 + (handle->x0 + handle->x1) / 2, o.y + header_h + 18 + 18.0f * static_cast<float>(row) + 9};
    ui.frame([&] { draw_timeline(sc.view, st, acts); }, in);
    ui.frame([&] { draw_timeline(sc.view, st, acts); }, in);
    INFO(st.tooltip);
    REQUIRE(st.tooltip.find("handle for 4.0 ms") != std::string::npos);
    REQUIRE(st.tooltip.find("server id 101:1") != std::string::npos);
}
