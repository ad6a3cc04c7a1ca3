// tests/studio/test_layout.cpp — the layout checker (draw/text_layout.h) and
// the panels it checks: drawn headless with the studio's own font, at the
// sizes the studio gives them, no text is cut off, no two texts overlap and
// no resting dot lies on a text — for every model, 1 to 8 workers and 1 to 16
// threads (greenlets).
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "app/studio/draw/shapes.h"
#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/controls.h"
#include "app/studio/panels/event_log.h"
#include "app/studio/panels/legend.h"
#include "tests/studio/layout_scripts.h"
#include "tests/studio/panel_scripts.h"
#include "tests/studio/panel_harness.h"

using namespace minicorn;
using namespace minicorn::testing;
using layout_scripts::Shape;

namespace {

// Where the studio puts the Topology panel's contents in a window of this size (studio.cpp's layout).
ImVec2 topology_size(float w, float h) { return {w - std::clamp(w * 0.27f, 360.0f, 470.0f) - 16, (h - 30) * 0.58f - 40}; }

const char* class_name(trace::ModelId m) {
    switch (m) {
        case trace::ModelId::Sync: return "sync";
        case trace::ModelId::Gthread: return "gthread";
        case trace::ModelId::Gevent: return "gevent";
        case trace::ModelId::Eventlet: return "eventlet";
        case trace::ModelId::Asyncio: return "asyncio";
        case trace::ModelId::Tornado: return "tornado";
        default: return "?";
    }
}

// The faults of the topology's last frame after the tokens came to rest.
std::vector<std::string> topology_faults(const Shape& shape, ImVec2 size) {
    HeadlessImGui ui(size, Look::Studio);
    Scene sc(layout_scripts::busy_server(shape), class_name(shape.model));
    studio::TopologyState st;
    studio::Actions acts;
    topology_frames(ui, sc, st, acts, 12);
    studio::TextLayout layout;
    studio::set_text_layout(&layout);
    topology_frames(ui, sc, st, acts, 1);
    studio::set_text_layout(nullptr);
    REQUIRE(layout.texts.size() > 10);
    return studio::layout_faults(layout);
}

std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < 12; ++i) s += v[i] + "\n";
    if (v.size() > 12) s += "… and " + std::to_string(v.size() - 12) + " more\n";
    return s;
}

}  // namespace

TEST_CASE("without the client's own events the clients column (peer ports, as the server saw them) is legible",
          "[panels][layout]") {
    for (trace::ModelId model : {trace::ModelId::Sync, trace::ModelId::Gthread, trace::ModelId::Gevent}) {
        std::vector<std::string> faults = topology_faults({model, 3, 4, 0}, topology_size(1280, 720));
        INFO(class_name(model) << ":\n" << joined(faults));
        CHECK(faults.empty());
    }
}

TEST_CASE("the layout checker finds a cut text, two texts on each other and a dot on a text", "[panels][layout]") {
    HeadlessImGui ui({400, 200}, Look::Studio);
    studio::TextLayout layout;
    studio::set_text_layout(&layout);
    ui.frame([] {
        ImDrawList* dl = ImGui::GetWindowDrawList();
        studio::draw_text_clipped(dl, {10, 10}, 60, IM_COL32_WHITE, "a sentence far too long for sixty pixels");
        studio::draw_text(dl, {10, 40}, IM_COL32_WHITE, "waiting");
        studio::draw_text(dl, {30, 45}, IM_COL32_WHITE, "reading");
        studio::draw_text(dl, {10, 100}, IM_COL32_WHITE, "thread 7 idle");
        studio::note_token(dl, {20, 98}, {30, 108}, 7, false);
        studio::note_token(dl, {20, 140}, {30, 150}, 8, false);  // on nothing
    });
    studio::set_text_layout(nullptr);
    std::vector<std::string> faults = studio::layout_faults(layout);
    INFO(joined(faults));
    REQUIRE(faults.size() == 3);
    CHECK(faults[0].find("cut off") != std::string::npos);
    CHECK(faults[1].find("overlap") != std::string::npos);
    CHECK(faults[2].find("dot (conn 7)") != std::string::npos);
}

