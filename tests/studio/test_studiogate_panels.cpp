// tests/studio/test_studiogate_panels.cpp — what issue 13 asks of the
// Topology's marks, its tokens and hover, and the status bar, drawn headless:
// a connection's hover says what the stage strip says at every step; a token
// in flight never crosses a text; a gone worker's box says why it went (kill
// -9, WORKER TIMEOUT, TERM, HUP); the status bar keeps the gate's note whole
// at 1280 px and 1600 px. Helpers: panel_harness.h.
#include <catch2/catch.hpp>

#include <imgui.h>

#include <csignal>
#include <string>
#include <vector>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/loop_step.h"
#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/status_bar.h"
#include "app/studio/panels/topology.h"
#include "tests/studio/layout_scripts.h"
#include "tests/studio/panel_harness.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::trace_script;

namespace {

std::string now_line(const std::string& tip) {
    const auto at = tip.find("now: ");
    if (at == std::string::npos) return "";
    std::string line = tip.substr(at + 5, tip.find('\n', at) - at - 5);
    return line.substr(0, line.rfind(" (for "));
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += x + "\n";
    return s;
}

}  // namespace

TEST_CASE("a connection's hover says 'now:' what the stage strip says, at every step of a sync request",
          "[studio][panels]") {
    Script s;
    boot_master_and_two_workers(s);
    sync_request(s, 10, 101, 1, 53122);
    const std::uint64_t conn = trace::make_id(101, 1);
    std::size_t checked = 0;
    for (const trace::Event& e : s.events) {
        if (e.pid != 101 || e.conn != conn || e.kind == K::Close) continue;
        // The World just after this event, as a gated step leaves it.
        Script upto;
        for (const trace::Event& f : s.events) {
            if (f.t_ns > e.t_ns || (f.t_ns == e.t_ns && &f > &e)) break;
            upto.events.push_back(f);
        }
        Scene sc(upto, "sync");
        const trace::Connection* c = sc.view.world.connection(conn);
        REQUIRE(c != nullptr);
        const LoopStep strip = loop_step(sc.view.world, live(sc.view.world, 101));
        const std::string now = now_line(explain_connection(sc.view.world, *c));
        INFO("after " << trace::to_string(e.kind) << ": strip says \"" << strip.text << "\", hover says \"" << now << "\"");
        CHECK(now == strip.text);
        ++checked;
    }
    CHECK(checked >= 8);  // Accepted … WriteDone
}

TEST_CASE("a token in flight is never drawn over a text, from the accept queue into a busy worker",
          "[panels][layout]") {
    // A busy server; one more connection is accepted into the first worker and glides there over ~150 ms.
    std::size_t ducked_in_all = 0;
    for (trace::ModelId model : {trace::ModelId::Sync, trace::ModelId::Gthread, trace::ModelId::Gevent}) {
        layout_scripts::Shape shape{model, 3, model == trace::ModelId::Sync ? 1 : 4, 16};
        Script s = layout_scripts::busy_server(shape);
        HeadlessImGui ui({1130, 560}, Look::Studio);
        Scene first(s, "sync");
        TopologyState st;
        Actions acts;
        topology_frames(ui, first, st, acts, 12);  // everything at rest

        const double t = static_cast<double>(s.events.back().t_ns) / 1e6 + 1;
        s.add(t, 1000, ev::Accepted{.conn = trace::make_id(1000, 900), .peer_port = 59000, .listen_fd = kListenFd});
        Scene sc(s, "sync");
        std::size_t ducked = 0, moving_seen = 0;
        for (int frame = 0; frame < 14; ++frame) {
            TextLayout layout;
            set_text_layout(&layout);
            topology_frames(ui, sc, st, acts, 1);
            set_text_layout(nullptr);
            ducked += st.tokens_ducked;
            for (const NotedToken& k : layout.tokens) moving_seen += k.moving ? 1 : 0;
            std::vector<std::string> dots;
            for (const std::string& f : layout_faults(layout)) {
                if (f.find("a dot") != std::string::npos) dots.push_back(f);
            }
            INFO("model " << static_cast<int>(model) << ", frame " << frame << ":\n" << joined(dots));
            CHECK(dots.empty());
        }
        CHECK(moving_seen > 0);  // it did travel, and was seen travelling
        ducked_in_all += ducked;
    }
    CHECK(ducked_in_all > 0);  // its straight path does cross texts: they are what it slipped under
}

