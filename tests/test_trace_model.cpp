// tests/test_trace_model.cpp — TraceModel: what the World says at time t.
//
// Each scenario is a hand-written event sequence shaped like the real
// engine's (the master 100 forking sync workers 101, 102, ...; run_for_one's
// phases; murder_workers / reap_workers / manage_workers), then facts a
// learner would read off the studio at chosen times.
//
// Index
//   [SECTION] Script        — building event sequences
//   [SECTION] Processes     — boot, a request, kill -9, WORKER TIMEOUT, signals
//   [SECTION] Shared state  — the accept queue, counters, GIL, pool/poll/keep-alive, greenlets
//   [SECTION] Keyframes     — world_at(t) == a fresh fold, and how much it replays
//   [SECTION] describe
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <limits>
#include <random>
#include <vector>

#include "engine/trace/model.h"

using namespace minicorn::trace;
using K = EventKind;

namespace {

// ============================================================================
// [SECTION] Script
// ============================================================================

constexpr pid_t kMaster = 100;
constexpr std::int64_t kBacklog = 2048;
constexpr std::int64_t kListenFd = 3;

std::uint64_t ms(double t_ms) { return static_cast<std::uint64_t>(std::llround(t_ms * 1e6)); }

struct Script {
    std::vector<Event> events;
    double offset_ms = 0;  // added to every time given

