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

// One event `us` microseconds after the first, on the process's main thread.
inline Event ev(std::uint64_t us, pid_t pid, EventKind kind, std::uint64_t conn = 0, std::uint64_t req = 0,
         std::int64_t a0 = 0, std::int64_t a1 = 0) {
    Event e{};
    e.t_ns = kStartNs + us * 1000;
    e.pid = pid;
    e.tid = pid;
    e.kind = kind;
    e.conn = conn;
    e.req = req;
    e.a0 = a0;
    e.a1 = a1;
    return e;
}

inline constexpr auto kSync = static_cast<std::int64_t>(ModelId::Sync);

// What `minicorn serve -w 2` emits before any client: the master starts,
// opens the listener and forks two sync workers, which boot.
inline std::vector<Event> boot() {
    return {
        ev(0, kMaster, EventKind::ArbiterStart, 0, 0, 2),
        ev(10, kMaster, EventKind::ListenerOpen, 0, 0, 3, 8000),
        ev(20, kMaster, EventKind::WorkerSpawn, 0, 0, kW1, 1),
        ev(30, kMaster, EventKind::WorkerSpawn, 0, 0, kW2, 2),
        ev(40, kW1, EventKind::WorkerBoot, 0, 0, 1, kSync),
        ev(50, kW2, EventKind::WorkerBoot, 0, 0, 2, kSync),
        ev(60, kW1, EventKind::WorkerBooted),
        ev(61, kW2, EventKind::WorkerBooted),
        ev(70, kMaster, EventKind::WorkerCount, 0, 0, 2, 2),
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
        ev(100, kW1, EventKind::Heartbeat, 0, 0, 1),
        ev(101, kW1, EventKind::AcceptAttempt),
        ev(102, kW1, EventKind::AcceptEagain, 0, 0, EAGAIN),
        ev(103, kW1, EventKind::SelectWait, 0, 0, 15000),
        ev(104, kW2, EventKind::AcceptAttempt),
        ev(105, kW2, EventKind::AcceptEagain, 0, 0, EAGAIN),
        ev(106, kW2, EventKind::SelectWait, 0, 0, 15000),
        ev(150, kMaster, EventKind::AcceptQueueSample, 0, 0, 1, 2048),
        ev(200, kW1, EventKind::SelectWake, 0, 0, 1, 0),
        ev(200, kW2, EventKind::SelectWake, 0, 0, 1, 0),
        ev(201, kW1, EventKind::AcceptAttempt),
        ev(201, kW2, EventKind::AcceptAttempt),
        ev(202, kW1, EventKind::Accepted, kConn1, 0, 50000, 3),
        ev(202, kW2, EventKind::AcceptEagain, 0, 0, EAGAIN),
        ev(203, kW1, EventKind::AcceptQueueSample, 0, 0, 0, 2048),
        ev(203, kW2, EventKind::SelectWait, 0, 0, 15000),
        ev(210, kW1, EventKind::ReadStart, kConn1),
        ev(260, kW1, EventKind::ReadDone, kConn1, 0, 78, 0),
        ev(261, kW1, EventKind::Parsed, kConn1, kReq1, 11, 0),
        ev(262, kW1, EventKind::HandlerStart, kConn1, kReq1),
        ev(400, kW1, EventKind::HandlerEnd, kConn1, kReq1, 200, 0),
        ev(401, kW1, EventKind::WriteStart, kConn1, kReq1),
        ev(450, kW1, EventKind::WriteDone, kConn1, kReq1, 150, 0),
        ev(451, kW1, EventKind::Close, kConn1, 0, 1),
        ev(452, kW1, EventKind::Counter, 0, 0, static_cast<std::int64_t>(CounterId::Requests), 1),
        ev(460, kW1, EventKind::Heartbeat, 0, 0, 2),
        ev(461, kW1, EventKind::AcceptAttempt),
        ev(462, kW1, EventKind::AcceptEagain, 0, 0, EAGAIN),
        ev(463, kW1, EventKind::SelectWait, 0, 0, 15000),
        ev(1000, kMaster, EventKind::SignalReceived, 0, 0, SIGTERM, 0),
        ev(1001, kMaster, EventKind::KillSent, 0, 0, kW1, SIGTERM),
        ev(1002, kMaster, EventKind::KillSent, 0, 0, kW2, SIGTERM),
        ev(1100, kW1, EventKind::SelectWake, 0, 0, 0, 1),
        ev(1100, kW2, EventKind::SelectWake, 0, 0, 0, 1),
        ev(1101, kW1, EventKind::SignalCaught, 0, 0, SIGTERM),
        ev(1101, kW2, EventKind::SignalCaught, 0, 0, SIGTERM),
        ev(1102, kW1, EventKind::WorkerExit, 0, 0, 0),
        ev(1102, kW2, EventKind::WorkerExit, 0, 0, 0),
        ev(1200, kMaster, EventKind::WorkerReaped, 0, 0, kW1, 0),
        ev(1201, kMaster, EventKind::WorkerReaped, 0, 0, kW2, 0),
        ev(1300, kMaster, EventKind::ArbiterStop, 0, 0, 0),
    };
}

}  // namespace minicorn::testing::export_fixture