TEST_CASE("a gone worker's box says why it went: kill -9, WORKER TIMEOUT, TERM, HUP", "[panels][topology]") {
    struct Case {
        const char* what;
        int signal;     // the arbiter's signal before the reap (0: none)
        bool timeout;   // the arbiter timed the worker out
        int status;     // the reap status
        const char* says;
    };
    const Case cases[] = {
        {"kill -9", 0, false, -SIGKILL, "killed with kill -9 (SIGKILL)"},
        {"WORKER TIMEOUT", 0, true, -SIGKILL, "WORKER TIMEOUT"},
        {"TERM", SIGTERM, false, 0, "the arbiter was told to shut down (TERM)"},
        {"HUP", SIGHUP, false, 0, "HUP reloads, new workers start"},
    };
    for (const Case& k : cases) {
        Script s;
        boot_master_and_two_workers(s);
        if (k.signal) s.add(9, kMaster, ev::SignalReceived{.signal = k.signal});
        if (k.timeout) s.add(9, kMaster, ev::WorkerTimeout{.pid = 101, .silent_ms = 30});
        s.add(10, kMaster, ev::WorkerReaped{.pid = 101, .status = k.status});
        s.add(12, 102, ev::Heartbeat{.engine_ms = 12});
        Scene sc(s, "sync");
        TopologyState st;
        HeadlessImGui ui({1130, 560}, Look::Studio);
        Actions acts;
        topology_frames(ui, sc, st, acts, 1);
        std::vector<std::string> texts = texts_of(noted_frame(ui, [&] { draw_topology(sc.view, st, acts); }));
        INFO(k.what << ":\n" << joined(texts));
        CHECK(has_text(texts, "gone"));
        CHECK(has_text(texts, k.says));
        const TopoItem* ghost = find_item(st, TopoItemKind::Worker, 101);
        const TopoItem* alive = find_item(st, TopoItemKind::Worker, 102);
        REQUIRE(ghost != nullptr);
        REQUIRE(alive != nullptr);
        // The gone box sits in a strip under the live one, which keeps its room.
        CHECK(ghost->min.y > alive->max.y);
        CHECK(alive->max.y - alive->min.y > 2 * (ghost->max.y - ghost->min.y));
    }
}

TEST_CASE("the status bar keeps every part whole: the gate's note takes a second line when one is too short",
          "[panels][layout]") {
    for (float width : {1280.0f, 1600.0f, 2560.0f}) {
        HeadlessImGui ui({width, 200}, Look::Studio);
        Script s;
        boot_master_and_two_workers(s);
        Scene sc(s, "gthread");
        sc.view.gate_note = "the step waits for thread 123456 of worker 2: its next decision point has not come; the "
                            "others stay frozen";
        SessionStatus st;
        st.engine = SessionStatus::Engine::Running;
        st.serve_pid = 4242;
        st.port = 8000;
        st.client = SessionStatus::Client::Running;
        st.gate_closed = true;
        Actions acts;
        std::vector<StatusPart> parts;
        TextLayout layout;
        ui.frame([&] { parts = status_parts(sc.view, st, false); });
        set_text_layout(&layout);
        float height = 0;
        ui.frame([&] {
            height = status_bar_height(parts, width);
            draw_status_bar(parts, 100, width, acts);
        });
        set_text_layout(nullptr);
        std::vector<std::string> texts = texts_of(layout);
        INFO("at " << width << " px:\n" << joined(texts) << joined(layout_faults(layout)));
        CHECK(layout_faults(layout).empty());
        CHECK(has_text(texts, "paused"));
        CHECK(has_text(texts, "its next decision point has not come"));
        CHECK(has_text(texts, "F1: keys"));
        // One line at 2560 px; the note needs a second one at 1280 px.
        if (width == 2560.0f) CHECK(height < 2 * ImGui::GetFrameHeight());
        if (width == 1280.0f) CHECK(height > 2 * ImGui::GetFrameHeight());
    }
}

TEST_CASE("after TERM the arbiter's box says it stopped: no worker counts and no heartbeats left to wait for",
          "[panels][topology]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(10, kMaster, ev::SignalReceived{.signal = SIGTERM});
    s.add(11, kMaster, ev::WorkerReaped{.pid = 101, .status = 0});
    s.add(11, kMaster, ev::WorkerReaped{.pid = 102, .status = 0});
    s.add(12, kMaster, ev::ArbiterStop{.status = 0});
    Scene sc(s, "sync");
    TopologyState st;
    HeadlessImGui ui({1130, 560}, Look::Studio);
    Actions acts;
    std::vector<std::string> texts = texts_of(noted_frame(ui, [&] { draw_topology(sc.view, st, acts); }));
    INFO(joined(texts));
    CHECK(has_text(texts, "stopped"));
    CHECK(has_text(texts, "no workers left"));
    CHECK_FALSE(has_text(texts, "wanted"));
    CHECK_FALSE(has_text(texts, "heartbeats:"));
}
