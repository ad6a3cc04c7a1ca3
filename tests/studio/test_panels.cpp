// tests/studio/test_panels.cpp — the Topology, Timeline and Legend panels
// drawn headless (Dear ImGui with no backend), checked for what a learner
// would see: the boxes, where each request's token sits, the words on hover,
// the spans of the visible window, and what a click or a wheel does.
//
// Index
//   [SECTION] Helpers
//   [SECTION] Topology   — sync, gthread, gevent, tornado
//   [SECTION] Timeline   — the window walked, merging, input
//   [SECTION] Legend
//   [SECTION] Scale      — 1,000 connections and 1 M events (prints the frame time)
//   [SECTION] A real recording [process]
#include <catch2/catch.hpp>

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>

#include "app/studio/draw/palette.h"
#include "app/studio/panels/legend.h"
#include "app/studio/panels/timeline.h"
#include "app/studio/panels/topology.h"
#include "tests/studio/panel_harness.h"
#include "tests/studio/panel_scripts.h"
#include "tests/support/leak_check.h"
#include "tests/support/traced_server.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::panel_scripts;

// ============================================================================
// [SECTION] Helpers
// ============================================================================

namespace {

// A recording, its model and a live View over it, kept together.
struct Scene {
    trace::Recording rec;
    trace::TraceModel model;
    View view;
    explicit Scene(const Script& s, const char* cls)
        : rec(s.recording()), model(rec, 64), view(live_view((model.update(), model), rec, cls)) {}
};

const TopoItem* find_item(const TopologyState& st, TopoItemKind kind, std::uint64_t id) {
    for (const TopoItem& it : st.items) {
        if (it.kind == kind && it.id == id) return &it;
    }
    return nullptr;
}

ImVec2 center(const TopoItem& it) { return {(it.min.x + it.max.x) / 2, (it.min.y + it.max.y) / 2}; }
bool inside(const TopoItem& inner, const TopoItem& outer) {
    ImVec2 c = center(inner);
    return c.x >= outer.min.x && c.x <= outer.max.x && c.y >= outer.min.y && c.y <= outer.max.y;
}

// Draws the topology `frames` times (tokens finish moving after ~150 ms = 9 frames).
void topology_frames(HeadlessImGui& ui, Scene& sc, TopologyState& st, Actions& acts, int frames,
                     HeadlessImGui::Input in = {}) {
    for (int i = 0; i < frames; ++i) ui.frame([&] { draw_topology(sc.view, st, acts); }, in);
}

// Hovers the item's centre for two frames (ImGui decides hovering from the previous frame).
std::string hover_text(HeadlessImGui& ui, Scene& sc, TopologyState& st, TopoItemKind kind, std::uint64_t id) {
    const TopoItem* it = find_item(st, kind, id);
    REQUIRE(it != nullptr);
    HeadlessImGui::Input in;
    in.mouse = center(*it);
    Actions acts;
    topology_frames(ui, sc, st, acts, 2, in);
    return st.tooltip;
}

}  // namespace

// ============================================================================
// [SECTION] Topology
// ============================================================================

TEST_CASE("topology, sync: two worker boxes; a just-accepted connection glides from the accept queue into worker 1",
          "[studio][panels]") {
    Script s;
    boot_master_and_two_workers(s);
    start_request(s, 10, 101, 1, 53122);  // worker 101 runs its handler at t = 15 ms
    s.events.resize(static_cast<std::size_t>(
        std::find_if(s.events.begin(), s.events.end(), [](const Event& e) { return e.kind == K::ReadStart; }) -
        s.events.begin()));  // stop right after the accept: as a gated step shows it
    Scene sc(s, "sync");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;

    topology_frames(ui, sc, st, acts, 1);
    REQUIRE(st.count(TopoItemKind::Worker) == 2);
    REQUIRE(st.count(TopoItemKind::Arbiter) == 1);
    REQUIRE(st.count(TopoItemKind::Listener) == 1);
    REQUIRE(st.count(TopoItemKind::Token) == 1);
    const std::uint64_t conn = trace::make_id(101, 1);
    const TopoItem* worker = find_item(st, TopoItemKind::Worker, 101);
    REQUIRE(worker != nullptr);
    // First frame: the token has just left the queue, still outside the worker.
    REQUIRE_FALSE(inside(*find_item(st, TopoItemKind::Token, conn), *worker));

    topology_frames(ui, sc, st, acts, 12);
    worker = find_item(st, TopoItemKind::Worker, 101);
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, conn), *worker));

    std::string tip = hover_text(ui, sc, st, TopoItemKind::Token, conn);
    INFO(tip);
    REQUIRE(tip.find("127.0.0.1:53122") != std::string::npos);
    REQUIRE(tip.find("just accepted; nothing read yet") != std::string::npos);
    REQUIRE(acts.empty());
}

