// tests/test_trace_model.cpp — TraceModel: what the World says at time t.
//
// Each scenario is a hand-written event sequence shaped like the real
// engine's (the master 100 forking sync workers 101, 102, ...; run_for_one's
// phases; murder_workers / reap_workers / manage_workers), then facts a
// learner would read off the studio at chosen times.
//
// Index
//   [SECTION] Processes     — boot, a request, kill -9, WORKER TIMEOUT, signals
//   [SECTION] describe
// The event scripts are in tests/support/trace_script.h; shared state and
// keyframes are tested in test_trace_model_state.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <limits>
#include <random>
#include <vector>

#include "engine/trace/model.h"
#include "tests/support/trace_script.h"

using namespace minicorn::trace;
using K = EventKind;
using namespace minicorn::testing::trace_script;

// ============================================================================
// [SECTION] Processes
// ============================================================================

TEST_CASE("boot: the master forks two sync workers; each boots and waits in select", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);

    SECTION("before the fork only the master and its listener exist") {
        World w = fold_at(s, 0.5);
        REQUIRE(w.arbiter.pid == kMaster);
        REQUIRE(w.arbiter.workers_wanted == 2);
        REQUIRE(live(w, kMaster).role == ProcessRole::Arbiter);
        REQUIRE(w.workers().empty());
        REQUIRE(w.listener.sockets == std::vector<ListenSocket>{{kListenFd, 8000}});
    }
    SECTION("a worker is Booting between WorkerBoot and WorkerBooted") {
        World w = fold_at(s, 1);
        const Process& p = live(w, 101);
        REQUIRE(p.state == ProcessState::Booting);
        REQUIRE(p.model == ModelId::Sync);
        REQUIRE(p.worker_age == 1);
        REQUIRE(p.spawn_ns == ms(1));
        REQUIRE(p.last_heartbeat_ns == 0);
    }
    SECTION("a WorkerBoot sorted before its WorkerSpawn still reads Booting, age from either") {
        World w = fold_at(s, 3.5);
        const Process& p = live(w, 102);
        REQUIRE(p.state == ProcessState::Booting);
        REQUIRE(p.worker_age == 2);
        REQUIRE(p.spawn_ns == ms(3));  // the earlier of the two
    }
    SECTION("at t=4 both wait in select, heartbeats fresh, 2 of 2 live") {
        World w = fold_at(s, 4);
        REQUIRE(w.workers().size() == 2);
        for (pid_t pid : {101, 102}) {
            const Process& p = live(w, pid);
            REQUIRE(p.state == ProcessState::Waiting);
            REQUIRE(p.current_conn == 0);
            REQUIRE(p.thread(pid) != nullptr);
            REQUIRE(p.thread(pid)->activity == ThreadActivity::Waiting);
        }
        REQUIRE(live(w, 101).last_heartbeat_ns == ms(2));
        REQUIRE(w.arbiter.workers_live == 2);
        REQUIRE(w.listener.eagains == 2);
    }
    SECTION("uptime and silence are measured at the World's time, not at the last event") {
        World w = fold_at(s, 1000);
        REQUIRE(w.now_ns == ms(1000));
        REQUIRE(live(w, 101).uptime_ns(w.now_ns) == ms(999));
        REQUIRE(live(w, 101).silence_ns(w.now_ns) == ms(998));
    }
}

