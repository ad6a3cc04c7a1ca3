// tests/studio/test_panels_topology.cpp — the Topology panel drawn headless
// for sync, gthread, gevent and tornado traces (and with minicorn load's own
// events): the boxes, where each request's token sits, the words on hover,
// and what a right click does. Helpers: panel_harness.h; scripts:
// panel_scripts.h.
#include <catch2/catch.hpp>

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <csignal>
#include <future>
#include <string>
#include <string_view>
#include <vector>

#include "app/studio/draw/palette.h"
#include "app/studio/panels/legend.h"
#include "app/studio/panels/timeline.h"
#include "app/studio/panels/topology.h"
#include "app/studio/draw/text_layout.h"
#include "tests/studio/panel_harness.h"
#include "tests/studio/panel_scripts.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::panel_scripts;

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
    REQUIRE(tip.find("now: accepted client :53122 — next: read its request") != std::string::npos);  // as the strip says
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
    s.add(8, kGthread, ev::Accepted{.conn = c4, .peer_port = 53130, .listen_fd = kListenFd});
    s.add(8.5, kGthread, ev::KeepAlivePark{.conn = c4, .deadline_ms = 2000});
    s.add(8.5, kGthread, ev::PollRegister{.conn = c4, .fd = 12, .events = EPOLLIN});
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
    s.add(6, kTornado, ev::TimerAdd{.timer = 1, .deadline_ms = 9000});
    s.add(6.1, kTornado, ev::LoopPhase{.phase = static_cast<std::int64_t>(LoopPhaseId::Timers), .items = 1});
    s.add(6.2, kTornado, ev::LoopPhase{.phase = static_cast<std::int64_t>(LoopPhaseId::Callbacks), .items = 2});
    s.add(6.3, kTornado, ev::CallbackQueued{.ready = 2, .callback = static_cast<std::int64_t>(trace::LoopCallback::Request)});
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

namespace {

// The texts the topology drew in its last frame.
std::vector<std::string> topology_texts(Scene& sc, TopologyState& st) {
    HeadlessImGui ui({1130, 560}, Look::Studio);
    Actions acts;
    topology_frames(ui, sc, st, acts, 1);
    return texts_of(noted_frame(ui, [&] { draw_topology(sc.view, st, acts); }));
}

}  // namespace

TEST_CASE("a worker killed with -9 leaves its box, fading, saying why it went, for a few seconds", "[panels][topology]") {
    trace_script::Script s;
    trace_script::boot_master_and_two_workers(s);
    s.add(10, trace_script::kMaster, ev::WorkerReaped{.pid = 101, .status = -SIGKILL});
    s.add(10, trace_script::kMaster, ev::WorkerCount{.live = 1, .wanted = 2});
    s.add(12, 102, ev::Heartbeat{.engine_ms = 12});  // 2 ms later: the mark is still there
    Scene sc(s, "sync");
    TopologyState st;
    std::vector<std::string> texts = topology_texts(sc, st);
    CHECK(has_text(texts, "gone"));
    CHECK(has_text(texts, "killed with kill -9 (SIGKILL)"));
    CHECK(find_item(st, TopoItemKind::Worker, 101) != nullptr);

    s.add(8000, 102, ev::Heartbeat{.engine_ms = 8000});  // 8 s later it has faded away
    Scene later(s, "sync");
    TopologyState st2;
    texts = topology_texts(later, st2);
    CHECK_FALSE(has_text(texts, "kill -9"));
    CHECK(find_item(st2, TopoItemKind::Worker, 101) == nullptr);
}

TEST_CASE("after TERM the topology shows nothing stale: no queue on a closed listener, no workers to come",
          "[panels][topology]") {
    trace_script::Script s;
    trace_script::boot_master_and_two_workers(s);
    s.add(10, trace_script::kMaster, ev::SignalReceived{.signal = SIGTERM});
    s.add(11, trace_script::kMaster, ev::WorkerReaped{.pid = 101});
    s.add(11, trace_script::kMaster, ev::WorkerReaped{.pid = 102});
    s.add(12, trace_script::kMaster, ev::ArbiterStop{});
    s.add(7000, trace_script::kMaster, ev::AcceptQueueSample{.backlog = trace_script::kBacklog});
    Scene sc(s, "sync");
    TopologyState st;
    std::vector<std::string> texts = topology_texts(sc, st);
    CHECK(has_text(texts, "closed: the arbiter has shut down"));
    CHECK_FALSE(has_text(texts, "accept queue"));
    CHECK(has_text(texts, "no workers: the arbiter has shut down"));
    CHECK_FALSE(has_text(texts, "no workers yet"));
}

TEST_CASE("a new engine whose first events have not come in yet says it is starting, not \"pid 0\"",
          "[panels][topology]") {
    trace_script::Script s;  // nothing yet: the studio just restarted the engine (a lesson's scenario)
    Scene sc(s, "gevent");
    TopologyState st;
    std::vector<std::string> texts = topology_texts(sc, st);
    CHECK(has_text(texts, "the engine is starting"));
    CHECK_FALSE(has_text(texts, "pid 0"));
    CHECK(has_text(texts, "no workers yet"));
    CHECK(find_item(st, TopoItemKind::Arbiter, 0) != nullptr);  // a lesson's "highlight: arbiter" rings its box
}