    // An event of process `pid` on its main thread.
    Event& add(double t_ms, pid_t pid, EventKind kind, std::int64_t a0 = 0, std::int64_t a1 = 0) {
        Event e{};
        e.t_ns = ms(t_ms + offset_ms);
        e.pid = pid;
        e.tid = pid;
        e.kind = kind;
        e.a0 = a0;
        e.a1 = a1;
        events.push_back(e);
        return events.back();
    }
    Event& conn(double t_ms, pid_t pid, EventKind kind, std::uint64_t c, std::uint64_t req = 0, std::int64_t a0 = 0,
                std::int64_t a1 = 0) {
        Event& e = add(t_ms, pid, kind, a0, a1);
        e.conn = c;
        e.req = req;
        return e;
    }
    // The collector's Counter for a process (it writes tid 0).
    void counter(double t_ms, pid_t pid, CounterId id, std::int64_t value) {
        add(t_ms, pid, K::Counter, static_cast<std::int64_t>(id), value).tid = 0;
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
void back_to_select(Script& s, double t, pid_t w) {
    s.add(t, w, K::Heartbeat, static_cast<std::int64_t>(t));
    s.add(t, w, K::AcceptAttempt, kListenFd);
    s.add(t, w, K::AcceptEagain, EAGAIN);
    s.add(t, w, K::Heartbeat, static_cast<std::int64_t>(t));
    s.add(t, w, K::SelectWait, 15000);
}

// Master 100 with listener fd 3 on :8000 and two sync workers. Worker 102's
// WorkerBoot sorts before the master's WorkerSpawn for it: both follow the
// same fork and either side may run first. Everyone is in select() at t=4.
void boot_master_and_two_workers(Script& s) {
    s.add(0, kMaster, K::ArbiterStart, 2);
    s.add(0, kMaster, K::ListenerOpen, kListenFd, 8000);
    s.add(1, kMaster, K::WorkerSpawn, 101, 1);
    s.add(1, 101, K::WorkerBoot, 1, static_cast<std::int64_t>(ModelId::Sync));
    s.add(2, 101, K::WorkerBooted);
    back_to_select(s, 2, 101);
    s.add(3, 102, K::WorkerBoot, 2, static_cast<std::int64_t>(ModelId::Sync));
    s.add(3.5, kMaster, K::WorkerSpawn, 102, 2);
    s.add(4, 102, K::WorkerBooted);
    back_to_select(s, 4, 102);
    s.add(4, kMaster, K::WorkerCount, 2, 2);
}

// One request on a sync worker, as run_for_one emits it, phases at t0 + 0..12 ms:
// 0 woken, 1 Accepted (and the worker's accept-queue sample), 2 ReadStart,
// 3 ReadDone, 4 Parsed, 5 HandlerStart | 9 HandlerEnd, 10 WriteStart,
// 11 WriteDone, 12 Close and back to select. Connection and request: w:seq.
void start_request(Script& s, double t0, pid_t w, std::uint32_t seq, std::int64_t peer_port) {
    std::uint64_t c = make_id(w, seq);
    std::uint64_t r = make_id(w, seq);
    s.add(t0, w, K::SelectWake, 1, 0);
    s.add(t0, w, K::Heartbeat, static_cast<std::int64_t>(t0));
    s.add(t0, w, K::AcceptAttempt, kListenFd);
    s.conn(t0 + 1, w, K::Accepted, c, 0, peer_port, kListenFd);
    s.add(t0 + 1, w, K::AcceptQueueSample, 0, kBacklog);
    s.conn(t0 + 2, w, K::ReadStart, c);
    s.conn(t0 + 3, w, K::ReadDone, c, 0, 78, 0);
    s.conn(t0 + 4, w, K::Parsed, c, r, /*HTTP/1.1*/ 11, 0);
    s.conn(t0 + 5, w, K::HandlerStart, c, r);
}

void finish_request(Script& s, double t0, pid_t w, std::uint32_t seq) {
    std::uint64_t c = make_id(w, seq);
    std::uint64_t r = make_id(w, seq);
    s.conn(t0 + 9, w, K::HandlerEnd, c, r, 200, 0);
    s.conn(t0 + 10, w, K::WriteStart, c, r);
    s.conn(t0 + 11, w, K::WriteDone, c, r, 150, 0);
    s.conn(t0 + 12, w, K::Close, c, 0, 1);
    s.counter(t0 + 12, w, CounterId::Requests, seq);
    back_to_select(s, t0 + 12, w);
}

void sync_request(Script& s, double t0, pid_t w, std::uint32_t seq, std::int64_t peer_port) {
    start_request(s, t0, w, seq, peer_port);
    finish_request(s, t0, w, seq);
}

World fold_at(const Script& s, double t_ms) {
    Recording rec = s.recording();
    TraceModel model(rec, 8);
    model.update();
    return model.world_at(ms(t_ms));
}

const Process& live(const World& w, pid_t pid) {
    auto it = w.processes.find(pid);
    INFO("process " << pid << " is not live:\n" << describe(w));
    REQUIRE(it != w.processes.end());
    return it->second;
}

}  // namespace

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
    s.add(30, 102, K::SelectWake, 1, 0);
    s.add(30, 102, K::AcceptAttempt, kListenFd);
    s.conn(30, 102, K::Accepted, conn, 0, 53200, kListenFd);
    s.conn(31, 102, K::ReadStart, conn);  // a slow client: the worker sits in recv()
    // kill -9 102 from a shell: no event; the master reaps on its next pass.
    s.add(41, kMaster, K::WorkerReaped, 102, -SIGKILL);
    s.add(41, kMaster, K::WorkerCount, 1, 2);
    s.add(41.5, kMaster, K::WorkerSpawn, 103, 3);
    s.add(42, 103, K::WorkerBoot, 3, static_cast<std::int64_t>(ModelId::Sync));
    s.add(43, 103, K::WorkerBooted);
    back_to_select(s, 43, 103);
    s.add(43, kMaster, K::WorkerCount, 2, 2);

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
        s.add(t, 102, K::SelectWake, 0, 0);
        back_to_select(s, t, 102);
    }
    // murder_workers: heartbeat older than --timeout 30 → SIGABRT.
    s.add(30010, kMaster, K::WorkerTimeout, 101, 30000);
    s.add(30011, kMaster, K::KillSent, 101, SIGABRT);
    // handle_abort raises SystemExit(1); unwinding handle() traces the Close.
    s.add(30012, 101, K::SignalCaught, SIGABRT);
    s.conn(30012, 101, K::Close, conn, 0, 1);
    s.add(30012, 101, K::WorkerExit, 1);
    s.add(30013, kMaster, K::WorkerReaped, 101, 1);
    s.add(30013, kMaster, K::WorkerCount, 1, 2);
    s.add(30014, kMaster, K::WorkerSpawn, 104, 3);
    s.add(30015, 104, K::WorkerBoot, 3, static_cast<std::int64_t>(ModelId::Sync));

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
    s.add(50, kMaster, K::SignalReceived, SIGTTIN, 0);
    s.add(50.5, kMaster, K::SignalHandled, SIGTTIN);
    s.add(50.5, kMaster, K::WorkerCount, 2, 3);
    s.add(51, kMaster, K::WorkerSpawn, 103, 3);
    s.add(60, kMaster, K::SignalReceived, SIGTERM, 0);
    for (pid_t w : {101, 102, 103}) s.add(60, kMaster, K::KillSent, w, SIGTERM);