TEST_CASE("a sync request: worker 101 and its connection go through every phase", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    sync_request(s, 10, 101, 1, 53122);
    const std::uint64_t conn = make_id(101, 1);
    const std::uint64_t req = make_id(101, 1);

    struct Row { double t; ProcessState worker; std::uint64_t current_conn; ConnStage stage; };
    const Row rows[] = {
        {10.5, ProcessState::Accepting, 0, ConnStage::Accepted},  // no connection yet: stage unused
        {11, ProcessState::Accepting, conn, ConnStage::Accepted},
        {12, ProcessState::Reading, conn, ConnStage::Reading},
        {13, ProcessState::Reading, conn, ConnStage::Reading},
        {14, ProcessState::Reading, conn, ConnStage::Parsed},
        {16, ProcessState::Handling, conn, ConnStage::Handling},
        {19.5, ProcessState::Handling, conn, ConnStage::Handling},
        {20, ProcessState::Writing, conn, ConnStage::Writing},
        {21.5, ProcessState::Writing, conn, ConnStage::Writing},
    };
    Recording rec = s.recording();
    TraceModel model(rec, 4);
    model.update();
    for (const Row& row : rows) {
        World w = model.world_at(ms(row.t));
        INFO("t=" << row.t << " ms\n" << describe(w));
        const Process& p = live(w, 101);
        CHECK(p.state == row.worker);
        CHECK(p.current_conn == row.current_conn);
        CHECK(live(w, 102).state == ProcessState::Waiting);  // the other worker never woke
        if (row.current_conn) {
            const Connection* c = w.connection(conn);
            REQUIRE(c != nullptr);
            CHECK(c->stage == row.stage);
            CHECK(c->owner == 101);
            CHECK(c->peer_port == 53122);
        }
    }

    SECTION("at t=16 worker 101 is Handling connection 101:1 with request 101:1") {
        World w = model.world_at(ms(16));
        REQUIRE(live(w, 101).thread(101)->req == req);
        REQUIRE(w.connections.at(conn).req == req);
        REQUIRE(w.connections.at(conn).requests == 1);
        REQUIRE(w.listener.last_accept_pid == 101);
    }
    SECTION("after Close the connection is in the recent list with its story; 101 waits again") {
        World w = model.world_at(ms(22));
        REQUIRE(w.connections.empty());
        REQUIRE(w.closed.size() == 1);
        const Connection& c = w.closed.back();
        REQUIRE(c.id == conn);
        REQUIRE(c.stage == ConnStage::Closed);
        REQUIRE_FALSE(c.aborted);
        REQUIRE(c.status == 200);
        REQUIRE(c.bytes_read == 78);
        REQUIRE(c.http_version == 11);
        REQUIRE(c.bytes_written == 150);
        REQUIRE(c.requests == 1);
        REQUIRE(c.entered(ConnStage::Accepted) == ms(11));
        REQUIRE(c.entered(ConnStage::Handling) == ms(15));
        REQUIRE(c.entered(ConnStage::Closed) == ms(22));
        const Process& p = live(w, 101);
        REQUIRE(p.state == ProcessState::Waiting);
        REQUIRE(p.current_conn == 0);
        REQUIRE(p.counter(CounterId::Requests) == 1);
    }
}