TEST_CASE("topology, gthread: the queued connection waits in the executor queue; the GIL waiter says so",
          "[studio][panels]") {
    Scene sc(gthread_busy(), "gthread");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 12);

    REQUIRE(st.count(TopoItemKind::Worker) == 1);
    REQUIRE(st.count(TopoItemKind::Token) == 3);
    const TopoItem* queue = find_item(st, TopoItemKind::PoolQueue, 0);
    REQUIRE(queue != nullptr);
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, trace::make_id(kGthread, 3)), *queue));
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, trace::make_id(kGthread, 1)), *find_item(st, TopoItemKind::Thread, 2011)));
    REQUIRE(st.count(TopoItemKind::PollFd) == 1);  // the listener

    std::string tip = hover_text(ui, sc, st, TopoItemKind::Thread, 2012);
    INFO(tip);
    REQUIRE(tip.find("waiting for the GIL") != std::string::npos);
    REQUIRE(tip.find("127.0.0.1:53123") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::PoolQueue, 0);
    REQUIRE(tip.find("1 connection(s) ready to be served") != std::string::npos);
}

TEST_CASE("topology, gthread: a kept-alive connection waits in the poller's list, and the keep-alive line says so",
          "[studio][panels]") {
    Script s = gthread_busy();
    const std::uint64_t c4 = trace::make_id(kGthread, 4);
    s.conn(8, kGthread, K::Accepted, c4, 0, 53130, kListenFd);
    s.conn(8.5, kGthread, K::KeepAlivePark, c4, 0, 2000);
    s.conn(8.5, kGthread, K::PollRegister, c4, 0, 12, EPOLLIN);
    Scene sc(s, "gthread");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 12);
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, c4), *find_item(st, TopoItemKind::PollFd, 12)));
    std::string tip = hover_text(ui, sc, st, TopoItemKind::KeepAlive, 0);
    INFO(tip);
    REQUIRE(tip.find("keep-alive: 1 idle connection(s)") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::Token, c4);
    REQUIRE(tip.find("idle between requests (keep-alive)") != std::string::npos);
}

TEST_CASE("topology, gevent: a parked greenlet's hover names its fd, its client and what it waits for",
          "[studio][panels]") {
    Scene sc(gevent_busy(), "gevent");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 12);

    REQUIRE(st.count(TopoItemKind::Worker) == 1);
    REQUIRE(st.count(TopoItemKind::Greenlet) == 3);  // the acceptor, 12 and 13
    REQUIRE(st.count(TopoItemKind::PollFd) == 2);    // the listener and fd 9
    // Each connection's token sits on the greenlet serving it, not on its poll-list row.
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, trace::make_id(kGevent, 1)), *find_item(st, TopoItemKind::Greenlet, 12)));
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, trace::make_id(kGevent, 2)), *find_item(st, TopoItemKind::Greenlet, 13)));

    std::string tip = hover_text(ui, sc, st, TopoItemKind::Greenlet, 12);
    INFO(tip);
    REQUIRE(tip.find("greenlet 12, parked on fd 9 (client 127.0.0.1:53122), waiting to read the request head") !=
            std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::Greenlet, 13);
    REQUIRE(tip.find("greenlet 13, RUNNING") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::Greenlet, 1);
    REQUIRE(tip.find("the acceptor, waiting for a new connection") != std::string::npos);
}