    World w = fold_at(s, 50.2);
    REQUIRE(w.arbiter.signals.size() == 1);
    REQUIRE(w.arbiter.signals.back().signo == SIGTTIN);
    REQUIRE(w.arbiter.signals.back().handled_ns == 0);

    w = fold_at(s, 51);
    REQUIRE(w.arbiter.signals.back().handled_ns == ms(50.5));
    REQUIRE(w.arbiter.workers_wanted == 3);
    REQUIRE(live(w, 103).state == ProcessState::Spawned);

    s.add(61, kMaster, K::ArbiterStop, 0);
    w = fold_at(s, 61);
    REQUIRE(w.arbiter.signals.back().signo == SIGTERM);
    for (pid_t pid : {101, 102, 103}) REQUIRE(live(w, pid).kills.back().signo == SIGTERM);
    REQUIRE(w.arbiter.stopped);
    REQUIRE(live(w, kMaster).state == ProcessState::Exited);
}

// ============================================================================
// [SECTION] Shared state
// ============================================================================

TEST_CASE("the accept queue is the latest sample; accepts and EAGAINs show who won", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(5, kMaster, K::AcceptQueueSample, 0, kBacklog);
    s.add(6, kMaster, K::AcceptQueueSample, 3, kBacklog);
    // Both workers wake for the same connection; 101 wins, 102 gets EAGAIN.
    s.add(7, 101, K::SelectWake, 1, 0);
    s.add(7, 102, K::SelectWake, 1, 0);
    s.add(7, 101, K::AcceptAttempt, kListenFd);
    s.add(7, 102, K::AcceptAttempt, kListenFd);
    s.conn(7.1, 101, K::Accepted, make_id(101, 1), 0, 53400, kListenFd);
    s.add(7.1, 102, K::AcceptEagain, EAGAIN);
    s.add(8, kMaster, K::AcceptQueueSample, 1, kBacklog);

    World w = fold_at(s, 6.5);
    REQUIRE(w.listener.queue_len == 3);
    REQUIRE(w.listener.backlog == kBacklog);
    REQUIRE(w.listener.sampled_by == kMaster);

    w = fold_at(s, 8);
    REQUIRE(w.listener.queue_len == 1);
    REQUIRE(w.listener.peak_queue_len == 3);
    REQUIRE(w.listener.last_accept_pid == 101);
    REQUIRE(w.listener.last_eagain_pid == 102);
    REQUIRE(w.listener.eagains == 3);  // two at boot, one lost race
    REQUIRE(live(w, 102).state == ProcessState::Idle);
    REQUIRE(live(w, 101).state == ProcessState::Accepting);
}

TEST_CASE("counters and drops: per process, and kept with a reaped worker", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    s.counter(5, 101, CounterId::Requests, 7);
    s.counter(5, 101, CounterId::BytesOut, 1050);
    s.counter(5, 102, CounterId::Requests, 3);
    s.add(6, 101, K::RingDrops, 12).tid = 0;
    s.add(7, kMaster, K::WorkerReaped, 102, -SIGKILL);
    s.counter(7.5, 102, CounterId::Requests, 4);  // the collector's last look at a dead worker's counters

    World w = fold_at(s, 8);
    REQUIRE(live(w, 101).counter(CounterId::Requests) == 7);
    REQUIRE(live(w, 101).counter(CounterId::BytesOut) == 1050);
    REQUIRE(live(w, 101).drops == 12);
    REQUIRE(w.totals.drops == 12);
    REQUIRE(w.processes.count(102) == 0);  // not brought back to life
    REQUIRE(w.process(102)->counter(CounterId::Requests) == 4);
    REQUIRE(w.totals.count(K::Counter) == 4);
    REQUIRE(w.totals.last_event_ns == ms(7.5));
}

