// tests/studio/test_timeline_words.cpp — what the Timeline writes, drawn
// headless: one name for a request on the client's lane and the server's (a
// lesson's name replacing it everywhere), an arrow between them, ruler ticks
// at round values, the word a kill or a signal leaves, and lanes whose texts
// neither overlap nor get cut at scale 1 and 2.
#include <catch2/catch.hpp>

#include <imgui.h>

#include <csignal>
#include <set>

#include "app/studio/draw/request_label.h"
#include "app/studio/panels/timeline.h"
#include "tests/studio/panel_harness.h"
#include "tests/studio/panel_scripts.h"

using namespace minicorn;
using namespace minicorn::studio;
using namespace minicorn::testing;
using namespace minicorn::testing::panel_scripts;

namespace {

constexpr pid_t kClient = 900;
const std::uint64_t kClientReq = trace::make_id(kClient, 11);  // the client's 11th request: "#11"

// with_load_client(), the server's request joined to the client's by X-Request-Id, then done.
Script joined_request() {
    Script s = with_load_client();
    s.add(15.6, 101, ev::RequestTagged{.conn = trace::make_id(101, 1), .req = trace::make_id(101, 1), .client_req = static_cast<std::int64_t>(kClientReq)});
    finish_request(s, 40, 101, 1);
    s.add(53, kClient, ev::ClientFirstByte{.conn = trace::make_id(kClient, 1), .req = kClientReq});
    s.add(54, kClient, ev::ClientDone{.conn = trace::make_id(kClient, 1), .req = kClientReq, .status = 200, .latency_us = 48'000});
    s.add(80, kMaster, ev::AcceptQueueSample{.backlog = kBacklog});
    return s;
}

// Draws the timeline over [0, 80 ms] with the naming of `requests` installed; its texts.
std::vector<std::string> drawn_texts(HeadlessImGui& ui, Scene& sc, TimelineState& st, RequestIndex& requests) {
    std::vector<std::string> paths = {"/", "/io?ms=50"};
    requests.update(sc.rec);
    set_request_naming({&requests, &paths});
    Actions acts;
    st.follow = false;
    st.end_ns = ms(80);
    st.width_ns = ms(80);
    TextLayout layout = noted_frame(ui, [&] { draw_timeline(sc.view, st, acts); });
    set_request_naming({});
    return texts_of(layout);
}

}  // namespace

TEST_CASE("timeline: a request has one name on the client's lane and the server's; a lesson's name replaces it",
          "[studio][panels]") {
    Scene sc(joined_request(), "sync");
    HeadlessImGui ui({1600, 400}, Look::Studio);
    TimelineState st;
    RequestIndex requests;
    std::vector<std::string> texts = drawn_texts(ui, sc, st, requests);
    INFO(::Catch::Detail::stringify(texts));
    // The client's "wait for response" and the server's handler both say "#11 /io?ms=50" (path #2 of the mix).
    CHECK(has_text(texts, "wait for response #11 /io?ms=50"));
    CHECK(has_text(texts, "handle #11 /io?ms=50"));
    CHECK_FALSE(has_text(texts, "req 101"));
    CHECK(has_text(texts, "client vu0"));

    requests.set_name(kClientReq, "A");
    texts = drawn_texts(ui, sc, st, requests);
    CHECK(has_text(texts, "wait for response A"));
    CHECK(has_text(texts, "handle A"));
    CHECK_FALSE(has_text(texts, "#11"));
    // The same function names it outside the Timeline (hover texts, the Event log, the Topology).
    std::vector<std::string> paths = {"/", "/io?ms=50"};
    set_request_naming({&requests, &paths});
    CHECK(request_label(0, trace::make_id(101, 1)) == "A");
    requests.clear_names();
    CHECK(request_label(0, trace::make_id(101, 1)) == "#11 /io?ms=50");
    CHECK(request_label(0, trace::make_id(101, 1), LabelForm::Short) == "#11");
    CHECK(request_label(0, trace::make_id(102, 7)) == "req 7");  // no X-Request-Id: the server's own number
    set_request_naming({});
}

TEST_CASE("timeline: an arrow joins a client's request to the server's span that handles it", "[studio][panels]") {
    Scene sc(joined_request(), "sync");
    HeadlessImGui ui({1600, 400}, Look::Studio);
    TimelineState st;
    RequestIndex requests;
    drawn_texts(ui, sc, st, requests);
    // The flow's arrowhead: a filled triangle in the flow's colour at the server's handle span.
    bool arrow = false;
    ImDrawData* dd = ImGui::GetDrawData();
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        for (const ImDrawVert& v : dd->CmdLists[l]->VtxBuffer) arrow = arrow || v.col == IM_COL32(210, 214, 235, 120);
    }
    CHECK(arrow);
}

TEST_CASE("timeline: ruler ticks sit at round values of the time since the start, none before it", "[studio][panels]") {
    Script s;
    s.offset_ms = 1000;  // the recording begins 1 s into the clock
    boot_master_and_two_workers(s);
    for (std::uint32_t i = 0; i < 80; ++i) sync_request(s, 10 + 15.0 * i, 101, i + 1, 50000 + i);
    Scene sc(s, "sync");
    HeadlessImGui ui({1600, 400}, Look::Studio);
    TimelineState st;
    Actions acts;
    st.follow = false;
    st.width_ns = ms(2000);
    st.end_ns = ms(2200);  // the window begins 800 ms before the recording
    TextLayout layout = noted_frame(ui, [&] { draw_timeline(sc.view, st, acts); });
    std::vector<std::string> ticks;
    for (const auto& t : layout.texts) {
        if (t.text.size() > 3 && t.text.substr(t.text.size() - 3) == " ms" && t.text.find(' ') == t.text.size() - 3) ticks.push_back(t.text);
        if (t.text.size() > 2 && t.text.substr(t.text.size() - 2) == " s" && t.text.find(' ') == t.text.size() - 2) ticks.push_back(t.text);
    }
    INFO(::Catch::Detail::stringify(ticks));
    REQUIRE(ticks.size() >= 3);
    CHECK(std::set<std::string>(ticks.begin(), ticks.end()).size() == ticks.size());  // no "0 s", "0 s", "0 s"
    CHECK(ticks.front() == "0.0 s");
    CHECK(ticks[1] == "0.2 s");  // 1, 2 or 5 × 10^n: a step of 200 ms over 2 s
}

TEST_CASE("timeline: a kill -9, a WORKER TIMEOUT, a TERM and a HUP leave their word on the arbiter's lane",
          "[studio][panels]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(100, kMaster, ev::WorkerTimeout{.pid = 101, .silent_ms = 31'000});
    s.add(100.1, kMaster, ev::KillSent{.pid = 101, .signal = SIGABRT});
    s.add(300, kMaster, ev::WorkerReaped{.pid = 102, .status = -SIGKILL});
    s.add(500, kMaster, ev::SignalReceived{.signal = SIGHUP});
    s.add(700, kMaster, ev::SignalReceived{.signal = SIGTERM});
    s.add(800, kMaster, ev::AcceptQueueSample{.backlog = kBacklog});
    Scene sc(s, "sync");
    HeadlessImGui ui({1600, 400}, Look::Studio);
    TimelineState st;
    Actions acts;
    st.follow = false;
    st.end_ns = ms(800);
    st.width_ns = ms(800);
    std::vector<std::string> texts = texts_of(noted_frame(ui, [&] { draw_timeline(sc.view, st, acts); }));
    INFO(::Catch::Detail::stringify(texts));
    CHECK(has_text(texts, "WORKER TIMEOUT"));
    CHECK(has_text(texts, "reaped: kill -9"));
    CHECK(has_text(texts, "HUP"));
    CHECK(has_text(texts, "TERM"));
}

TEST_CASE("timeline: at scale 1 and 2 no lane's text is cut or drawn over another", "[studio][panels]") {
    float scale = GENERATE(1.0f, 2.0f);
    Scene sc(gevent_as_traced(), "gevent");
    HeadlessImGui ui({1600 * scale, 400 * scale}, Look::Studio, scale);
    TimelineState st;
    Actions acts;
    st.width_ns = ms(200);
    TextLayout layout = noted_frame(ui, [&] { draw_timeline(sc.view, st, acts); });
    INFO("scale " << scale << "\n" << ::Catch::Detail::stringify(texts_of(layout)));
    CHECK(layout.texts.size() > 5);
    std::vector<std::string> faults = layout_faults(layout);
    INFO(::Catch::Detail::stringify(faults));
    CHECK(faults.empty());
}

TEST_CASE("timeline: a greenlet runs, parks on its fd, is woken ready, runs, then parks on a timer; the hover says so",
          "[studio][panels]") {
    using timeline_detail::Burst;
    using timeline_detail::RunState;
    using timeline_detail::WaitOn;
    Scene sc(gevent_as_traced(), "gevent");
    HeadlessImGui ui({1600, 400}, Look::Studio);
    TimelineState st;
    Actions acts;
    st.follow = false;
    st.end_ns = ms(30);
    st.width_ns = ms(30);
    ui.frame([&] { draw_timeline(sc.view, st, acts); });
    // g#2's states in time order (a running stretch is cut where its step changes: one entry here).
    std::vector<const Burst*> g2;
    for (const Burst& b : st.bursts) {
        if (st.lanes[b.lane].kind != timeline_detail::Lane::Kind::Greenlet || st.lanes[b.lane].green != 2) continue;
        if (g2.empty() || g2.back()->state != b.state) g2.push_back(&b);
    }
    REQUIRE(g2.size() == 6);
    CHECK(g2[0]->state == RunState::Ready);    // 5.2: spawned by the acceptor
    CHECK(g2[0]->t0 == ms(5.2));
    CHECK(g2[1]->state == RunState::Running);  // 5.4: switched to, reads
    CHECK(g2[1]->step == SpanKind::Read);
    CHECK(g2[2]->state == RunState::Parked);   // 5.5: on fd 11, to read
    CHECK(g2[2]->on == WaitOn::FdRead);
    CHECK(g2[2]->detail == 11);
    CHECK(g2[3]->state == RunState::Ready);    // 6.0: woken; the hub has not switched to it yet
    CHECK(g2[4]->state == RunState::Running);  // 6.1: its read completes: it runs, then calls the app
    CHECK(g2[5]->state == RunState::Parked);   // 6.3: asleep in its handler
    CHECK(g2[5]->on == WaitOn::Timer);
    CHECK(g2[5]->step == SpanKind::Handle);
    CHECK(g2[5]->t1 == ms(30));

    // Hovering the timer's stretch names what it waits on.
    const Burst& timer = *g2[5];
    int row = st.lanes[timer.lane].row;
    ImVec2 o = ImGui::GetStyle().WindowPadding;
    float header_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().ItemSpacing.y;
    HeadlessImGui::Input in;
    in.mouse = {o.x + 150 + (timer.x0 + timer.x1) / 2, o.y + header_h + 18 + 18.0f * static_cast<float>(row) + 9};
    ui.frame([&] { draw_timeline(sc.view, st, acts); }, in);
    ui.frame([&] { draw_timeline(sc.view, st, acts); }, in);
    INFO(st.tooltip);
    CHECK(st.tooltip.find("g#2: parked: timer for ") != std::string::npos);
    CHECK(st.tooltip.find("the app sleeps") != std::string::npos);
    CHECK(st.tooltip.find("part of: g#2: handle") != std::string::npos);
}