TEST_CASE("gevent as the engine traces it: the greenlet asleep in the handler holds its connection's token, and its "
          "read and handle are on its lane", "[studio][panels]") {
    Scene sc(gevent_as_traced(), "gevent");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 12);
    const std::uint64_t c1 = trace::make_id(kGeventReal, 1);
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, c1), *find_item(st, TopoItemKind::Greenlet, 2)));
    std::string tip = hover_text(ui, sc, st, TopoItemKind::Greenlet, 2);
    INFO(tip);
    REQUIRE(tip.find("parked on a timer") != std::string::npos);
    REQUIRE(tip.find("serves client 127.0.0.1:53122: the app's handler is running") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::Greenlet, 1);
    REQUIRE(tip.find("the acceptor") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::Token, c1);
    INFO(tip);
    REQUIRE(tip.find("steps: accepted +0 µs, reading +300 µs, parsed +1.0 ms, handling +1.1 ms") != std::string::npos);

    TimelineState tl;
    tl.width_ns = ms(30);
    ui.frame([&] { draw_timeline(sc.view, tl, acts); });
    bool read_on_g2 = false, handle_on_g2 = false, accept_on_hub = false;
    for (const auto& sp : tl.spans) {
        const auto& lane = tl.lanes[sp.lane];
        bool g2 = lane.kind == timeline_detail::Lane::Kind::Greenlet && lane.green == 2;
        read_on_g2 |= g2 && sp.kind == SpanKind::Read;
        handle_on_g2 |= g2 && sp.kind == SpanKind::Handle;
        accept_on_hub |= lane.kind == timeline_detail::Lane::Kind::Process && sp.kind == SpanKind::Accept;
        // No span stays open to the window's end but the handler's and the waits.
        if (sp.t1 == tl.stats.t1_ns) REQUIRE((sp.kind == SpanKind::Handle || sp.kind == SpanKind::Wait || sp.kind == SpanKind::Parked));
    }
    REQUIRE(read_on_g2);
    REQUIRE(handle_on_g2);
    REQUIRE(accept_on_hub);
}

TEST_CASE("topology, tornado: the request runs on the loop thread", "[studio][panels]") {
    Scene sc(tornado_busy(), "tornado");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 12);
    REQUIRE(st.count(TopoItemKind::Worker) == 1);
    REQUIRE(inside(*find_item(st, TopoItemKind::Token, trace::make_id(kTornado, 1)), *find_item(st, TopoItemKind::Thread, kTornado)));
    std::string tip = hover_text(ui, sc, st, TopoItemKind::Worker, kTornado);
    REQUIRE(tip.find("IOLoop") != std::string::npos);
}

TEST_CASE("topology, tornado with its loop's events: the loop thread says which phase it is in and what waits",
          "[studio][panels]") {
    Script s = tornado_busy();
    using trace::LoopPhaseId;
    s.add(6, kTornado, K::TimerAdd, 1, 9000);
    s.add(6.1, kTornado, K::LoopPhase, static_cast<std::int64_t>(LoopPhaseId::Timers), 1);
    s.add(6.2, kTornado, K::LoopPhase, static_cast<std::int64_t>(LoopPhaseId::Callbacks), 2);
    s.add(6.3, kTornado, K::CallbackQueued, 2, static_cast<std::int64_t>(trace::LoopCallback::Request));
    Scene sc(s, "tornado");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 2);
    std::string tip = hover_text(ui, sc, st, TopoItemKind::Thread, kTornado);
    INFO(tip);
    REQUIRE(tip.find("its event loop: in the callbacks phase (2 items)") != std::string::npos);
    REQUIRE(tip.find("2 ready callbacks, 1 timers pending; 1 iterations so far") != std::string::npos);

    // The timeline draws the phases as a strip on the loop's lane.
    TimelineState tl;
    tl.width_ns = ms(2);
    ui.frame([&] { draw_timeline(sc.view, tl, acts); });
    bool timers = false, callbacks = false;
    for (const auto& m : tl.phases) {
        REQUIRE(tl.lanes[m.lane].pid == kTornado);
        timers |= m.phase == static_cast<std::int64_t>(LoopPhaseId::Timers);
        callbacks |= m.phase == static_cast<std::int64_t>(LoopPhaseId::Callbacks);
    }
    REQUIRE(timers);
    REQUIRE(callbacks);
}