TEST_CASE("the GIL passes between a worker's threads; waiters queue until they acquire", "[trace]") {
    constexpr pid_t kWorker = 105, kPool1 = 1051, kPool2 = 1052;  // a worker, two pool threads
    Script s;
    s.add(0, kWorker, K::WorkerBoot, 1, static_cast<std::int64_t>(ModelId::Gthread));
    s.add(1, kWorker, K::ThreadStart, static_cast<std::int64_t>(ThreadRole::Pool)).tid = kPool1;
    s.add(1, kWorker, K::ThreadStart, static_cast<std::int64_t>(ThreadRole::Pool)).tid = kPool2;
    s.add(2, kWorker, K::GilAcquire, 0).tid = kPool1;
    s.add(3, kWorker, K::GilWait, kPool1).tid = kPool2;
    s.add(3.5, kWorker, K::GilWait, kPool1);  // the main thread queues too
    s.add(8, kWorker, K::GilRelease, 1).tid = kPool1;  // forced: the 5 ms switch interval
    s.add(8, kWorker, K::GilAcquire, static_cast<std::int64_t>(ms(5))).tid = kPool2;

    World w = fold_at(s, 4);
    const Gil& gil = live(w, kWorker).gil;
    REQUIRE(gil.holder == kPool1);
    REQUIRE(gil.waiters == std::vector<pid_t>{kPool2, kWorker});
    REQUIRE(live(w, kWorker).threads.size() == 3);
    REQUIRE(live(w, kWorker).thread(kPool1)->role == ThreadRole::Pool);

    w = fold_at(s, 8);
    const Gil& after = live(w, kWorker).gil;
    REQUIRE(after.holder == kPool2);
    REQUIRE(after.waiters == std::vector<pid_t>{kWorker});
    REQUIRE(after.forced_drops == 1);
    REQUIRE(after.acquisitions == 2);
    REQUIRE(after.waited_ns == ms(5));
    REQUIRE(after.held_since_ns == ms(8));
}

TEST_CASE("a thread pool: poll set, executor queue and keep-alive list follow the connection", "[trace]") {
    constexpr pid_t kWorker = 106, kPool = 1061;
    const std::uint64_t conn = make_id(kWorker, 1);
    const std::uint64_t req = make_id(kWorker, 1);
    Script s;
    s.add(0, kWorker, K::WorkerBoot, 1, static_cast<std::int64_t>(ModelId::Gthread));
    s.add(0, kWorker, K::WorkerBooted);
    s.add(0, kWorker, K::ThreadStart, static_cast<std::int64_t>(ThreadRole::Pool)).tid = kPool;
    s.add(1, kWorker, K::PollRegister, kListenFd, 1);
    s.add(1, kWorker, K::PollWait, 1000, 1);
    s.add(2, kWorker, K::PollWake, 1);
    s.conn(2, kWorker, K::Accepted, conn, 0, 53500, kListenFd);
    s.conn(2, kWorker, K::PoolSubmit, conn, 0, 1);
    s.add(2, kWorker, K::PollWait, 1000, 1);
    s.conn(3, kWorker, K::PoolStart, conn).tid = kPool;
    s.conn(3, kWorker, K::ReadStart, conn).tid = kPool;
    s.conn(4, kWorker, K::Parsed, conn, req, 1, 0).tid = kPool;
    s.conn(4, kWorker, K::HandlerStart, conn, req).tid = kPool;
    s.conn(6, kWorker, K::HandlerEnd, conn, req, 200, 0).tid = kPool;
    s.conn(6, kWorker, K::WriteStart, conn, req).tid = kPool;
    s.conn(7, kWorker, K::WriteDone, conn, req, 150, 0).tid = kPool;
    s.conn(7, kWorker, K::PoolFinish, conn, 0, 1).tid = kPool;
    s.add(7, kWorker, K::PollWake, 0);
    s.conn(7, kWorker, K::KeepAlivePark, conn, 0, 9000);
    s.conn(7, kWorker, K::PollRegister, conn, 0, 9, 1);
    s.add(7, kWorker, K::PollWait, 1000, 2);
    s.conn(9, kWorker, K::Close, conn, 0, 1);  // keep-alive expired

    World w = fold_at(s, 2);
    const Process& queued = live(w, kWorker);
    REQUIRE(queued.pool_queue == std::deque<std::uint64_t>{conn});
    REQUIRE(w.connections.at(conn).stage == ConnStage::PoolQueued);
    REQUIRE(queued.state == ProcessState::Waiting);  // the main thread is back in poll
    REQUIRE(queued.poll.size() == 1);
    REQUIRE(queued.poll_waiting);

    w = fold_at(s, 3);  // the pool thread took it: gthread's handle() begins by reading
    REQUIRE(live(w, kWorker).pool_queue.empty());
    REQUIRE(w.connections.at(conn).stage == ConnStage::Reading);
    REQUIRE(live(w, kWorker).thread(kPool)->activity == ThreadActivity::Reading);

    w = fold_at(s, 5);
    const Process& working = live(w, kWorker);
    REQUIRE(working.pool_queue.empty());
    REQUIRE(working.thread(kPool)->activity == ThreadActivity::Handling);
    REQUIRE(working.thread(kPool)->conn == conn);
    REQUIRE(working.thread(kPool)->req == req);
    REQUIRE(working.current_conn == 0);  // the main thread serves nobody
    REQUIRE(w.connections.at(conn).tid == kPool);

    w = fold_at(s, 8);
    const Process& parked = live(w, kWorker);
    REQUIRE(parked.thread(kPool)->activity == ThreadActivity::Idle);
    REQUIRE(parked.thread(kPool)->conn == 0);
    REQUIRE(parked.keepalive.size() == 1);
    REQUIRE(parked.keepalive[0].conn == conn);
    REQUIRE(parked.keepalive[0].deadline_ms == 9000);
    REQUIRE(parked.poll.at(9).conn == conn);
    REQUIRE(w.connections.at(conn).stage == ConnStage::KeepAlive);

    w = fold_at(s, 9);
    const Process& closed = live(w, kWorker);
    REQUIRE(closed.keepalive.empty());
    REQUIRE(closed.poll.count(9) == 0);  // a closed fd is in no poll set
    REQUIRE(closed.poll.count(kListenFd) == 1);
    REQUIRE(w.closed.back().requests == 1);
}