TEST_CASE("the layout checker: an open menu covers the panel under it, but two of its own texts still overlap",
          "[panels][layout]") {
    studio::TextLayout layout;
    layout.texts.push_back({"Topology", "Clients (8 connections)", {14, 51, 162, 66}});
    layout.texts.push_back({"##Menu_00", "the same traffic to all", {47, 46, 368, 61}});  // drawn over it
    layout.tokens.push_back({"Topology", 7, {200, 50, 208, 58}, false});                 // a dot under the menu
    CHECK(studio::layout_faults(layout).empty());
    layout.texts.push_back({"##Menu_00", "sync", {60, 50, 115, 71}});                    // on the menu's own text
    std::vector<std::string> faults = studio::layout_faults(layout);
    INFO(joined(faults));
    REQUIRE(faults.size() == 1);
    CHECK(faults[0].find("\"the same traffic to all\"") != std::string::npos);
    CHECK(faults[0].find("\"sync\"") != std::string::npos);
}

TEST_CASE("the topology of every model is legible with 1 to 8 workers and 1 to 16 threads", "[panels][layout]") {
    using trace::ModelId;
    for (ModelId model : {ModelId::Sync, ModelId::Gthread, ModelId::Gevent, ModelId::Eventlet, ModelId::Asyncio,
                          ModelId::Tornado}) {
        for (int workers : {1, 2, 3, 4, 8}) {
            std::vector<int> per = model == ModelId::Sync ? std::vector<int>{1} : std::vector<int>{1, 4, 8, 16};
            for (int n : per) {
                Shape shape{model, workers, n, 16};
                for (ImVec2 window : {ImVec2{1600, 1000}, ImVec2{1280, 720}}) {
                    std::vector<std::string> faults = topology_faults(shape, topology_size(window.x, window.y));
                    INFO(class_name(model) << ", " << workers << " workers, " << n << " threads/connections each, in a "
                                           << window.x << "×" << window.y << " window:\n"
                                           << joined(faults));
                    CHECK(faults.empty());
                }
            }
        }
    }
}

TEST_CASE("the legend's lines and the server log wrap in the narrow right-hand panel", "[panels][layout]") {
    HeadlessImGui ui({432, 2000}, Look::Studio);
    trace::Recording rec;
    trace::TraceModel model(rec, 8);
    model.update();
    studio::View view = live_view(model, rec, "gthread");
    studio::EventLogState log;
    log.output.push_back({1, false, "[2026-12-03 06:50:12 +0000] [28043] [CRITICAL] WORKER TIMEOUT (pid:28046) — "
                                 "the arbiter kills the worker that stopped sending heartbeats"});
    // One frame of each, checked alone (they share the panel's place by tabs).
    auto faults_of = [&ui](const std::function<void()>& draw) {
        studio::TextLayout layout = noted_frame(ui, draw);
        REQUIRE(!layout.texts.empty());
        return studio::layout_faults(layout);
    };
    std::vector<std::string> faults = faults_of([&] { studio::draw_legend(view); });
    for (auto& f : faults_of([&] { studio::draw_event_log(view, log); })) faults.push_back(f);
    for (auto& f : faults_of([&] { studio::draw_server_log(log); })) faults.push_back(f);
    INFO(joined(faults));
    CHECK(faults.empty());
}

namespace {

// The texts the Controls panel draws for `serve` flags, in a 460×600 panel, and its layout faults.
std::vector<std::string> controls_texts(const std::vector<std::string>& serve, std::vector<std::string>& faults) {
    HeadlessImGui ui({460, 600}, Look::Studio);
    trace::Recording rec;
    trace::TraceModel model(rec, 8);
    model.update();
    studio::View view = live_view(model, rec, serve[1].c_str());
    studio::ControlsState state;
    studio::init_controls(state, serve);
    studio::SessionStatus status;
    status.engine = studio::SessionStatus::Engine::Running;
    studio::Actions acts;
    studio::TextLayout layout = noted_frame(ui, [&] { studio::draw_controls(view, state, status, acts); });
    faults = studio::layout_faults(layout);
    return texts_of(layout);
}

}  // namespace

