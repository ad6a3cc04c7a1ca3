// engine/client/load_engine.h — the load client's engine: one thread, one
// epoll set, thousands of non-blocking connections, each a VUser state
// machine; a timer heap for the bad actors' ticks and back-offs; a scan for
// request timeouts; Poisson arrivals in open loop.
//
// One LoadEngine per thread (run() blocks that thread until the run ends);
// the threads meet only in SharedState. Events go to the trace when one is
// attached (trace::emit), from the engine's thread.
//
// The loop, one iteration (load_engine.cpp):
//   1. wait      epoll_pwait2 until the next timer, arrival or timeout scan (≤ 50 ms)
//   2. dispatch  readiness → the connection's state machine (vuser.cpp)
//   3. timers    due ticks: slowloris bytes, slow reads, aborts, reconnects
//   4. arrivals  open loop: due arrivals take a parked connection or open one
//   5. timeouts  every 50 ms: requests past --timeout fail and their connection closes
//   6. finish    the duration is up, -n is reached, or stop was asked
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <queue>
#include <random>
#include <vector>

#include "engine/client/load_config.h"
#include "engine/client/load_stats.h"
#include "engine/client/vuser.h"

namespace minicorn::client {

// Which part of the work this engine thread does.
struct EngineShare {
    int virtual_users = 0;   // closed loop
    double rate = 0;         // open loop, requests a second
    int max_connections = 0; // open loop cap
    int first_user = 0;      // the number of its first virtual user (trace a0)
    int slowloris = 0, silent = 0, slow_readers = 0, aborters = 0;
};

class LoadEngine {
public:
    LoadEngine(const LoadConfig& cfg, const Target& target, const EngineShare& share, SharedState& shared,
               std::uint64_t seed);
    ~LoadEngine();
    LoadEngine(const LoadEngine&) = delete;
    LoadEngine& operator=(const LoadEngine&) = delete;

    // Runs until the duration is up, -n requests are done, or shared.stop.
    // Call once, on the thread that owns this engine.
    void run();
    const LoadStats& stats() const { return stats_; }
    // Seconds the engine ran (from run() start to its end).
    double elapsed_s() const { return elapsed_s_; }

private:
    struct Timer {
        std::int64_t when_ns;
        std::uint32_t vu;
        std::uint32_t ticket;
        bool operator>(const Timer& o) const { return when_ns > o.when_ns; }
    };

    // --- the loop (load_engine.cpp)
    std::int64_t wait_timeout_ns(std::int64_t now) const;
    int wait(epoll_event* events, int max, std::int64_t timeout_ns);
    void dispatch(std::uint64_t data, std::uint32_t events);
    void run_timers(std::int64_t now);
    void run_arrivals(std::int64_t now);
    void scan_timeouts(std::int64_t now);
    bool finished(std::int64_t now) const;
    void start_users();
    void schedule(VUser& vu, std::int64_t when_ns);
    void close_all();

    // --- the state machine (vuser.cpp)
    void begin(VUser& vu);                      // the next thing this user does
    void begin_request(VUser& vu);              // a good request: connect if needed, send
    void open_connection(VUser& vu);
    void on_connected(VUser& vu);
    void send_request(VUser& vu);
    void try_send(VUser& vu);
    void on_readable(VUser& vu);
    void on_tick(VUser& vu);
    void complete(VUser& vu);
    void fail(VUser& vu, trace::ClientErrorKind kind, int err);
    void cut(VUser& vu, int err);               // the server closed a bad actor
    void close_conn(VUser& vu, bool reset = false);
    void after_close(VUser& vu, std::int64_t delay_ns);  // what the user does with no socket
    void set_events(VUser& vu, std::uint32_t events);
    bool claim_request();                       // against -n
    std::uint32_t pick_mix(std::uint32_t seq) const;
    bool is_good(const VUser& vu) const { return vu.role == trace::ClientRole::Good; }

    const LoadConfig& cfg_;
    Target target_;
    EngineShare share_;
    SharedState& shared_;
    RequestTemplates templates_;
    std::vector<std::uint32_t> mix_cumulative_;
    std::uint64_t mix_total_ = 0;
    LoadStats stats_;

    int epfd_ = -1;
    std::vector<VUser> vus_;
    std::vector<std::uint32_t> parked_;     // open loop: idle keep-alive connections (may hold stale entries)
    std::vector<std::uint32_t> free_slots_; // open loop: VUsers with no socket and no work
    std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
    std::mt19937_64 rng_;                   // open loop: the arrival gaps only
    std::uint64_t mix_seed_ = 0;            // pick_mix: the path of request N
    std::int64_t tick_ns_ = 0;
    std::int64_t timeout_ns_ = 0;
    std::int64_t start_ns_ = 0;
    std::int64_t end_ns_ = 0;               // 0: no duration (-n)
    std::int64_t next_arrival_ns_ = 0;      // open loop
    std::int64_t next_scan_ns_ = 0;
    std::int64_t in_flight_ = 0;            // good requests begun, not done or failed
    bool users_started_ = false;
    bool stopping_ = false;
    bool have_pwait2_ = true;               // epoll_pwait2 (Linux 5.11+); else epoll_wait in ms
    double elapsed_s_ = 0;
    std::vector<char> buf_;                 // recv buffer, shared by every connection of this thread
};

// Engine time in nanoseconds (trace::engine_now_ns): CLOCK_MONOTONIC, minus the
// time the trace's gate was closed when the client is traced.
std::int64_t mono_ns();

}  // namespace minicorn::client