TEST_CASE("greenlets: spawned ready, switched to running, parked on an fd, woken, exited", "[trace]") {
    constexpr pid_t kWorker = 107;
    const std::uint64_t conn = make_id(kWorker, 1);
    Script s;
    s.add(0, kWorker, K::WorkerBoot, 1, static_cast<std::int64_t>(ModelId::Gevent));
    s.add(1, kWorker, K::GreenSpawn, 1).green = 3;
    s.add(1, kWorker, K::GreenSwitch, 1).green = 3;  // hub (1) → g#3
    s.conn(2, kWorker, K::ReadStart, conn).green = 3;
    s.add(2, kWorker, K::GreenPark, 11, 1).green = 3;
    s.add(2, kWorker, K::GreenSwitch, 3).green = 1;
    s.add(5, kWorker, K::GreenWake, 11).green = 3;
    s.add(5, kWorker, K::GreenSwitch, 1).green = 3;
    s.add(6, kWorker, K::GreenExit).green = 3;

    World w = fold_at(s, 1);
    REQUIRE(live(w, kWorker).greenlets.at(3).state == GreenState::Running);
    REQUIRE(live(w, kWorker).running_green == 3);

    w = fold_at(s, 3);
    const Greenlet& parked = live(w, kWorker).greenlets.at(3);
    REQUIRE(parked.state == GreenState::Parked);
    REQUIRE(parked.fd == 11);
    REQUIRE(parked.conn == conn);
    REQUIRE(live(w, kWorker).greenlets.at(1).state == GreenState::Running);  // the hub

    w = fold_at(s, 5);
    REQUIRE(live(w, kWorker).greenlets.at(3).state == GreenState::Running);
    REQUIRE(live(w, kWorker).greenlets.at(1).state == GreenState::Ready);

    w = fold_at(s, 6);
    REQUIRE(live(w, kWorker).greenlets.count(3) == 0);
    REQUIRE(live(w, kWorker).greenlets_exited.back().id == 3);
    REQUIRE(live(w, kWorker).running_green == 0);
}

