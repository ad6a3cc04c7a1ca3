// [trace] The Perfetto export: recordings written by hand the way the engine
// emits them (a master, pid 100, and sync workers 101 and 102), exported,
// checked against Perfetto's import rules, and read back as a user would see
// them in ui.perfetto.dev: named tracks, nested slices, request spans, the
// accept → handler arrow, the counters. The checker's own rules are tested in
// test_trace_json_check.cpp.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/trace/export.h"
#include "engine/trace/json_check.h"
#include "engine/trace/recording.h"
#include "tests/support/export_fixture.h"
#include "tests/support/run_minicorn.h"

using namespace minicorn::trace;
using namespace minicorn::testing::export_fixture;
using nlohmann::json;


// ============================================================================
// The export, read back
// ============================================================================

TEST_CASE("a served request shows as named tracks, nested phases, a request span, a flow and counters",
          "[trace]") {
    std::string text = export_chrome_json(recording(boot(), one_request()));
    require_perfetto_clean(text);
    json doc = parse(text);
    double last_ts = 0;  // written in time order: Perfetto never has to reorder anything
    for (const json& e : doc["traceEvents"]) {
        if (!e.contains("ts")) continue;
        CHECK(e["ts"].get<double>() >= last_ts);
        last_ts = e["ts"];
    }

    // Tracks: the arbiter first, then the workers by age.
    CHECK(process_name(doc, kMaster) == "arbiter");
    CHECK(process_name(doc, kW1) == "worker 1 (sync)");
    CHECK(process_name(doc, kW2) == "worker 2 (sync)");
    CHECK(sort_index(doc, kMaster) < sort_index(doc, kW1));
    CHECK(sort_index(doc, kW1) < sort_index(doc, kW2));
    CHECK(metadata(doc, "thread_name", kW1, kW1) == R"({"name":"main"})");

    // Worker 1's main thread: select, then the connection with its phases inside.
    std::vector<Slice> w1 = slices_of(doc, kW1);
    const Slice& select = slice(w1, "select");
    CHECK(select.ts == Approx(103));
    CHECK(select.end == Approx(200));
    CHECK(select.args["ready"] == 1);
    const Slice& conn = slice(w1, "connection");
    CHECK(conn.ts == Approx(202));
    CHECK(conn.end == Approx(451));
    CHECK(conn.depth == 0);
    CHECK(conn.args["peer_port"] == 50000);
    CHECK(conn.args["conn"] == "101:1");
    for (const char* phase : {"read", "handle", "write"}) {
        INFO(phase);
        const Slice& s = slice(w1, phase);
        CHECK(s.depth == 1);
        CHECK(s.ts >= conn.ts);
        CHECK(s.end <= conn.end);
    }
    CHECK(slice(w1, "read").args["bytes"] == 78);
    CHECK(slice(w1, "handle").args["status"] == 200);
    CHECK(slice(w1, "write").args["bytes"] == 150);

    // Worker 2 lost the race: an EAGAIN instant at the moment worker 1 accepted.
    auto eagain = events_where(doc, [](const json& e) {
        return e["ph"] == "i" && e["pid"] == kW2 && e["name"] == "EAGAIN" && e["ts"] == 202.0;
    });
    CHECK(eagain.size() == 1);

    // The request's lifetime as an async span keyed by its id: parsed → written.
    auto req = events_where(doc, [](const json& e) {
        return (e["ph"] == "b" || e["ph"] == "e") && e["cat"] == "request" && e["id"] == hex_id(kReq1);
    });
    REQUIRE(req.size() == 2);
    CHECK(req[0]["ph"] == "b");
    CHECK(req[0]["ts"] == Approx(261));
    CHECK(req[1]["ph"] == "e");
    CHECK(req[1]["ts"] == Approx(450));
    CHECK(req[1]["args"]["status"] == 200);
    auto conn_span = events_where(doc, [](const json& e) {
        return e.value("cat", "") == "connection" && e["id"] == hex_id(kConn1);
    });
    REQUIRE(conn_span.size() == 2);
    CHECK(conn_span[0]["ts"] == Approx(202));
    CHECK(conn_span[1]["ts"] == Approx(451));

    // The arrow from the accept to the handler: one s, one f bound to the handler.
    auto flow = events_where(doc, [](const json& e) { return e["ph"] == "s" || e["ph"] == "f"; });
    REQUIRE(flow.size() == 2);
    CHECK(flow[0]["ph"] == "s");
    CHECK(flow[0]["ts"] == Approx(202));
    CHECK(flow[1]["ph"] == "f");
    CHECK(flow[1]["ts"] == Approx(262));
    CHECK(flow[1]["bp"] == "e");
    CHECK(flow[0]["id"] == flow[1]["id"]);
    CHECK(flow[0]["name"] == flow[1]["name"]);

    // Counters on the arbiter: the accept queue as sampled, busy workers 0 → 1 → 0.
    auto queue = events_where(doc, [](const json& e) { return e["ph"] == "C" && e["name"] == "accept queue"; });
    REQUIRE(queue.size() == 2);
    CHECK(queue[0]["pid"] == kMaster);
    CHECK(queue[0]["args"]["length"] == 1);
    CHECK(queue[0]["args"]["backlog"] == 2048);
    CHECK(queue[1]["args"]["length"] == 0);
    CHECK(busy_workers(doc) == std::vector<std::int64_t>{0, 1, 0});
    auto total = events_where(doc, [](const json& e) { return e["ph"] == "C" && e["name"] == "total"; });
    REQUIRE(total.size() == 1);
    CHECK(total[0]["pid"] == kW1);
    CHECK(total[0]["args"]["requests"] == 1);

    // The master's SIGTERM: handle_term, which never returned before the stop.
    std::vector<Slice> master = slices_of(doc, kMaster);
    const Slice& term = slice(master, "handle_term");
    CHECK(term.ts == Approx(1000));
    CHECK(term.end == Approx(1300));
    CHECK(term.args["closed"] == "the arbiter stopped");
    auto reaped = events_where(doc, [](const json& e) { return e["ph"] == "i" && e["name"] == "reaped"; });
    CHECK(reaped.size() == 2);
}

