// tests/support/trace_script.h — hand-written event sequences shaped like the
// real engine's (the master 100 forking sync workers 101, 102, ...), for the
// TraceModel tests, and the small readers they share.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "engine/trace/ev.h"
#include "engine/trace/model.h"

namespace minicorn::testing::trace_script {

using namespace minicorn::trace;
using K = EventKind;

inline constexpr pid_t kMaster = 100;
inline constexpr std::int64_t kBacklog = 2048;
inline constexpr std::int64_t kListenFd = 3;

inline std::uint64_t ms(double t_ms) { return static_cast<std::uint64_t>(std::llround(t_ms * 1e6)); }

struct Script {
    std::vector<Event> events;
    double offset_ms = 0;  // added to every time given

    // An event of process `pid` on its main thread:
    //     s.add(1, 101, ev::Accepted{.conn = c, .peer_port = 53122, .listen_fd = 3});
    template <typename Kind>
    Event& add(double t_ms, pid_t pid, const Kind& event) {
        events.push_back(event.event(ms(t_ms + offset_ms), pid, pid));
        return events.back();
    }
    // Any kind, its fields left for the caller to set (random recordings).
    Event& add(double t_ms, pid_t pid, EventKind kind) {
        events.push_back(ev::stamped(ms(t_ms + offset_ms), pid, pid));
        events.back().kind = kind;
        return events.back();
    }
    // The collector's Counter for a process (it writes tid 0).
    void counter(double t_ms, pid_t pid, CounterId id, std::int64_t value) {
        add(t_ms, pid, ev::Counter{.counter = id, .value = value}).tid = 0;
    }

    Recording recording() const {
        REQUIRE(std::is_sorted(events.begin(), events.end(),
                               [](const Event& a, const Event& b) { return a.t_ns < b.t_ns; }));
        Recording rec;
        rec.append(events);
        return rec;
    }
};

// The sync worker going back to select(), as run_for_one emits it: notify,
// accept → EAGAIN, wait() (notify, select).
inline void back_to_select(Script& s, double t, pid_t w) {
    s.add(t, w, ev::Heartbeat{.engine_ms = static_cast<std::int64_t>(t)});
    s.add(t, w, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(t, w, ev::AcceptEagain{.error = EAGAIN});
    s.add(t, w, ev::Heartbeat{.engine_ms = static_cast<std::int64_t>(t)});
    s.add(t, w, ev::SelectWait{.timeout_ms = 15000});
}

// Master 100 with listener fd 3 on :8000 and two sync workers. Worker 102's
// WorkerBoot sorts before the master's WorkerSpawn for it: both follow the
// same fork and either side may run first. Everyone is in select() at t=4.
inline void boot_master_and_two_workers(Script& s) {
    s.add(0, kMaster, ev::ArbiterStart{.workers = 2});
    s.add(0, kMaster, ev::ListenerOpen{.fd = kListenFd, .port = 8000});
    s.add(1, kMaster, ev::WorkerSpawn{.pid = 101, .age = 1});
    s.add(1, 101, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(ModelId::Sync)});
    s.add(2, 101, ev::WorkerBooted{});
    back_to_select(s, 2, 101);
    s.add(3, 102, ev::WorkerBoot{.age = 2, .model = static_cast<std::int64_t>(ModelId::Sync)});
    s.add(3.5, kMaster, ev::WorkerSpawn{.pid = 102, .age = 2});
    s.add(4, 102, ev::WorkerBooted{});
    back_to_select(s, 4, 102);
    s.add(4, kMaster, ev::WorkerCount{.live = 2, .wanted = 2});
}

// One request on a sync worker, as run_for_one emits it, phases at t0 + 0..12 ms:
// 0 woken, 1 Accepted (and the worker's accept-queue sample), 2 ReadStart,
// 3 ReadDone, 4 Parsed, 5 HandlerStart | 9 HandlerEnd, 10 WriteStart,
// 11 WriteDone, 12 Close and back to select. Connection and request: w:seq.
inline void start_request(Script& s, double t0, pid_t w, std::uint32_t seq, std::int64_t peer_port) {
    std::uint64_t c = make_id(w, seq);
    std::uint64_t r = make_id(w, seq);
    s.add(t0, w, ev::SelectWake{.ready = 1});
    s.add(t0, w, ev::Heartbeat{.engine_ms = static_cast<std::int64_t>(t0)});
    s.add(t0, w, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(t0 + 1, w, ev::Accepted{.conn = c, .peer_port = peer_port, .listen_fd = kListenFd});
    s.add(t0 + 1, w, ev::AcceptQueueSample{.backlog = kBacklog});
    s.add(t0 + 2, w, ev::ReadStart{.conn = c});
    s.add(t0 + 3, w, ev::ReadDone{.conn = c, .bytes = 78});
    s.add(t0 + 4, w, ev::Parsed{.conn = c, .req = r, .http = /*HTTP/1.1*/ 11});
    s.add(t0 + 5, w, ev::HandlerStart{.conn = c, .req = r});
}

inline void finish_request(Script& s, double t0, pid_t w, std::uint32_t seq) {
    std::uint64_t c = make_id(w, seq);
    std::uint64_t r = make_id(w, seq);
    s.add(t0 + 9, w, ev::HandlerEnd{.conn = c, .req = r, .status = 200});
    s.add(t0 + 10, w, ev::WriteStart{.conn = c, .req = r});
    s.add(t0 + 11, w, ev::WriteDone{.conn = c, .req = r, .bytes = 150});
    s.add(t0 + 12, w, ev::Close{.conn = c, .requests = 1});
    s.counter(t0 + 12, w, CounterId::Requests, seq);
    back_to_select(s, t0 + 12, w);
}

inline void sync_request(Script& s, double t0, pid_t w, std::uint32_t seq, std::int64_t peer_port) {
    start_request(s, t0, w, seq, peer_port);
    finish_request(s, t0, w, seq);
}

inline World fold_at(const Script& s, double t_ms) {
    Recording rec = s.recording();
    TraceModel model(rec, 8);
    model.update();
    return model.world_at(ms(t_ms));
}

inline const Process& live(const World& w, pid_t pid) {
    auto it = w.processes.find(pid);
    INFO("process " << pid << " is not live:\n" << describe(w));
    REQUIRE(it != w.processes.end());
    return it->second;
}

}  // namespace minicorn::testing::trace_script