// ============================================================================
// [SECTION] Keyframes
// ============================================================================

namespace {

// A long trace: sync requests on rotating workers, a kill -9 and a respawn
// every few requests, accept-queue samples and counters, then a soup of random
// events of every kind (ids from a small set, so they collide) to prove the
// fold is a pure function of the events whatever they say. Many timestamps
// repeat: different processes emit at the same instant.
Script long_trace(std::uint32_t requests, std::size_t soup) {
    Script s;
    s.offset_ms = 1000;  // so that there is a "before the first event"
    boot_master_and_two_workers(s);
    std::mt19937 rng(20240601);
    std::vector<pid_t> workers{101, 102};
    pid_t next_pid = 103;
    std::uint32_t seq = 1;
    double t = 10;
    for (std::uint32_t i = 0; i < requests; ++i) {
        pid_t w = workers[rng() % workers.size()];
        s.add(t, kMaster, K::AcceptQueueSample, static_cast<std::int64_t>(rng() % 5), kBacklog);
        sync_request(s, t, w, seq++, 50000 + static_cast<std::int64_t>(i));
        t += 12;  // the next request starts at the instant this one closes
        if (i % 9 == 8) {
            pid_t victim = workers[rng() % workers.size()];
            s.add(t, kMaster, K::WorkerReaped, victim, -SIGKILL);
            s.add(t, kMaster, K::WorkerCount, 1, 2);
            std::replace(workers.begin(), workers.end(), victim, next_pid);
            s.add(t + 0.5, next_pid, K::WorkerBoot, next_pid - 100, static_cast<std::int64_t>(ModelId::Sync));
            s.add(t + 0.5, kMaster, K::WorkerSpawn, next_pid, next_pid - 100);
            s.add(t + 1, next_pid, K::WorkerBooted);
            back_to_select(s, t + 1, next_pid);
            s.add(t + 1, kMaster, K::WorkerCount, 2, 2);
            ++next_pid;
            t += 2;
        }
    }
    for (std::size_t i = 0; i < soup; ++i) {
        if (rng() % 2) t += 1;
        auto kind = static_cast<EventKind>(1 + rng() % (kEventKindCount - 1));
        auto pid = static_cast<pid_t>(100 + rng() % 4);
        Event& e = s.add(t, pid, kind, static_cast<std::int64_t>(rng() % 8 + 100 * (rng() % 2)),
                         static_cast<std::int64_t>(rng() % 6) - 2);
        if (rng() % 3 == 0) e.tid = pid * 10 + static_cast<pid_t>(rng() % 2);
        if (rng() % 2) e.conn = make_id(pid, static_cast<std::uint32_t>(rng() % 3));
        if (rng() % 2) e.req = make_id(pid, static_cast<std::uint32_t>(rng() % 3));
        e.green = static_cast<std::uint32_t>(rng() % 4);
    }
    return s;
}

// A World as world_at(t) shows it: the same state, seen at t.
World at(World w, std::uint64_t t) {
    w.now_ns = t;
    return w;
}

// For every instant that matters — each event's time, the nanosecond before,
// before the first event and after the last — world_at(t) must equal a World
// folded from scratch over the events with t_ns <= t, and must have replayed
// fewer events than keyframe_every.
void check_world_at_matches_fresh_fold(const Recording& rec, std::size_t every) {
    TraceModel model(rec, every);
    model.update();
    REQUIRE(model.folded() == rec.size());
    REQUIRE(model.keyframe_count() == rec.size() / every);
    REQUIRE(model.latest() == TraceModel::fold(rec.events()));

    std::size_t replayed = 0;
    REQUIRE(model.world_at(rec.first_time() - 1, &replayed) == at(World{}, rec.first_time() - 1));
    REQUIRE(replayed == 0);

    World fresh;
    std::size_t checked = 0;
    for (std::size_t i = 0; i < rec.size(); ++i) {
        const std::uint64_t t = rec[i].t_ns;
        INFO("t=" << t << " index " << i << " keyframe_every " << every);
        if (i == 0 || rec[i - 1].t_ns != t) {  // the instant just before this group of ties
            REQUIRE(model.world_at(t - 1) == at(fresh, t - 1));
        }
        TraceModel::apply(fresh, rec[i]);
        if (i + 1 < rec.size() && rec[i + 1].t_ns == t) continue;  // fold the whole group first
        World got = model.world_at(t, &replayed);
        if (!(got == at(fresh, t))) {
            INFO("world_at:\n" << describe(got) << "fresh fold:\n" << describe(at(fresh, t)));
            REQUIRE(got == at(fresh, t));
        }
        REQUIRE(replayed < every);
        ++checked;
    }
    const std::uint64_t forever = std::numeric_limits<std::uint64_t>::max();
    REQUIRE(model.world_at(forever, &replayed) == at(model.latest(), forever));
    REQUIRE(replayed == 0);
    REQUIRE(checked > 100);
}

}  // namespace