namespace {
// Master 100, sync workers 101 and 102, and minicorn load (pid 900): virtual
// user 0 sent a request (path #2 of the mix) that worker 101 now handles;
// virtual user 1, a slowloris, is still connecting; virtual user 2 is
// connected and waits in the kernel's accept queue.
Script with_load_client() {
    Script s;
    boot_master_and_two_workers(s);
    const pid_t client = 900;
    s.add(5, client, K::ClientStart, 2, 0);
    const std::uint64_t a = trace::make_id(client, 1), b = trace::make_id(client, 2);
    s.conn(6, client, K::ClientConnectStart, a, 0, 0, static_cast<std::int64_t>(trace::ClientRole::Good));
    s.conn(6.5, client, K::ClientConnected, a, 0, 53122, 7);
    s.conn(6.6, client, K::ClientSendStart, a, trace::make_id(client, 11), 78, 1);
    s.conn(6.7, client, K::ClientSendEnd, a, trace::make_id(client, 11), 78);
    s.conn(7, client, K::ClientConnectStart, b, 0, 1, static_cast<std::int64_t>(trace::ClientRole::Slowloris));
    const std::uint64_t c = trace::make_id(client, 3);  // connected, in the kernel's queue: no worker has it
    s.conn(7.5, client, K::ClientConnectStart, c, 0, 2, static_cast<std::int64_t>(trace::ClientRole::Good));
    s.conn(7.6, client, K::ClientConnected, c, 0, 53140, 8);
    start_request(s, 10, 101, 1, 53122);  // the server accepts :53122 and runs its handler
    s.add(15.5, kMaster, K::AcceptQueueSample, 1, kBacklog);  // :53140 is the one left in the queue
    return s;
}
}  // namespace

TEST_CASE("topology, with minicorn load's own events: the clients column shows virtual users joined to the server's side",
          "[studio][panels]") {
    const pid_t client = 900;
    const std::uint64_t a = trace::make_id(client, 1), b = trace::make_id(client, 2);
    Scene sc(with_load_client(), "sync");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 12);
    REQUIRE(st.count(TopoItemKind::LoadClient) == 3);
    std::string tip = hover_text(ui, sc, st, TopoItemKind::LoadClient, a);
    INFO(tip);
    REQUIRE(tip.find("virtual user 0") != std::string::npos);
    REQUIRE(tip.find("waiting for the response") != std::string::npos);
    REQUIRE(tip.find("path #2 of the traffic mix") != std::string::npos);
    REQUIRE(tip.find("the server's side: the app's handler is running in worker 1 (sync)") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::Token, trace::make_id(101, 1));
    INFO(tip);
    REQUIRE(tip.find("virtual user 0 asked for path #2 of the traffic mix") != std::string::npos);
    tip = hover_text(ui, sc, st, TopoItemKind::LoadClient, b);
    INFO(tip);
    REQUIRE(tip.find("slowloris") != std::string::npos);
    REQUIRE(tip.find("no worker has accepted it yet") != std::string::npos);
    // The pending slot in the accept queue names the connected client no worker has.
    tip = hover_text(ui, sc, st, TopoItemKind::Pending, 0);
    INFO(tip);
    REQUIRE(tip.find("Connected clients no worker has accepted: vu2 :53140") != std::string::npos);
}

namespace {
// Whether the last frame drew a vertex of colour `col` inside the item's rectangle.
bool drew_colour_in(const TopoItem& it, ImU32 col) {
    ImDrawData* dd = ImGui::GetDrawData();
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        const ImDrawList* list = dd->CmdLists[l];
        for (const ImDrawVert& v : list->VtxBuffer) {
            if (v.col == col && v.pos.x >= it.min.x && v.pos.x <= it.max.x && v.pos.y >= it.min.y && v.pos.y <= it.max.y) {
                return true;
            }
        }
    }
    return false;
}
}  // namespace