TEST_CASE("kill -9 a worker mid-request: reaped as -9, its connection cut, a new worker boots", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    const std::uint64_t conn = make_id(102, 1);
    s.add(30, 102, ev::SelectWake{.ready = 1});
    s.add(30, 102, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(30, 102, ev::Accepted{.conn = conn, .peer_port = 53200, .listen_fd = kListenFd});
    s.add(31, 102, ev::ReadStart{.conn = conn});  // a slow client: the worker sits in recv()
    // kill -9 102 from a shell: no event; the master reaps on its next pass.
    s.add(41, kMaster, ev::WorkerReaped{.pid = 102, .status = -SIGKILL});
    s.add(41, kMaster, ev::WorkerCount{.live = 1, .wanted = 2});
    s.add(41.5, kMaster, ev::WorkerSpawn{.pid = 103, .age = 3});
    s.add(42, 103, ev::WorkerBoot{.age = 3, .model = static_cast<std::int64_t>(ModelId::Sync)});
    s.add(43, 103, ev::WorkerBooted{});
    back_to_select(s, 43, 103);
    s.add(43, kMaster, ev::WorkerCount{.live = 2, .wanted = 2});

    Recording rec = s.recording();
    TraceModel model(rec, 3);
    model.update();

    World before = model.world_at(ms(40));
    REQUIRE(live(before, 102).state == ProcessState::Reading);
    REQUIRE(live(before, 102).current_conn == conn);

    World reaped = model.world_at(ms(41));
    REQUIRE(reaped.processes.count(102) == 0);
    const Process* gone = reaped.process(102);
    REQUIRE(gone != nullptr);
    REQUIRE(gone->state == ProcessState::Gone);
    REQUIRE(gone->reap_status == -SIGKILL);
    REQUIRE_FALSE(gone->exit_code.has_value());  // it never said goodbye
    REQUIRE(gone->reaped_ns == ms(41));
    REQUIRE(reaped.arbiter.workers_live == 1);
    const Connection* c = reaped.connection(conn);
    REQUIRE(c != nullptr);
    REQUIRE(c->stage == ConnStage::Closed);
    REQUIRE(c->aborted);
    REQUIRE(c->entered(ConnStage::Reading) == ms(31));
    REQUIRE(reaped.connections.empty());

    World booting = model.world_at(ms(42));
    REQUIRE(live(booting, 103).state == ProcessState::Booting);
    REQUIRE(live(booting, 103).worker_age == 3);

    World after = model.world_at(ms(43));
    REQUIRE(after.workers().size() == 2);
    REQUIRE(live(after, 103).state == ProcessState::Waiting);
    REQUIRE(after.arbiter.workers_live == 2);
    REQUIRE(after.gone.size() == 1);
    REQUIRE(after.arbiter.reaps == 1);
    REQUIRE(after.arbiter.spawns == 3);
}

TEST_CASE("WORKER TIMEOUT: a silent worker is aborted, exits 1, is reaped and replaced", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    const std::uint64_t conn = make_id(101, 1);
    start_request(s, 10, 101, 1, 53300);  // the app never returns: no heartbeat after t=10
    // 102 keeps timing out of select() every 15 s and notifying.
    for (double t : {7504.0, 15004.0, 22504.0, 30004.0}) {
        s.add(t, 102, ev::SelectWake{});
        back_to_select(s, t, 102);
    }
    // murder_workers: heartbeat older than --timeout 30 → SIGABRT.
    s.add(30010, kMaster, ev::WorkerTimeout{.pid = 101, .silent_ms = 30000});
    s.add(30011, kMaster, ev::KillSent{.pid = 101, .signal = SIGABRT});
    // handle_abort raises SystemExit(1); unwinding handle() traces the Close.
    s.add(30012, 101, ev::SignalCaught{.signal = SIGABRT});
    s.add(30012, 101, ev::Close{.conn = conn, .requests = 1});
    s.add(30012, 101, ev::WorkerExit{.code = 1});
    s.add(30013, kMaster, ev::WorkerReaped{.pid = 101, .status = 1});
    s.add(30013, kMaster, ev::WorkerCount{.live = 1, .wanted = 2});
    s.add(30014, kMaster, ev::WorkerSpawn{.pid = 104, .age = 3});
    s.add(30015, 104, ev::WorkerBoot{.age = 3, .model = static_cast<std::int64_t>(ModelId::Sync)});

    Recording rec = s.recording();
    TraceModel model(rec, 5);
    model.update();

    World stuck = model.world_at(ms(30009));
    const Process& p = live(stuck, 101);
    REQUIRE(p.state == ProcessState::Handling);
    REQUIRE(p.silence_ns(stuck.now_ns) == ms(29999));
    REQUIRE(live(stuck, 102).silence_ns(stuck.now_ns) == ms(5));

    World w = model.world_at(ms(30010));
    REQUIRE(live(w, 101).state == ProcessState::TimedOut);
    REQUIRE(live(w, 101).current_conn == conn);  // still inside the app
    REQUIRE(live(w, 101).timeout_silence_ms == 30000);
    REQUIRE(live(w, 101).kills.empty());

    w = model.world_at(ms(30011));
    REQUIRE(live(w, 101).kills == std::deque<SignalMark>{{ms(30011), SIGABRT}});
    REQUIRE(live(w, 101).state == ProcessState::TimedOut);

    w = model.world_at(ms(30012));
    REQUIRE(live(w, 101).state == ProcessState::Exited);
    REQUIRE(live(w, 101).exit_code == 1);
    REQUIRE(live(w, 101).signals_caught.back().signo == SIGABRT);
    REQUIRE(live(w, 101).current_conn == 0);
    REQUIRE(w.connections.empty());

    World replaced = model.world_at(ms(30015));
    REQUIRE(replaced.processes.count(101) == 0);
    REQUIRE(replaced.process(101)->reap_status == 1);
    REQUIRE(replaced.process(101)->kills.back().signo == SIGABRT);  // the gone record keeps its story
    const Connection* c = replaced.connection(conn);
    REQUIRE(c->stage == ConnStage::Closed);  // the client saw it closed with no bytes
    REQUIRE(c->entered(ConnStage::Closed) == ms(30012));
    REQUIRE_FALSE(c->aborted);  // the worker closed it (unlike kill -9)
    REQUIRE(c->bytes_written == 0);
    REQUIRE(c->status == 0);
    REQUIRE(live(replaced, 104).state == ProcessState::Booting);
    REQUIRE(replaced.arbiter.timeouts == 1);
}

TEST_CASE("the arbiter's signals: TTIN raises the count, TERM stops everything", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(50, kMaster, ev::SignalReceived{.signal = SIGTTIN});
    s.add(50.5, kMaster, ev::SignalHandled{.signal = SIGTTIN});
    s.add(50.5, kMaster, ev::WorkerCount{.live = 2, .wanted = 3});
    s.add(51, kMaster, ev::WorkerSpawn{.pid = 103, .age = 3});
    s.add(60, kMaster, ev::SignalReceived{.signal = SIGTERM});
    for (pid_t w : {101, 102, 103}) s.add(60, kMaster, ev::KillSent{.pid = w, .signal = SIGTERM});

    World w = fold_at(s, 50.2);
    REQUIRE(w.arbiter.signals.size() == 1);
    REQUIRE(w.arbiter.signals.back().signo == SIGTTIN);
    REQUIRE(w.arbiter.signals.back().handled_ns == 0);

    w = fold_at(s, 51);
    REQUIRE(w.arbiter.signals.back().handled_ns == ms(50.5));
    REQUIRE(w.arbiter.workers_wanted == 3);
    REQUIRE(live(w, 103).state == ProcessState::Spawned);

    s.add(61, kMaster, ev::ArbiterStop{});
    w = fold_at(s, 61);
    REQUIRE(w.arbiter.signals.back().signo == SIGTERM);
    for (pid_t pid : {101, 102, 103}) REQUIRE(live(w, pid).kills.back().signo == SIGTERM);
    REQUIRE(w.arbiter.stopped);
    REQUIRE(live(w, kMaster).state == ProcessState::Exited);
}

// ============================================================================
// [SECTION] describe
// ============================================================================

TEST_CASE("describe() prints the arbiter, the listener, each worker and the connections", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(5, kMaster, ev::AcceptQueueSample{.length = 3, .backlog = kBacklog});
    sync_request(s, 10, 101, 1, 53122);  // 101 samples the queue (0) as it accepts
    s.add(24, kMaster, ev::AcceptQueueSample{.length = 3, .backlog = kBacklog});
    s.add(25, kMaster, ev::WorkerReaped{.pid = 102, .status = -SIGKILL});

    std::string handling = describe(fold_at(s, 16));
    INFO(handling);
    CHECK(handling.find("arbiter 100  Idle  up 0.016000s  workers 2/2") != std::string::npos);
    CHECK(handling.find("fd 3 :8000  accept queue 0/2048  accepts 1") != std::string::npos);
    CHECK(handling.find("worker 101  age 1  sync  Handling conn 101:1 req 101:1") != std::string::npos);
    CHECK(handling.find("worker 102  age 2  sync  Waiting") != std::string::npos);
    CHECK(handling.find("connections: 1 open") != std::string::npos);
    CHECK(handling.find("101:1  worker 101  :53122  Handling") != std::string::npos);

    std::string later = describe(fold_at(s, 30));
    INFO(later);
    CHECK(later.find("accept queue 3/2048") != std::string::npos);
    CHECK(later.find("connections: 0 open") != std::string::npos);
    CHECK(later.find("recently closed:") != std::string::npos);
    CHECK(later.find("worker 102  age 2  killed by SIGKILL") != std::string::npos);
}
