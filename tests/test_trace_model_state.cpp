// tests/test_trace_model_state.cpp — TraceModel: shared state and keyframes.
//
// Each scenario is a hand-written event sequence shaped like the real
// engine's (the master 100 forking sync workers 101, 102, ...; run_for_one's
// phases; murder_workers / reap_workers / manage_workers), then facts a
// learner would read off the studio at chosen times.
//
// Index
//   [SECTION] Shared state  — the accept queue, counters, GIL, pool/poll/keep-alive, greenlets
//   [SECTION] Keyframes     — world_at(t) == a fresh fold, and how much it replays
// The event scripts are in tests/support/trace_script.h.
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
// [SECTION] Shared state
// ============================================================================

TEST_CASE("the accept queue is the latest sample; accepts and EAGAINs show who won", "[trace]") {
    Script s;
    boot_master_and_two_workers(s);
    s.add(5, kMaster, ev::AcceptQueueSample{.backlog = kBacklog});
    s.add(6, kMaster, ev::AcceptQueueSample{.length = 3, .backlog = kBacklog});
    // Both workers wake for the same connection; 101 wins, 102 gets EAGAIN.
    s.add(7, 101, ev::SelectWake{.ready = 1});
    s.add(7, 102, ev::SelectWake{.ready = 1});
    s.add(7, 101, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(7, 102, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(7.1, 101, ev::Accepted{.conn = make_id(101, 1), .peer_port = 53400, .listen_fd = kListenFd});
    s.add(7.1, 102, ev::AcceptEagain{.error = EAGAIN});
    s.add(8, kMaster, ev::AcceptQueueSample{.length = 1, .backlog = kBacklog});

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
    s.add(6, 101, ev::RingDrops{.dropped = 12}).tid = 0;
    s.add(7, kMaster, ev::WorkerReaped{.pid = 102, .status = -SIGKILL});
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
    s.add(0, kWorker, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(ModelId::Gthread)});
    s.add(1, kWorker, ev::ThreadStart{.role = static_cast<std::int64_t>(ThreadRole::Pool)}).tid = kPool1;
    s.add(1, kWorker, ev::ThreadStart{.role = static_cast<std::int64_t>(ThreadRole::Pool)}).tid = kPool2;
    s.add(2, kWorker, ev::GilAcquire{}).tid = kPool1;
    s.add(3, kWorker, ev::GilWait{.holder = kPool1}).tid = kPool2;
    s.add(3.5, kWorker, ev::GilWait{.holder = kPool1});  // the main thread queues too
    s.add(8, kWorker, ev::GilRelease{.reason = 1}).tid = kPool1;  // forced: the 5 ms switch interval
    s.add(8, kWorker, ev::GilAcquire{.waited_ns = static_cast<std::int64_t>(ms(5))}).tid = kPool2;

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
    s.add(0, kWorker, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(ModelId::Gthread)});
    s.add(0, kWorker, ev::WorkerBooted{});
    s.add(0, kWorker, ev::ThreadStart{.role = static_cast<std::int64_t>(ThreadRole::Pool)}).tid = kPool;
    s.add(1, kWorker, ev::PollRegister{.fd = kListenFd, .events = 1});
    s.add(1, kWorker, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    s.add(2, kWorker, ev::PollWake{.ready = 1});
    s.add(2, kWorker, ev::Accepted{.conn = conn, .peer_port = 53500, .listen_fd = kListenFd});
    s.add(2, kWorker, ev::PoolSubmit{.conn = conn, .queue = 1});
    s.add(2, kWorker, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    s.add(3, kWorker, ev::PoolStart{.conn = conn}).tid = kPool;
    s.add(3, kWorker, ev::ReadStart{.conn = conn}).tid = kPool;
    s.add(4, kWorker, ev::Parsed{.conn = conn, .req = req, .http = 1}).tid = kPool;
    s.add(4, kWorker, ev::HandlerStart{.conn = conn, .req = req}).tid = kPool;
    s.add(6, kWorker, ev::HandlerEnd{.conn = conn, .req = req, .status = 200}).tid = kPool;
    s.add(6, kWorker, ev::WriteStart{.conn = conn, .req = req}).tid = kPool;
    s.add(7, kWorker, ev::WriteDone{.conn = conn, .req = req, .bytes = 150}).tid = kPool;
    s.add(7, kWorker, ev::PoolFinish{.conn = conn, .keep_alive = 1}).tid = kPool;
    s.add(7, kWorker, ev::PollWake{});
    s.add(7, kWorker, ev::KeepAlivePark{.conn = conn, .deadline_ms = 9000});
    s.add(7, kWorker, ev::PollRegister{.conn = conn, .fd = 9, .events = 1});
    s.add(7, kWorker, ev::PollWait{.timeout_ms = 1000, .fds = 2});
    s.add(9, kWorker, ev::Close{.conn = conn, .requests = 1});  // keep-alive expired

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
    s.add(0, kWorker, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(ModelId::Gevent)});
    s.add(1, kWorker, ev::GreenSpawn{.parent = 1}).green = 3;
    s.add(1, kWorker, ev::GreenSwitch{.from = 1}).green = 3;  // hub (1) → g#3
    s.add(2, kWorker, ev::ReadStart{.conn = conn}).green = 3;
    s.add(2, kWorker, ev::GreenPark{.fd = 11, .events = 1}).green = 3;
    s.add(2, kWorker, ev::GreenSwitch{.from = 3}).green = 1;
    s.add(5, kWorker, ev::GreenWake{.fd = 11}).green = 3;
    s.add(5, kWorker, ev::GreenSwitch{.from = 1}).green = 3;
    s.add(6, kWorker, ev::GreenExit{}).green = 3;

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

TEST_CASE("the poll set: the interest list with who waits, and the ready set of the last wake", "[trace][poll]") {
    constexpr pid_t kWorker = 109;
    const std::uint64_t a = make_id(kWorker, 1), b = make_id(kWorker, 2), c = make_id(kWorker, 3);
    Script s;
    // engine/loop (tornado, gthread): PollReady lists what the wait returned.
    s.add(1, kWorker, ev::PollRegister{.fd = 3, .events = 1});  // the listener
    s.add(1, kWorker, ev::PollRegister{.conn = a, .fd = 7, .events = 1});
    s.add(1, kWorker, ev::PollRegister{.conn = b, .fd = 8, .events = 1});
    s.add(2, kWorker, ev::PollWait{.timeout_ms = 1000, .fds = 3});
    s.add(3, kWorker, ev::PollWake{.ready = 1});
    s.add(3, kWorker, ev::PollReady{.fd = 7, .events = 1});
    World w = fold_at(s, 3);
    CHECK(live(w, kWorker).poll.size() == 3);
    REQUIRE(live(w, kWorker).poll_ready_fds.size() == 1);
    CHECK(live(w, kWorker).poll_ready_fds[0] == ReadyFd{7, 1, a, 0});
    // The hub: a greenlet parks on fd 9 (registered for it), the wake names it ready.
    s.add(4, kWorker, ev::PollUnregister{.conn = a, .fd = 7});
    s.add(5, kWorker, ev::PollRegister{.conn = c, .green = 4, .fd = 9, .events = 4});
    s.add(5, kWorker, ev::GreenPark{.conn = c, .green = 4, .fd = 9, .events = 4});
    s.add(6, kWorker, ev::PollWait{.timeout_ms = -1, .fds = 3});
    w = fold_at(s, 6);
    CHECK(live(w, kWorker).poll.at(9) == PolledFd{c, 4, ms(5), 4});
    CHECK(live(w, kWorker).poll_ready_fds.size() == 1);  // the last wake's, until the next one
    s.add(7, kWorker, ev::PollWake{.ready = 1});
    s.add(7, kWorker, ev::PollUnregister{.conn = c, .green = 4, .fd = 9});
    s.add(7, kWorker, ev::GreenWake{.conn = c, .green = 4, .fd = 9, .why = 0});
    w = fold_at(s, 7);
    CHECK(live(w, kWorker).poll.size() == 2);
    REQUIRE(live(w, kWorker).poll_ready_fds.size() == 1);
    CHECK(live(w, kWorker).poll_ready_fds[0] == ReadyFd{9, 4, c, 4});
}

TEST_CASE("greenlets: the connection comes from GreenSpawn; a greenlet resumed without a switch runs by its own events",
          "[trace][green]") {
    constexpr pid_t kWorker = 108;
    const std::uint64_t conn = make_id(kWorker, 1);
    Script s;
    s.add(0, kWorker, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(ModelId::Gevent)});
    s.add(1, kWorker, ev::GreenSpawn{.conn = conn, .green = 3, .parent = 0});
    s.add(2, kWorker, ev::GreenSwitch{.conn = conn, .green = 3, .from = 0});
    s.add(3, kWorker, ev::ReadStart{.conn = conn}).green = 3;  // the write path stamps the running greenlet
    s.add(4, kWorker, ev::GreenPark{.conn = conn, .green = 3, .fd = 11, .events = 1});
    s.add(5, kWorker, ev::GreenWake{.conn = conn, .green = 3, .fd = 11});  // ready at once: no GreenSwitch
    s.add(6, kWorker, ev::ReadDone{.conn = conn, .bytes = 40}).green = 3;

    World w = fold_at(s, 1);
    CHECK(live(w, kWorker).greenlets.at(3).conn == conn);  // before it has done anything
    w = fold_at(s, 4);
    CHECK(live(w, kWorker).greenlets.at(3).state == GreenState::Parked);
    CHECK(live(w, kWorker).running_green == 0);
    w = fold_at(s, 5);
    CHECK(live(w, kWorker).greenlets.at(3).state == GreenState::Ready);
    w = fold_at(s, 6);
    CHECK(live(w, kWorker).greenlets.at(3).state == GreenState::Running);
    CHECK(live(w, kWorker).running_green == 3);
    // The acceptor's Accepted does not make the acceptor serve the new connection.
    s.add(7, kWorker, ev::GreenSwitch{.green = 1, .from = 3});
    s.add(8, kWorker, ev::Accepted{.conn = make_id(kWorker, 2), .peer_port = 5000}).green = 1;
    w = fold_at(s, 8);
    CHECK(live(w, kWorker).greenlets.at(1).conn == 0);
    CHECK(live(w, kWorker).greenlets.at(3).state == GreenState::Ready);
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
        s.add(t, kMaster, ev::AcceptQueueSample{.length = static_cast<std::int64_t>(rng() % 5), .backlog = kBacklog});
        sync_request(s, t, w, seq++, 50000 + static_cast<std::int64_t>(i));
        t += 12;  // the next request starts at the instant this one closes
        if (i % 9 == 8) {
            pid_t victim = workers[rng() % workers.size()];
            s.add(t, kMaster, ev::WorkerReaped{.pid = victim, .status = -SIGKILL});
            s.add(t, kMaster, ev::WorkerCount{.live = 1, .wanted = 2});
            std::replace(workers.begin(), workers.end(), victim, next_pid);
            s.add(t + 0.5, next_pid, ev::WorkerBoot{.age = next_pid - 100, .model = static_cast<std::int64_t>(ModelId::Sync)});
            s.add(t + 0.5, kMaster, ev::WorkerSpawn{.pid = next_pid, .age = next_pid - 100});
            s.add(t + 1, next_pid, ev::WorkerBooted{});
            back_to_select(s, t + 1, next_pid);
            s.add(t + 1, kMaster, ev::WorkerCount{.live = 2, .wanted = 2});
            ++next_pid;
            t += 2;
        }
    }
    for (std::size_t i = 0; i < soup; ++i) {
        if (rng() % 2) t += 1;
        auto kind = static_cast<EventKind>(1 + rng() % (kEventKindCount - 1));
        auto pid = static_cast<pid_t>(100 + rng() % 4);
        Event& e = s.add(t, pid, kind);  // random fields: no kind's meaning applies
        e.a0 = static_cast<std::int64_t>(rng() % 8 + 100 * (rng() % 2));
        e.a1 = static_cast<std::int64_t>(rng() % 6) - 2;
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