TEST_CASE("world_at(t) equals a fresh fold up to t, on and between keyframes", "[trace]") {
    Script s = long_trace(60, 600);
    Recording rec = s.recording();
    REQUIRE(rec.size() > 1500);
    for (std::size_t every : {1u, 2u, 7u, 64u, 100000u}) {
        DYNAMIC_SECTION("keyframe_every " << every) { check_world_at_matches_fresh_fold(rec, every); }
    }
}

TEST_CASE("world_at restores the nearest keyframe: it replays fewer than keyframe_every events", "[trace]") {
    Script s = long_trace(3000, 0);
    Recording rec = s.recording();
    REQUIRE(rec.size() > 50000);
    TraceModel model(rec, 1024);
    model.update();
    REQUIRE(model.keyframe_count() == rec.size() / 1024);

    std::size_t replayed = 0;
    for (std::size_t i : {std::size_t{0}, std::size_t{1023}, std::size_t{1024}, rec.size() / 2, rec.size() - 2}) {
        std::uint64_t t = rec[i].t_ns;
        World w = model.world_at(t, &replayed);
        std::size_t end = rec.lower_bound(t + 1);
        INFO("index " << i << " end " << end);
        // from the keyframe at the last multiple of 1024; nothing at the end (that is latest())
        REQUIRE(replayed == (end == rec.size() ? 0 : end % 1024));
        REQUIRE(w.totals.events == end);
    }
    // The keyframe position itself: exactly what it holds, nothing replayed —
    // unless the tie group at that instant runs past it.
    std::uint64_t t = rec[2 * 1024 - 1].t_ns;
    model.world_at(t, &replayed);
    REQUIRE(replayed == rec.lower_bound(t + 1) - 2 * 1024);
}

TEST_CASE("update() folds what was appended since the last call; keyframes every N", "[trace]") {
    Script s = long_trace(40, 200);
    Recording rec;
    TraceModel model(rec, 16);
    model.update();
    REQUIRE(model.latest() == World{});

    std::mt19937 rng(7);
    std::size_t appended = 0;
    while (appended < s.events.size()) {
        std::size_t n = std::min<std::size_t>(1 + rng() % 50, s.events.size() - appended);
        rec.append(std::span<const Event>(s.events).subspan(appended, n));
        appended += n;
        model.update();
        REQUIRE(model.folded() == appended);
        REQUIRE(model.keyframe_count() == appended / 16);
        REQUIRE(model.latest() == TraceModel::fold(std::span<const Event>(s.events).first(appended)));
    }
    const std::uint64_t mid = s.events[appended / 2].t_ns;
    REQUIRE(model.world_at(mid).totals.events == rec.lower_bound(mid + 1));

    SECTION("a Recording replaced by a shorter one starts the model over") {
        rec = Recording{};
        Script small;
        boot_master_and_two_workers(small);
        rec.append(small.events);
        model.update();
        REQUIRE(model.latest() == TraceModel::fold(small.events));
        REQUIRE(model.keyframe_count() == small.events.size() / 16);
    }
}

// ============================================================================
// [SECTION] describe
// ============================================================================

TEST_CASE("describe() prints the arbiter, the listener, each worker and the connections", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(5, kMaster, K::AcceptQueueSample, 3, kBacklog);
    sync_request(s, 10, 101, 1, 53122);  // 101 samples the queue (0) as it accepts
    s.add(24, kMaster, K::AcceptQueueSample, 3, kBacklog);
    s.add(25, kMaster, K::WorkerReaped, 102, -SIGKILL);

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