TEST_CASE("topology: 'dots by: path' colours a token by the path of the mix its client asked for", "[studio][panels]") {
    Scene sc(with_load_client(), "sync");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    const std::uint64_t conn = trace::make_id(101, 1);
    topology_frames(ui, sc, st, acts, 12);
    REQUIRE(drew_colour_in(*find_item(st, TopoItemKind::Token, conn), stage_color(trace::ConnStage::Handling)));
    st.color_by = TokenColor::MixPath;
    topology_frames(ui, sc, st, acts, 1);
    const TopoItem* token = find_item(st, TopoItemKind::Token, conn);
    REQUIRE(drew_colour_in(*token, mix_color(1)));  // ClientSendStart a1 = 1: the mix's second path
    REQUIRE_FALSE(drew_colour_in(*token, stage_color(trace::ConnStage::Handling)));
}

TEST_CASE("topology: right-clicking a worker offers kill -9, which becomes a KillWorker action", "[studio][panels]") {
    Script s;
    boot_master_and_two_workers(s);
    Scene sc(s, "sync");
    HeadlessImGui ui;
    TopologyState st;
    Actions acts;
    topology_frames(ui, sc, st, acts, 1);
    const TopoItem* w = find_item(st, TopoItemKind::Worker, 102);
    REQUIRE(w != nullptr);
    // Hover the box's title line, then right-click.
    ImVec2 at{(w->min.x + w->max.x) / 2, w->min.y + 8};
    HeadlessImGui::Input in;
    in.mouse = at;
    topology_frames(ui, sc, st, acts, 2, in);
    ImGui::GetIO().MouseDown[1] = true;
    topology_frames(ui, sc, st, acts, 1, in);
    ImGui::GetIO().MouseDown[1] = false;
    REQUIRE(st.menu_pid == 102);
    topology_frames(ui, sc, st, acts, 1, in);
    // The menu's first item sits just below where it opened.
    in.mouse = {at.x + 20, at.y + ImGui::GetFrameHeight() * 0.5f + 6};
    topology_frames(ui, sc, st, acts, 2, in);
    in.left_down = true;
    topology_frames(ui, sc, st, acts, 1, in);
    in.left_down = false;
    topology_frames(ui, sc, st, acts, 1, in);
    REQUIRE(acts.size() == 1);
    REQUIRE(acts[0].kind == Action::Kind::KillWorker);
    REQUIRE(acts[0].pid == 102);
}

// ============================================================================
// [SECTION] Timeline
// ============================================================================

namespace {
// 200 sync requests alternating between workers 101 and 102, one every 15 ms.
Script many_sync_requests() {
    Script s;
    boot_master_and_two_workers(s);
    for (std::uint32_t i = 0; i < 200; ++i) {
        pid_t w = i % 2 ? 102 : 101;
        sync_request(s, 10 + 15.0 * i, w, i + 1, 50000 + i);
    }
    return s;
}
}  // namespace

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
    s.add(5000, kMaster, K::AcceptQueueSample, 0, kBacklog);  // time passes; both workers sit in select()
    Scene sc(s, "sync");
    HeadlessImGui ui;
    TimelineState st;
    Actions acts;
    st.width_ns = ms(500);  // [4.5 s, 5 s]: no event of either worker inside
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    REQUIRE(st.stats.events_walked == 1);
    REQUIRE(st.stats.spans_drawn == 2);  // one wait per worker
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
    s.add(9, kGthread, K::GilRelease, 0).tid = 2011;
    s.add(9, kGthread, K::GilAcquire, 2'000'000).tid = 2012;  // 2012 waited 7 → 9 ms
    s.add(12, kGthread, K::Heartbeat, 12);
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
    s.add(5, kMaster, K::AcceptQueueSample, 0, kBacklog);
    s.add(6, kMaster, K::AcceptQueueSample, 3, kBacklog);
    s.add(8, kMaster, K::AcceptQueueSample, 1, kBacklog);
    s.add(10, kMaster, K::AcceptQueueSample, 0, kBacklog);
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
    REQUIRE(st.tooltip.find("request 101:1") != std::string::npos);
}

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

