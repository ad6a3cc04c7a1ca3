// tests/support/export_fixture.h — recordings written by hand the way the
// engine emits them (a master, pid 100, and sync workers 101 and 102), and
// readers of the exported JSON as a user sees it in ui.perfetto.dev: tracks,
// nested slices, counters. Shared by test_trace_export*.cpp.
#pragma once

#include <sys/types.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace/ev.h"
#include "engine/trace/event.h"
#include "engine/trace/json_check.h"
#include "engine/trace/recording.h"

namespace minicorn::testing::export_fixture {

using namespace minicorn::trace;
using nlohmann::json;

inline constexpr pid_t kMaster = 100;
inline constexpr pid_t kW1 = 101;
inline constexpr pid_t kW2 = 102;
inline constexpr std::uint64_t kStartNs = 5'000'000'000;  // CLOCK_MONOTONIC of the first event

// One event `us` microseconds after the first, on the process's main thread:
//     at(202, kW1, ev::Accepted{.conn = kConn1, .peer_port = 50000, .listen_fd = 3})
template <typename Kind>
Event at(std::uint64_t us, pid_t pid, const Kind& event) {
    return event.event(kStartNs + us * 1000, pid, pid);
}
// Any kind, its fields left for the caller to set (random recordings).
inline Event at(std::uint64_t us, pid_t pid, EventKind kind) {
    Event e = ev::stamped(kStartNs + us * 1000, pid, pid);
    e.kind = kind;
    return e;
}

inline constexpr auto kSync = static_cast<std::int64_t>(ModelId::Sync);

// What `minicorn serve -w 2` emits before any client: the master starts,
// opens the listener and forks two sync workers, which boot.
inline std::vector<Event> boot() {
    return {
        at(0, kMaster, ev::ArbiterStart{.workers = 2}),
        at(10, kMaster, ev::ListenerOpen{.fd = 3, .port = 8000}),
        at(20, kMaster, ev::WorkerSpawn{.pid = kW1, .age = 1}),
        at(30, kMaster, ev::WorkerSpawn{.pid = kW2, .age = 2}),
        at(40, kW1, ev::WorkerBoot{.age = 1, .model = kSync}),
        at(50, kW2, ev::WorkerBoot{.age = 2, .model = kSync}),
        at(60, kW1, ev::WorkerBooted{}),
        at(61, kW2, ev::WorkerBooted{}),
        at(70, kMaster, ev::WorkerCount{.live = 2, .wanted = 2}),
    };
}

inline Recording recording(std::vector<Event> events, std::vector<Event> more = {}) {
    events.insert(events.end(), more.begin(), more.end());
    Recording rec;
    rec.append(events);
    return rec;
}

inline json parse(const std::string& text) { return json::parse(text); }

// How the export writes an async or flow id.
inline std::string hex_id(std::uint64_t id) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(id));
    return buf;
}

inline std::vector<json> events_where(const json& doc, const std::function<bool(const json&)>& pred) {
    std::vector<json> out;
    for (const json& e : doc["traceEvents"]) {
        if (pred(e)) out.push_back(e);
    }
    return out;
}