TEST_CASE("a worker killed mid-request has its slices and spans closed where the master reaped it", "[trace]") {
    std::string text = export_chrome_json(recording(
        boot(), {
                    at(90, kW1, ev::SelectWait{.timeout_ms = 15000}),  // stays in select to the end
                    at(100, kW2, ev::AcceptAttempt{}),
                    at(101, kW2, ev::Accepted{.conn = kConn2, .peer_port = 50001, .listen_fd = 3}),
                    at(110, kW2, ev::ReadStart{.conn = kConn2}),
                    at(120, kW2, ev::ReadDone{.conn = kConn2, .bytes = 64}),
                    at(121, kW2, ev::Parsed{.conn = kConn2, .req = kReq2, .http = 11}),
                    at(122, kW2, ev::HandlerStart{.conn = kConn2, .req = kReq2}),  // the app blocks in a C call
                    at(30'000'200, kMaster, ev::WorkerTimeout{.pid = kW2, .silent_ms = 30'000}),
                    at(30'000'201, kMaster, ev::KillSent{.pid = kW2, .signal = SIGABRT}),
                    at(31'000'000, kMaster, ev::KillSent{.pid = kW2, .signal = SIGKILL}),
                    at(31'000'100, kMaster, ev::WorkerReaped{.pid = kW2, .status = -SIGKILL}),
                    at(31'000'200, kMaster, ev::WorkerSpawn{.pid = 103, .age = 3}),
                    at(31'000'300, 103, ev::WorkerBoot{.age = 3, .model = kSync}),
                    at(31'000'400, 103, ev::WorkerBooted{}),
                }));
    require_perfetto_clean(text);
    json doc = parse(text);

    std::vector<Slice> w2 = slices_of(doc, kW2);
    for (const char* name : {"connection", "handle"}) {
        INFO(name);
        const Slice& s = slice(w2, name);
        CHECK(s.end == Approx(31'000'100));
        CHECK(s.args["closed"] == "worker reaped: killed by SIGKILL");
    }
    CHECK(slice(w2, "read").end == Approx(120));  // finished before the app ran

    auto req_end = events_where(doc, [](const json& e) {
        return e["ph"] == "e" && e["cat"] == "request" && e["id"] == hex_id(kReq2);
    });
    REQUIRE(req_end.size() == 1);
    CHECK(req_end[0]["ts"] == Approx(31'000'100));
    auto flow = events_where(doc, [](const json& e) { return e["ph"] == "s" || e["ph"] == "f"; });
    CHECK(flow.size() == 2);  // the handler did start

    CHECK(busy_workers(doc) == std::vector<std::int64_t>{0, 1, 0});

    CHECK(process_name(doc, 103) == "worker 3 (sync)");
    auto timeout = events_where(doc, [](const json& e) { return e["ph"] == "i" && e["name"] == "WORKER TIMEOUT"; });
    REQUIRE(timeout.size() == 1);
    CHECK(timeout[0]["args"]["pid"] == kW2);
    CHECK(events_where(doc, [](const json& e) { return e["name"] == "kill SIGKILL"; }).size() == 1);

    // Worker 1 was still in select when the recording stopped.
    std::vector<Slice> w1 = slices_of(doc, kW1);
    const Slice& select = slice(w1, "select");
    CHECK(select.end == Approx(31'000'400));
    CHECK(select.args["closed"] == "end of recording");
}

TEST_CASE("connections whose handler never started get no flow and no request span", "[trace]") {
    const std::uint64_t silent = make_id(kW1, 1);
    const std::uint64_t empty = make_id(kW2, 1);
    std::string text = export_chrome_json(recording(
        boot(), {
                    at(100, kW1, ev::AcceptAttempt{}),
                    at(101, kW1, ev::Accepted{.conn = silent, .peer_port = 50002, .listen_fd = 3}),
                    at(102, kW1, ev::ReadStart{.conn = silent}),  // the client never sends a byte
                    at(200, kW2, ev::AcceptAttempt{}),
                    at(201, kW2, ev::Accepted{.conn = empty, .peer_port = 50003, .listen_fd = 3}),
                    at(202, kW2, ev::ReadStart{.conn = empty}),
                    at(203, kW2, ev::ReadDone{.conn = empty, .cut = 1}),
                    at(204, kW2, ev::ParseFailed{.conn = empty}),  // NoRequest: gunicorn sends nothing
                    at(205, kW2, ev::Close{.conn = empty}),
                    at(900, kMaster, ev::Heartbeat{}),  // anything later: the recording goes on
                }));
    require_perfetto_clean(text);
    json doc = parse(text);

    CHECK(events_where(doc, [](const json& e) { return e["ph"] == "s" || e["ph"] == "f"; }).empty());
    CHECK(events_where(doc, [](const json& e) { return e.value("cat", "") == "request"; }).empty());

    std::vector<Slice> w1 = slices_of(doc, kW1);
    CHECK(slice(w1, "connection").end == Approx(900));
    CHECK(slice(w1, "read").end == Approx(900));
    CHECK(slice(w1, "read").args["closed"] == "end of recording");
    auto span_end = events_where(doc, [&](const json& e) { return e["ph"] == "e" && e["id"] == hex_id(silent); });
    REQUIRE(span_end.size() == 1);
    CHECK(span_end[0]["ts"] == Approx(900));

    auto failed = events_where(doc, [](const json& e) { return e["name"] == "parse failed"; });
    REQUIRE(failed.size() == 1);
    CHECK(failed[0]["args"]["error"] == "NoRequest");
    CHECK(slice(slices_of(doc, kW2), "connection").end == Approx(205));
}

TEST_CASE("a gthread connection crosses threads: accepted on main, served by a pool thread", "[trace]") {
    constexpr pid_t kPool = 1101;  // worker 1's pool thread
    const auto gthread = static_cast<std::int64_t>(ModelId::Gthread);
    auto on_pool = [](Event e) {
        e.tid = kPool;
        return e;
    };
    std::string text = export_chrome_json(recording({
        at(0, kMaster, ev::ArbiterStart{.workers = 1}),
        at(10, kW1, ev::WorkerBoot{.age = 1, .model = gthread}),
        on_pool(at(11, kW1, ev::ThreadStart{.role = static_cast<std::int64_t>(ThreadRole::Pool)})),
        at(20, kW1, ev::PollWait{.timeout_ms = 1000, .fds = 1}),
        at(30, kW1, ev::PollWake{.ready = 1}),
        at(31, kW1, ev::AcceptAttempt{.listen_fd = 3}),
        at(32, kW1, ev::Accepted{.conn = kConn1, .peer_port = 50004, .listen_fd = 3}),
        at(33, kW1, ev::PoolSubmit{.conn = kConn1, .queue = 1}),
        at(34, kW1, ev::PollWait{.timeout_ms = 1000, .fds = 1}),
        on_pool(at(40, kW1, ev::PoolStart{.conn = kConn1})),
        on_pool(at(41, kW1, ev::ReadStart{.conn = kConn1})),
        on_pool(at(42, kW1, ev::ReadDone{.conn = kConn1, .bytes = 78})),
        on_pool(at(43, kW1, ev::Parsed{.conn = kConn1, .req = kReq1, .http = 11})),
        on_pool(at(44, kW1, ev::HandlerStart{.conn = kConn1, .req = kReq1})),
        on_pool(at(50, kW1, ev::HandlerEnd{.conn = kConn1, .req = kReq1, .status = 200})),
        on_pool(at(51, kW1, ev::WriteStart{.conn = kConn1, .req = kReq1})),
        on_pool(at(52, kW1, ev::WriteDone{.conn = kConn1, .req = kReq1, .bytes = 150})),
        on_pool(at(53, kW1, ev::Close{.conn = kConn1, .requests = 1})),
        on_pool(at(54, kW1, ev::PoolFinish{.conn = kConn1})),
    }));
    require_perfetto_clean(text);
    json doc = parse(text);

    CHECK(process_name(doc, kW1) == "worker 1 (gthread)");
    CHECK(metadata(doc, "thread_name", kW1, kPool) == R"({"name":"pool"})");
    auto flow = events_where(doc, [](const json& e) { return e["ph"] == "s" || e["ph"] == "f"; });
    REQUIRE(flow.size() == 2);
    CHECK(flow[0]["tid"] == kW1);  // from the accept on the main thread ...
    CHECK(flow[1]["tid"] == kPool);  // ... to the handler on the pool thread
    auto closes = events_where(doc, [](const json& e) { return e["ph"] == "i" && e["name"] == "close"; });
    REQUIRE(closes.size() == 1);
    CHECK(closes[0]["tid"] == kPool);
    CHECK(events_where(doc, [](const json& e) { return e.value("cat", "") == "unmatched"; }).empty());
    auto conn_end = events_where(doc, [](const json& e) { return e["ph"] == "e" && e["cat"] == "connection"; });
    REQUIRE(conn_end.size() == 1);
    CHECK(conn_end[0]["ts"] == Approx(53));
}

TEST_CASE("an event loop's phases are slices on its thread; the request run in the callbacks phase nests inside it",
          "[trace]") {
    constexpr std::uint64_t kConn = (std::uint64_t{kW1} << 32) | 1;
    constexpr std::uint64_t kReq = (std::uint64_t{kW1} << 32) | 1;
    auto phase = [](std::uint64_t us, LoopPhaseId id, std::int64_t items) {
        return at(us, kW1, ev::LoopPhase{.phase = static_cast<std::int64_t>(id), .items = items});
    };
    const auto request = static_cast<std::int64_t>(LoopCallback::Request);
    std::string text = export_chrome_json(recording(
        boot(), {
                    phase(100, LoopPhaseId::Timers, 0),
                    at(105, kW1, ev::TimerAdd{.timer = 1, .deadline_ms = 6000}),
                    phase(110, LoopPhaseId::Callbacks, 1),
                    at(115, kW1, ev::CallbackRun{.conn = kConn, .callback = request}),
                    at(116, kW1, ev::Parsed{.conn = kConn, .req = kReq, .http = 11}),
                    at(120, kW1, ev::HandlerStart{.conn = kConn, .req = kReq}),
                    at(200, kW1, ev::HandlerEnd{.conn = kConn, .req = kReq, .status = 200}),
                    phase(210, LoopPhaseId::Poll, 2),
                    at(220, kW1, ev::PollWait{.timeout_ms = 1000, .fds = 2}),
                    at(300, kW1, ev::PollWake{.ready = 1}),
                    phase(310, LoopPhaseId::Dispatch, 1),
                    at(320, kW1, ev::TimerFire{.timer = 1}),
                }));
    require_perfetto_clean(text);
    json doc = parse(text);
    std::vector<Slice> w1 = slices_of(doc, kW1);
    const Slice& callbacks = slice(w1, "2 callbacks");
    CHECK(callbacks.ts == Approx(110));
    CHECK(callbacks.end == Approx(210));
    CHECK(callbacks.depth == 0);
    CHECK(callbacks.args["items"] == 1);
    const Slice& handle = slice(w1, "handle");
    CHECK(handle.depth == 1);
    CHECK(handle.ts == Approx(120));
    CHECK(handle.end == Approx(200));
    const Slice& poll = slice(w1, "3 poll");
    CHECK(poll.end == Approx(310));
    CHECK(slice(w1, "poll").depth == 1);  // the PollWait..PollWake inside its phase
    CHECK(slice(w1, "1 timers").end == Approx(110));
    CHECK(slice(w1, "4 dispatch").end == Approx(320));  // open until the recording ends
    auto run = events_where(doc, [](const json& e) { return e["ph"] == "i" && e["name"] == "run callback"; });
    REQUIRE(run.size() == 1);
    CHECK(run[0]["args"]["callback"] == "request");
    CHECK(run[0]["args"]["conn"] == "101:1");
    auto add = events_where(doc, [](const json& e) { return e["ph"] == "i" && e["name"] == "timer add"; });
    REQUIRE(add.size() == 1);
    CHECK(add[0]["args"]["deadline_ms"] == 6000);
}

TEST_CASE("the export is a pure function of the recording, and an empty one is a valid trace", "[trace]") {
    Recording rec = recording(boot(), one_request());
    CHECK(export_chrome_json(rec) == export_chrome_json(rec));

    std::string empty = export_chrome_json(Recording{});
    require_perfetto_clean(empty);
    CHECK(parse(empty)["traceEvents"].empty());

    std::string first = export_chrome_json(recording(boot()));
    CHECK(first.rfind("{\"traceEvents\":[", 0) == 0);  // Perfetto sniffs JSON by this opening
    CHECK(parse(first)["otherData"]["first_event_ns"] == std::to_string(kStartNs));
}

TEST_CASE("write_chrome_json writes the export, and says why it cannot", "[trace]") {
    Recording rec = recording(boot(), one_request());
    auto dir = std::filesystem::temp_directory_path() / ("minicorn-export-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "trace.json").string();
    std::string error;
    REQUIRE(write_chrome_json(rec, path, &error));
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str() == export_chrome_json(rec));

    std::string nowhere = (dir / "missing" / "trace.json").string();
    CHECK_FALSE(write_chrome_json(rec, nowhere, &error));
    CHECK(error.find(nowhere) != std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_CASE("any recording, however garbled, exports to a trace Perfetto imports as written", "[trace]") {
    // Recordings that start mid-phase, lose events to full rings, reuse ids or
    // end while everything is open: random kinds on random threads, with equal
    // timestamps. The exporter must still close, nest and pair everything.
    for (unsigned seed = 0; seed < 200; ++seed) {
        std::mt19937 rng(seed);
        auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        std::vector<Event> events;
        std::uint64_t us = 0;
        for (int i = 0, n = 20 + pick(300); i < n; ++i) {
            us += static_cast<std::uint64_t>(pick(3) == 0 ? 0 : pick(50));
            auto pid = static_cast<pid_t>(kMaster + pick(4));
            auto owner = static_cast<pid_t>(kMaster + pick(4));
            auto seq = static_cast<std::uint32_t>(1 + pick(3));
            // Random fields: no kind's meaning applies.
            Event e = at(us, pid, static_cast<EventKind>(1 + pick(static_cast<int>(kEventKindCount) - 1)));
            e.conn = pick(4) == 0 ? 0 : make_id(owner, seq);
            e.req = pick(3) == 0 ? 0 : make_id(owner, seq);
            e.a0 = pick(4) == 0 ? kMaster + pick(4) : pick(20) - 5;
            e.a1 = pick(20) - 10;
            if (pick(4) == 0) e.tid = pid + 1000;  // a second thread
            events.push_back(e);
        }
        INFO("seed " << seed);
        require_perfetto_clean(export_chrome_json(recording(events)));
    }
}