TEST_CASE("Controls say where a model differs: sync with threads runs gthread, and which settings it ignores",
          "[panels][layout]") {
    std::vector<std::string> faults;
    SECTION("-k sync --threads 4 runs gthread, and says so under the worker class") {
        auto texts = controls_texts({"-k", "sync", "--threads", "4"}, faults);
        CHECK(has_text(texts, "sync with threads > 1 runs gthread, as gunicorn does"));
        CHECK_FALSE(has_text(texts, "ignored"));  // as gthread, it uses threads, keepalive and worker_connections
    }
    SECTION("-k sync ignores keepalive and worker_connections, and says why") {
        auto texts = controls_texts({"-k", "sync"}, faults);
        CHECK(has_text(texts, "keepalive \u00B7 ignored"));
        CHECK(has_text(texts, "worker_connections \u00B7 ignored"));
        CHECK_FALSE(has_text(texts, "threads \u00B7 ignored"));  // threads > 1 would make it gthread
        CHECK_FALSE(has_text(texts, "runs gthread"));
    }
    SECTION("-k gevent ignores threads") {
        auto texts = controls_texts({"-k", "gevent"}, faults);
        CHECK(has_text(texts, "threads \u00B7 ignored"));
        CHECK_FALSE(has_text(texts, "worker_connections \u00B7 ignored"));
    }
    INFO(joined(faults));
    CHECK(faults.empty());
}

TEST_CASE("with dots by path, the Legend and the client rows name the path of the mix, not its number",
          "[panels][layout]") {
    Scene sc(panel_scripts::with_load_client(), "sync");
    sc.view.mix_paths = {"/io?ms=50", "/cpu?ms=10"};
    HeadlessImGui ui({1130, 560}, Look::Studio);
    studio::TopologyState st;
    st.color_by = studio::TokenColor::MixPath;
    studio::Actions acts;
    topology_frames(ui, sc, st, acts, 2);
    studio::TextLayout layout;
    studio::set_text_layout(&layout);
    topology_frames(ui, sc, st, acts, 1);  // virtual user 0 asked for path #2
    ui.frame([&] { studio::draw_legend(sc.view); });
    studio::set_text_layout(nullptr);
    std::vector<std::string> texts = texts_of(layout);
    CHECK(has_text(texts, "vu0 #11  /cpu?ms=10"));  // its request, by its one name (draw/request_label.h)
    CHECK(has_text(texts, "/io?ms=50"));
    CHECK(std::find(texts.begin(), texts.end(), "#1") == texts.end());  // a path is not named by its number
}

TEST_CASE("the Event log hides samples and bookkeeping unless asked, so a request's steps stand out",
          "[panels][layout]") {
    trace_script::Script s;
    trace_script::boot_master_and_two_workers(s);
    trace_script::start_request(s, 10, 101, 1, 53122);  // with an AcceptQueueSample and a Heartbeat among its steps
    Scene sc(s, "sync");
    HeadlessImGui ui({432, 3000}, Look::Studio);
    studio::EventLogState log;
    std::vector<std::string> texts = texts_of(noted_frame(ui, [&] { studio::draw_event_log(sc.view, log); }));
    CHECK(has_text(texts, "HandlerStart"));
    CHECK_FALSE(has_text(texts, "AcceptQueueSample"));
    CHECK_FALSE(has_text(texts, "Heartbeat"));
    log.show_bookkeeping = true;
    texts = texts_of(noted_frame(ui, [&] { studio::draw_event_log(sc.view, log); }));
    CHECK(has_text(texts, "AcceptQueueSample"));
    CHECK(has_text(texts, "Heartbeat"));
}