namespace {

// 4 gevent workers holding 1,000 keep-alive connections between them, then
// requests round-robin over those connections until 1 M events: each one a
// wake, a switch, read, handle, write and a park again, 4 µs apart.
trace::Recording million_events() {
    std::vector<trace::Event> ev;
    ev.reserve(1'000'100);
    std::uint64_t t = 1'000'000;
    auto add = [&](pid_t pid, K kind, std::uint32_t green = 0, std::uint64_t conn = 0, std::uint64_t req = 0,
                   std::int64_t a0 = 0, std::int64_t a1 = 0) {
        trace::Event e{};
        e.t_ns = t;
        e.pid = pid;
        e.tid = pid;
        e.green = green;
        e.kind = kind;
        e.conn = conn;
        e.req = req;
        e.a0 = a0;
        e.a1 = a1;
        ev.push_back(e);
        t += 4'000;
    };
    const pid_t workers[] = {501, 502, 503, 504};
    add(kMaster, K::ArbiterStart, 0, 0, 0, 4);
    add(kMaster, K::ListenerOpen, 0, 0, 0, kListenFd, 8000);
    for (std::size_t i = 0; i < 4; ++i) {
        add(kMaster, K::WorkerSpawn, 0, 0, 0, workers[i], static_cast<std::int64_t>(i + 1));
        add(workers[i], K::WorkerBoot, 0, 0, 0, static_cast<std::int64_t>(i + 1), static_cast<std::int64_t>(trace::ModelId::Gevent));
        add(workers[i], K::WorkerBooted);
    }
    for (std::uint32_t c = 1; c <= 1000; ++c) {
        pid_t w = workers[c % 4];
        std::uint64_t id = trace::make_id(w, c);
        add(w, K::Accepted, 1, id, 0, 40000 + c, kListenFd);
        add(w, K::GreenSpawn, 10 + c, 0, 0, 1);
        add(w, K::ReadStart, 10 + c, id);
        add(w, K::PollRegister, 10 + c, id, 0, 100 + c, EPOLLIN);
        add(w, K::GreenPark, 10 + c, id, 0, 100 + c, EPOLLIN);
    }
    std::uint32_t seq = 0;
    while (ev.size() < 1'000'000 - 16) {
        std::uint32_t c = 1 + seq % 1000;
        pid_t w = workers[c % 4];
        std::uint32_t g = 10 + c;
        std::uint64_t id = trace::make_id(w, c), req = trace::make_id(w, 5000 + seq);
        add(w, K::PollWake, 0, 0, 0, 1);
        add(w, K::GreenWake, g, id, 0, 100 + c);
        add(w, K::GreenSwitch, g, 0, 0, 0);
        add(w, K::ReadDone, g, id, 0, 80);
        add(w, K::Parsed, g, id, req, 11);
        add(w, K::HandlerStart, g, id, req);
        add(w, K::HandlerEnd, g, id, req, 200);
        add(w, K::WriteStart, g, id, req);
        add(w, K::WriteDone, g, id, req, 150);
        add(w, K::ReadStart, g, id);
        add(w, K::GreenPark, g, id, 0, 100 + c, EPOLLIN);
        add(w, K::PollWait, 0, 0, 0, 1000, 251);
        if (seq % 64 == 0) add(w, K::Heartbeat, 0, 0, 0, static_cast<std::int64_t>(t / 1'000'000));
        ++seq;
    }
    trace::Recording rec;
    rec.append(ev);
    return rec;
}

}  // namespace

TEST_CASE("scale: 1,000 connections and 1 M events — one studio frame (prints its CPU time)", "[studio][panels][scale]") {
    trace::Recording rec = million_events();
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