inline std::string metadata(const json& doc, std::string_view name, int pid, int tid) {
    for (const json& e : doc["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == name && e["pid"] == pid && e["tid"] == tid) return e["args"].dump();
    }
    return "";
}

inline std::string process_name(const json& doc, int pid) {
    for (const json& e : doc["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "process_name" && e["pid"] == pid) return e["args"]["name"];
    }
    return "";
}

inline std::int64_t sort_index(const json& doc, int pid) {
    for (const json& e : doc["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "process_sort_index" && e["pid"] == pid) return e["args"]["sort_index"];
    }
    return -1;
}

// The "workers busy" counter's values, in order.
inline std::vector<std::int64_t> busy_workers(const json& doc) {
    std::vector<std::int64_t> busy;
    for (const json& e : doc["traceEvents"]) {
        if (e["ph"] == "C" && e["args"].contains("busy")) busy.push_back(e["args"]["busy"]);
    }
    return busy;
}

// The slices of one thread as Perfetto draws them: B/E replayed in file order.
struct Slice {
    std::string name;
    double ts = 0;
    double end = -1;
    std::size_t depth = 0;
    json args = json::object();
};

inline std::vector<Slice> slices_of(const json& doc, int pid) {
    std::vector<Slice> done, open;
    for (const json& e : doc["traceEvents"]) {
        if (e["pid"] != pid || e["tid"] != pid) continue;
        if (e["ph"] == "B") {
            open.push_back(Slice{e["name"], e["ts"], -1, open.size(), e.value("args", json::object())});
        } else if (e["ph"] == "E") {
            REQUIRE(!open.empty());
            Slice s = open.back();
            open.pop_back();
            CHECK(e["name"] == s.name);
            s.end = e["ts"];
            s.args.update(e.value("args", json::object()));
            done.push_back(s);
        }
    }
    CHECK(open.empty());
    return done;
}

inline const Slice& slice(const std::vector<Slice>& slices, std::string_view name, std::size_t nth = 0) {
    for (const Slice& s : slices) {
        if (s.name == name && nth-- == 0) return s;
    }
    FAIL("no slice '" << name << "'");
    static Slice none;
    return none;
}

inline void require_perfetto_clean(const std::string& text) {
    std::vector<std::string> violations = check_trace_json(text);
    for (const std::string& v : violations) UNSCOPED_INFO(v);
    REQUIRE(violations.empty());
}

inline const std::uint64_t kConn1 = make_id(kW1, 1);
inline const std::uint64_t kReq1 = make_id(kW1, 1);
inline const std::uint64_t kConn2 = make_id(kW2, 1);
inline const std::uint64_t kReq2 = make_id(kW2, 1);

// Both workers wake for one client; worker 1 wins the accept and serves a
// whole request; worker 2 gets EAGAIN; then SIGTERM stops everything.
inline std::vector<Event> one_request() {
    return {
        at(100, kW1, ev::Heartbeat{.engine_ms = 1}),
        at(101, kW1, ev::AcceptAttempt{}),
        at(102, kW1, ev::AcceptEagain{.error = EAGAIN}),
        at(103, kW1, ev::SelectWait{.timeout_ms = 15000}),
        at(104, kW2, ev::AcceptAttempt{}),
        at(105, kW2, ev::AcceptEagain{.error = EAGAIN}),
        at(106, kW2, ev::SelectWait{.timeout_ms = 15000}),
        at(150, kMaster, ev::AcceptQueueSample{.length = 1, .backlog = 2048}),
        at(200, kW1, ev::SelectWake{.ready = 1}),
        at(200, kW2, ev::SelectWake{.ready = 1}),
        at(201, kW1, ev::AcceptAttempt{}),
        at(201, kW2, ev::AcceptAttempt{}),
        at(202, kW1, ev::Accepted{.conn = kConn1, .peer_port = 50000, .listen_fd = 3}),
        at(202, kW2, ev::AcceptEagain{.error = EAGAIN}),
        at(203, kW1, ev::AcceptQueueSample{.backlog = 2048}),
        at(203, kW2, ev::SelectWait{.timeout_ms = 15000}),
        at(210, kW1, ev::ReadStart{.conn = kConn1}),
        at(260, kW1, ev::ReadDone{.conn = kConn1, .bytes = 78}),
        at(261, kW1, ev::Parsed{.conn = kConn1, .req = kReq1, .http = 11}),
        at(262, kW1, ev::HandlerStart{.conn = kConn1, .req = kReq1}),
        at(400, kW1, ev::HandlerEnd{.conn = kConn1, .req = kReq1, .status = 200}),
        at(401, kW1, ev::WriteStart{.conn = kConn1, .req = kReq1}),
        at(450, kW1, ev::WriteDone{.conn = kConn1, .req = kReq1, .bytes = 150}),
        at(451, kW1, ev::Close{.conn = kConn1, .requests = 1}),
        at(452, kW1, ev::Counter{.counter = static_cast<std::int64_t>(CounterId::Requests), .value = 1}),
        at(460, kW1, ev::Heartbeat{.engine_ms = 2}),
        at(461, kW1, ev::AcceptAttempt{}),
        at(462, kW1, ev::AcceptEagain{.error = EAGAIN}),
        at(463, kW1, ev::SelectWait{.timeout_ms = 15000}),
        at(1000, kMaster, ev::SignalReceived{.signal = SIGTERM}),
        at(1001, kMaster, ev::KillSent{.pid = kW1, .signal = SIGTERM}),
        at(1002, kMaster, ev::KillSent{.pid = kW2, .signal = SIGTERM}),
        at(1100, kW1, ev::SelectWake{.interrupted = 1}),
        at(1100, kW2, ev::SelectWake{.interrupted = 1}),
        at(1101, kW1, ev::SignalCaught{.signal = SIGTERM}),
        at(1101, kW2, ev::SignalCaught{.signal = SIGTERM}),
        at(1102, kW1, ev::WorkerExit{}),
        at(1102, kW2, ev::WorkerExit{}),
        at(1200, kMaster, ev::WorkerReaped{.pid = kW1}),
        at(1201, kMaster, ev::WorkerReaped{.pid = kW2}),
        at(1300, kMaster, ev::ArbiterStop{}),
    };
}

}  // namespace minicorn::testing::export_fixture
