// engine/trace/model.cpp — the fold (apply) and the keyframes.
//
// Index
//   [SECTION] Lookups       — find or create processes, threads, greenlets, connections
//   [SECTION] Transitions   — activity, connection phases, closing, reaping
//   [SECTION] apply         — the one switch over EventKind
//   [SECTION] TraceModel    — update, keyframes, world_at
//
// Rules the fold keeps, because the events arrive merged from many processes
// and rings (some of them may have dropped events):
//   - events of a process it has not seen yet create it (a worker's WorkerBoot
//     can sort before the master's WorkerSpawn: both follow the same fork);
//   - a connection event for an unknown conn creates the connection;
//   - a state lasts until the next event that sets one: no timers, no guesses;
//   - lifecycle states (TimedOut, Exited) are sticky: a dying worker's last
//     phase events do not bring it back to "Handling".
#include "engine/trace/model.h"
#include "engine/trace/model_client.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

namespace minicorn::trace {

namespace {

// ============================================================================
// [SECTION] Lookups
// ============================================================================

pid_t tid_of(const Event& e) { return e.tid ? e.tid : e.pid; }

template <typename T>
void push_bounded(std::deque<T>& list, T value, std::size_t cap) {
    list.push_back(std::move(value));
    while (list.size() > cap) list.pop_front();
}

// The live process `pid`, created (Spawned, or Idle for the arbiter) if new.
Process& ensure_process(World& w, pid_t pid, std::uint64_t t) {
    auto [it, fresh] = w.processes.try_emplace(pid);
    Process& p = it->second;
    if (fresh) {
        p.pid = pid;
        p.spawn_ns = t;
        p.role = (pid == w.arbiter.pid) ? ProcessRole::Arbiter : ProcessRole::Worker;
        p.state = (p.role == ProcessRole::Arbiter) ? ProcessState::Idle : ProcessState::Spawned;
    }
    return p;
}

Process* find_live(World& w, pid_t pid) {
    auto it = w.processes.find(pid);
    return it == w.processes.end() ? nullptr : &it->second;
}

// The live process, else the most recently reaped one with that pid.
Process* find_any(World& w, pid_t pid) {
    if (Process* p = find_live(w, pid)) return p;
    for (auto it = w.gone.rbegin(); it != w.gone.rend(); ++it) {
        if (it->pid == pid) return &*it;
    }
    return nullptr;
}

// The emitter of a master-only event is the arbiter, whatever came before.
Process& note_arbiter(World& w, const Event& e) {
    if (w.arbiter.pid == 0) w.arbiter.pid = e.pid;
    Process& p = ensure_process(w, e.pid, e.t_ns);
    if (p.role != ProcessRole::Arbiter) {
        p.role = ProcessRole::Arbiter;
        if (p.state == ProcessState::Spawned) p.state = ProcessState::Idle;
    }
    return p;
}

Thread& ensure_thread(Process& p, pid_t tid, std::uint64_t t) {
    auto [it, fresh] = p.threads.try_emplace(tid);
    if (fresh) {
        it->second.tid = tid;
        it->second.role = (tid == p.pid) ? ThreadRole::Main : ThreadRole::Pool;
        it->second.started_ns = t;
        it->second.since_ns = t;
    }
    return it->second;
}

Greenlet& ensure_greenlet(Process& p, std::uint32_t id, std::uint64_t t) {
    auto [it, fresh] = p.greenlets.try_emplace(id);
    if (fresh) {
        it->second.id = id;
        it->second.spawned_ns = t;
        it->second.since_ns = t;
    }
    return it->second;
}

void set_green_state(Greenlet& g, GreenState s, std::uint64_t t) {
    if (g.state != s) g.since_ns = t;
    g.state = s;
}

// The open connection e.conn, created (owned by the emitter) if unknown.
Connection& ensure_conn(World& w, const Event& e) {
    auto [it, fresh] = w.connections.try_emplace(e.conn);
    if (fresh) {
        it->second.id = e.conn;
        it->second.owner = e.pid;
        it->second.tid = tid_of(e);
        it->second.entered_ns[static_cast<std::size_t>(ConnStage::Accepted)] = e.t_ns;
    }
    return it->second;
}

// ============================================================================
// [SECTION] Transitions
// ============================================================================

bool is_running(ProcessState s) {
    return s != ProcessState::TimedOut && s != ProcessState::Exited && s != ProcessState::Gone;
}

ProcessState state_of(ThreadActivity a) {
    switch (a) {
        case ThreadActivity::Idle: return ProcessState::Idle;
        case ThreadActivity::Waiting: return ProcessState::Waiting;
        case ThreadActivity::Accepting: return ProcessState::Accepting;
        case ThreadActivity::Reading: return ProcessState::Reading;
        case ThreadActivity::Handling: return ProcessState::Handling;
        case ThreadActivity::Writing: return ProcessState::Writing;
    }
    return ProcessState::Idle;
}

// The main thread's activity is the process's state while it runs.
void set_activity(Process& p, Thread& th, ThreadActivity a, std::uint64_t t) {
    if (th.activity != a) th.since_ns = t;
    th.activity = a;
    if (th.tid == p.pid && is_running(p.state)) p.state = state_of(a);
}

void set_thread_conn(Process& p, Thread& th, std::uint64_t conn, std::uint64_t req) {
    th.conn = conn;
    th.req = req;
    if (th.tid == p.pid) p.current_conn = conn;
}

void enter(Connection& c, ConnStage s, std::uint64_t t) {
    c.stage = s;
    c.entered_ns[static_cast<std::size_t>(s)] = t;
}

// A phase event of connection e.conn on the emitting thread: the thread (and
// its greenlet) now serve that connection, doing `a`.
Connection& conn_phase(World& w, const Event& e, ThreadActivity a) {
    Connection& c = ensure_conn(w, e);
    c.tid = tid_of(e);
    if (e.req) c.req = e.req;
    Process& p = ensure_process(w, e.pid, e.t_ns);
    Thread& th = ensure_thread(p, tid_of(e), e.t_ns);
    set_thread_conn(p, th, c.id, e.req ? e.req : (th.conn == c.id ? th.req : 0));
    set_activity(p, th, a, e.t_ns);
    th.last_kind = e.kind;
    if (e.green) ensure_greenlet(p, e.green, e.t_ns).conn = c.id;
    return c;
}

// Moves an open connection to World::closed and takes it off its owner's
// lists: a closed fd is in no poll set, keep-alive list or queue.
void close_conn(World& w, std::uint64_t id, std::uint64_t t, bool aborted) {
    auto it = w.connections.find(id);
    if (it == w.connections.end()) return;
    Connection c = std::move(it->second);
    w.connections.erase(it);
    enter(c, ConnStage::Closed, t);
    c.aborted = aborted;
    if (Process* p = find_live(w, c.owner)) {
        std::erase_if(p->poll, [id](const auto& kv) { return kv.second.conn == id; });
        std::erase_if(p->keepalive, [id](const KeepAliveEntry& k) { return k.conn == id; });
        std::erase(p->pool_queue, id);
        for (auto& [tid, th] : p->threads) {
            if (th.conn == id) set_thread_conn(*p, th, 0, 0);
        }
    }
    push_bounded(w.closed, std::move(c), kRecentClosed);
}

// WorkerReaped: the process leaves World::processes for World::gone; the
// kernel closed whatever connections it still held.
void reap(World& w, pid_t pid, std::int64_t status, std::uint64_t t) {
    std::vector<std::uint64_t> held;
    for (const auto& [id, c] : w.connections) {
        if (c.owner == pid) held.push_back(id);
    }
    for (std::uint64_t id : held) close_conn(w, id, t, /*aborted=*/true);

    Process p;
    if (auto it = w.processes.find(pid); it != w.processes.end()) {
        p = std::move(it->second);
        w.processes.erase(it);
    } else {  // never seen alive (its events were dropped): still worth a line
        p.pid = pid;
        p.spawn_ns = t;
    }
    p.state = ProcessState::Gone;
    p.reaped_ns = t;
    p.reap_status = status;
    push_bounded(w.gone, std::move(p), kRecentGone);
}

}  // namespace

// ============================================================================
// [SECTION] apply
// ============================================================================

void TraceModel::apply(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    w.now_ns = t;
    Totals& tot = w.totals;
    if (tot.events++ == 0) tot.first_event_ns = t;
    tot.last_event_ns = t;
    if (static_cast<std::size_t>(e.kind) < kEventKindCount) ++tot.by_kind[static_cast<std::size_t>(e.kind)];

    switch (e.kind) {
        case EventKind::None:
        case EventKind::kCount:
            break;

        // --- the arbiter ---------------------------------------------------
        case EventKind::ArbiterStart: {
            w.arbiter.pid = e.pid;
            Process& p = note_arbiter(w, e);
            p.spawn_ns = std::min(p.spawn_ns, t);
            w.arbiter.started_ns = t;
            w.arbiter.workers_wanted = e.a0;
            break;
        }
        case EventKind::ArbiterStop: {
            Process& p = note_arbiter(w, e);
            p.state = ProcessState::Exited;
            p.exit_ns = t;
            p.exit_code = e.a0;
            w.arbiter.stopped = true;
            w.arbiter.stopped_ns = t;
            w.arbiter.exit_status = e.a0;
            break;
        }
        case EventKind::SignalReceived:
            note_arbiter(w, e);
            push_bounded(w.arbiter.signals, SignalRecord{e.a0, t, 0, e.a1}, kRecentSignals);
            break;
        case EventKind::SignalHandled: {
            note_arbiter(w, e);
            auto& sigs = w.arbiter.signals;
            auto it = std::find_if(sigs.rbegin(), sigs.rend(),
                                   [&](const SignalRecord& s) { return s.signo == e.a0 && s.handled_ns == 0; });
            if (it != sigs.rend()) {
                it->handled_ns = t;
            } else {  // its SignalReceived was dropped
                push_bounded(sigs, SignalRecord{e.a0, t, t, 0}, kRecentSignals);
            }
            break;
        }
        case EventKind::WorkerSpawn: {
            note_arbiter(w, e);
            ++w.arbiter.spawns;
            Process& p = ensure_process(w, static_cast<pid_t>(e.a0), t);
            p.role = ProcessRole::Worker;
            p.spawn_ns = std::min(p.spawn_ns, t);  // its WorkerBoot may have sorted first
            p.worker_age = e.a1;
            break;
        }
        case EventKind::WorkerTimeout: {
            note_arbiter(w, e);
            ++w.arbiter.timeouts;
            if (Process* p = find_live(w, static_cast<pid_t>(e.a0))) {
                if (p->state != ProcessState::Exited) p->state = ProcessState::TimedOut;
                p->timed_out_ns = t;
                p->timeout_silence_ms = e.a1;
            }
            break;
        }
        case EventKind::KillSent:
            note_arbiter(w, e);
            if (Process* p = find_live(w, static_cast<pid_t>(e.a0))) {
                push_bounded(p->kills, SignalMark{t, e.a1}, kRecentKills);
            }
            break;
        case EventKind::WorkerReaped:
            note_arbiter(w, e);
            ++w.arbiter.reaps;
            reap(w, static_cast<pid_t>(e.a0), e.a1, t);
            break;
        case EventKind::WorkerCount:
            note_arbiter(w, e);
            w.arbiter.workers_live = e.a0;
            w.arbiter.workers_wanted = e.a1;
            break;
        case EventKind::ListenerOpen: {
            auto& socks = w.listener.sockets;
            auto it = std::find_if(socks.begin(), socks.end(), [&](const ListenSocket& s) { return s.fd == e.a0; });
            if (it == socks.end()) {
                socks.push_back(ListenSocket{e.a0, e.a1});
            } else {
                it->port = e.a1;
            }
            break;
        }
        case EventKind::AcceptQueueSample: {
            Listener& l = w.listener;
            l.queue_len = e.a0;
            l.backlog = e.a1;
            l.peak_queue_len = std::max(l.peak_queue_len, e.a0);
            l.sampled_ns = t;
            l.sampled_by = e.pid;
            break;
        }

        // --- every worker ----------------------------------------------------
        case EventKind::WorkerBoot: {
            Process& p = ensure_process(w, e.pid, t);
            p.role = ProcessRole::Worker;
            p.worker_age = e.a0;
            p.model = (e.a1 >= 0 && e.a1 <= static_cast<std::int64_t>(ModelId::Asyncio)) ? static_cast<ModelId>(e.a1)
                                                                                        : ModelId::Unknown;
            p.boot_ns = t;
            if (p.state == ProcessState::Spawned) p.state = ProcessState::Booting;
            ensure_thread(p, p.pid, t).role = ThreadRole::Main;
            break;
        }
        case EventKind::WorkerBooted: {
            Process& p = ensure_process(w, e.pid, t);
            p.booted_ns = t;
            if (p.state == ProcessState::Spawned || p.state == ProcessState::Booting) p.state = ProcessState::Idle;
            break;
        }
        case EventKind::WorkerExit: {
            Process& p = ensure_process(w, e.pid, t);
            p.state = ProcessState::Exited;
            p.exit_ns = t;
            p.exit_code = e.a0;
            break;
        }
        case EventKind::Heartbeat: {
            Process& p = ensure_process(w, e.pid, t);
            p.last_heartbeat_ns = t;
            p.heartbeat_engine_ms = e.a0;
            break;
        }
        case EventKind::SignalCaught:
            push_bounded(ensure_process(w, e.pid, t).signals_caught, SignalMark{t, e.a0}, kRecentKills);
            break;

        // --- the loop's phases (sync, and the same kinds in later models) --------
        case EventKind::SelectWait:
        case EventKind::PollWait:
        case EventKind::FuturesWait:  // gthread at worker_connections: waits on requests, not polling
        case EventKind::SelectWake:
        case EventKind::PollWake:
        case EventKind::AcceptAttempt:
        case EventKind::AcceptEagain: {
            Process& p = ensure_process(w, e.pid, t);
            Thread& th = ensure_thread(p, tid_of(e), t);
            bool waits = e.kind == EventKind::SelectWait || e.kind == EventKind::PollWait ||
                         e.kind == EventKind::FuturesWait;
            ThreadActivity a = waits                                   ? ThreadActivity::Waiting
                               : e.kind == EventKind::AcceptAttempt    ? ThreadActivity::Accepting
                                                                       : ThreadActivity::Idle;
            set_activity(p, th, a, t);
            th.last_kind = e.kind;
            if (e.kind == EventKind::PollWait) {
                p.poll_waiting = true;
                p.poll_timeout_ms = e.a0;
            } else if (e.kind == EventKind::PollWake) {
                p.poll_waiting = false;
                p.poll_ready = e.a0;
            } else if (e.kind == EventKind::AcceptEagain) {
                ++w.listener.eagains;
                w.listener.last_eagain_pid = e.pid;
            }
            break;
        }
        case EventKind::Accepted: {
            Connection& c = conn_phase(w, e, ThreadActivity::Accepting);
            c.owner = e.pid;
            c.peer_port = e.a0;
            c.listen_fd = e.a1;
            enter(c, ConnStage::Accepted, t);
            Listener& l = w.listener;
            ++l.accepts;
            l.last_accept_pid = e.pid;
            l.last_accept_ns = t;
            break;
        }
        case EventKind::ReadStart:
            enter(conn_phase(w, e, ThreadActivity::Reading), ConnStage::Reading, t);
            break;
        case EventKind::ReadDone: {
            Connection& c = conn_phase(w, e, ThreadActivity::Reading);
            c.bytes_read = e.a0;
            c.read_cut = e.a1 != 0;
            break;
        }
        case EventKind::Parsed: {
            Connection& c = conn_phase(w, e, ThreadActivity::Reading);
            enter(c, ConnStage::Parsed, t);
            ++c.requests;
            c.http_version = e.a0;
            c.body_bytes = e.a1;
            break;
        }
        case EventKind::ParseFailed: {  // a0 != 0: an error page goes back
            Connection& c = conn_phase(w, e, e.a0 ? ThreadActivity::Writing : ThreadActivity::Reading);
            enter(c, ConnStage::ParseFailed, t);
            c.status = e.a0;
            break;
        }
        case EventKind::HandlerStart:
            enter(conn_phase(w, e, ThreadActivity::Handling), ConnStage::Handling, t);
            break;
        case EventKind::HandlerEnd: {
            Connection& c = conn_phase(w, e, ThreadActivity::Handling);
            c.status = e.a0;
            c.app_raised = e.a1 != 0;
            break;
        }
        case EventKind::WriteStart:
            enter(conn_phase(w, e, ThreadActivity::Writing), ConnStage::Writing, t);
            break;
        case EventKind::WriteDone: {
            Connection& c = conn_phase(w, e, ThreadActivity::Writing);
            c.bytes_written = e.a0;
            c.peer_gone = e.a1 != 0;
            break;
        }
        case EventKind::Close: {
            Connection& c = conn_phase(w, e, ThreadActivity::Idle);
            c.requests = std::max(c.requests, e.a0);
            close_conn(w, e.conn, t, /*aborted=*/false);
            break;
        }

        // --- threads and pools ------------------------------------------------
        case EventKind::ThreadStart: {
            Process& p = ensure_process(w, e.pid, t);
            Thread& th = ensure_thread(p, tid_of(e), t);
            if (e.a0 >= 0 && e.a0 <= static_cast<std::int64_t>(ThreadRole::Sampler)) {
                th.role = static_cast<ThreadRole>(e.a0);
            }
            th.started_ns = t;
            set_activity(p, th, ThreadActivity::Idle, t);
            break;
        }
        case EventKind::ThreadExit: {
            Process& p = ensure_process(w, e.pid, t);
            pid_t tid = tid_of(e);
            p.threads.erase(tid);
            std::erase(p.gil.waiters, tid);
            if (p.gil.holder == tid) p.gil.holder = 0;
            if (tid == p.pid) p.current_conn = 0;
            break;
        }
        case EventKind::PoolSubmit: {  // on the thread that hands the connection over
            Connection& c = ensure_conn(w, e);
            enter(c, ConnStage::PoolQueued, t);
            Process& p = ensure_process(w, e.pid, t);
            if (std::find(p.pool_queue.begin(), p.pool_queue.end(), c.id) == p.pool_queue.end()) {
                p.pool_queue.push_back(c.id);
            }
            Thread& th = ensure_thread(p, tid_of(e), t);
            if (th.conn == c.id) set_thread_conn(p, th, 0, 0);  // handed over: no longer its connection
            break;
        }
        case EventKind::PoolStart: {  // on the pool thread: gthread's handle() begins by reading the request
            Connection& c = conn_phase(w, e, ThreadActivity::Reading);
            enter(c, ConnStage::Reading, t);
            std::erase(ensure_process(w, e.pid, t).pool_queue, c.id);
            break;
        }
        case EventKind::PoolFinish: {
            Process& p = ensure_process(w, e.pid, t);
            Thread& th = ensure_thread(p, tid_of(e), t);
            set_thread_conn(p, th, 0, 0);
            set_activity(p, th, ThreadActivity::Idle, t);
            break;
        }

        // --- the poll set and the keep-alive list -----------------------------
        case EventKind::PollRegister:
            ensure_process(w, e.pid, t).poll[e.a0] = PollEntry{e.conn, e.a1, t};
            break;
        case EventKind::PollUnregister:
            ensure_process(w, e.pid, t).poll.erase(e.a0);
            break;
        case EventKind::KeepAlivePark: {
            Connection& c = ensure_conn(w, e);
            enter(c, ConnStage::KeepAlive, t);
            Process& p = ensure_process(w, e.pid, t);
            std::erase_if(p.keepalive, [&](const KeepAliveEntry& k) { return k.conn == c.id; });
            p.keepalive.push_back(KeepAliveEntry{c.id, e.a0, t});
            Thread& th = ensure_thread(p, tid_of(e), t);
            if (th.conn == c.id) {
                set_thread_conn(p, th, 0, 0);
                set_activity(p, th, ThreadActivity::Idle, t);
            }
            break;
        }
        case EventKind::KeepAliveResume:  // the stage changes with its next phase
            std::erase_if(ensure_process(w, e.pid, t).keepalive,
                          [&](const KeepAliveEntry& k) { return k.conn == e.conn; });
            break;

        // --- greenlets -----------------------------------------------------------
        case EventKind::GreenSpawn: {
            Process& p = ensure_process(w, e.pid, t);
            Greenlet& g = ensure_greenlet(p, e.green, t);
            g.parent = static_cast<std::uint32_t>(e.a0);
            g.spawned_ns = t;
            set_green_state(g, GreenState::Ready, t);
            break;
        }
        case EventKind::GreenSwitch: {
            Process& p = ensure_process(w, e.pid, t);
            for (std::uint32_t from : {p.running_green, static_cast<std::uint32_t>(e.a0)}) {
                auto it = p.greenlets.find(from);
                if (from != e.green && it != p.greenlets.end() && it->second.state == GreenState::Running) {
                    set_green_state(it->second, GreenState::Ready, t);  // yielded without parking
                }
            }
            Greenlet& g = ensure_greenlet(p, e.green, t);
            set_green_state(g, GreenState::Running, t);
            g.fd = -1;
            p.running_green = e.green;
            break;
        }
        case EventKind::GreenPark: {
            Process& p = ensure_process(w, e.pid, t);
            Greenlet& g = ensure_greenlet(p, e.green, t);
            set_green_state(g, GreenState::Parked, t);
            g.fd = e.a0;
            g.fd_events = e.a1;
            if (p.running_green == e.green) p.running_green = 0;
            break;
        }
        case EventKind::GreenWake: {
            Greenlet& g = ensure_greenlet(ensure_process(w, e.pid, t), e.green, t);
            set_green_state(g, GreenState::Ready, t);
            g.fd = -1;
            break;
        }
        case EventKind::GreenExit: {
            Process& p = ensure_process(w, e.pid, t);
            Greenlet g = ensure_greenlet(p, e.green, t);
            p.greenlets.erase(e.green);
            set_green_state(g, GreenState::Exited, t);
            g.fd = -1;
            if (p.running_green == e.green) p.running_green = 0;
            push_bounded(p.greenlets_exited, std::move(g), kRecentGreenletsExited);
            break;
        }

        // --- the GIL ---------------------------------------------------------------
        case EventKind::GilWait: {  // a0 = the holder's tid
            Gil& gil = ensure_process(w, e.pid, t).gil;
            pid_t tid = tid_of(e);
            if (std::find(gil.waiters.begin(), gil.waiters.end(), tid) == gil.waiters.end()) gil.waiters.push_back(tid);
            auto holder = static_cast<pid_t>(e.a0);
            if (holder && holder != gil.holder) {
                gil.holder = holder;  // the waiter saw who holds it; trust that over a dropped GilAcquire
                gil.held_since_ns = t;
            }
            break;
        }
        case EventKind::GilAcquire: {
            Gil& gil = ensure_process(w, e.pid, t).gil;
            pid_t tid = tid_of(e);
            std::erase(gil.waiters, tid);
            gil.holder = tid;
            gil.held_since_ns = t;
            ++gil.acquisitions;
            if (e.a0 > 0) gil.waited_ns += static_cast<std::uint64_t>(e.a0);
            break;
        }
        case EventKind::GilRelease: {
            Gil& gil = ensure_process(w, e.pid, t).gil;
            if (gil.holder == tid_of(e)) gil.holder = 0;
            if (e.a0 == 1) ++gil.forced_drops;  // 2: let go at the closed gate
            break;
        }

        // --- event loops --------------------------------------------------------
        case EventKind::LoopPhase: {
            LoopState& loop = ensure_process(w, e.pid, t).loop;
            loop.seen = true;
            auto phase = static_cast<LoopPhaseId>(e.a0);
            if (phase == LoopPhaseId::Timers) ++loop.iterations;
            if (phase != loop.phase) loop.phase_since_ns = t;
            loop.phase = phase;
            loop.phase_items = e.a1;
            break;
        }
        case EventKind::TimerAdd: {
            LoopState& loop = ensure_process(w, e.pid, t).loop;
            loop.seen = true;
            loop.timers[e.a0] = LoopTimer{e.a0, e.a1, t};
            break;
        }
        case EventKind::TimerFire:
        case EventKind::TimerCancel: {
            LoopState& loop = ensure_process(w, e.pid, t).loop;
            loop.seen = true;
            if (loop.timers.erase(e.a0) && e.kind == EventKind::TimerFire) ++loop.timers_fired;
            break;
        }
        case EventKind::CallbackQueued:
        case EventKind::CallbackRun: {
            LoopState& loop = ensure_process(w, e.pid, t).loop;
            loop.seen = true;
            loop.ready_callbacks = e.a0;
            if (e.kind == EventKind::CallbackRun) {
                ++loop.callbacks_run;
                loop.running = static_cast<LoopCallback>(e.a1);
                loop.running_conn = e.conn;
            }
            break;
        }

        // --- the built-in client and the request ids that join it to the server --
        case EventKind::ClientStart: {
            Process& p = ensure_process(w, e.pid, t);
            p.role = ProcessRole::Client;
            p.state = ProcessState::Idle;
            w.client.pid = e.pid;
            w.client.started_ns = t;
            w.client.virtual_users = e.a0;
            w.client.rate = e.a1;
            break;
        }
        case EventKind::ClientConnectStart:
        case EventKind::ClientConnected:
        case EventKind::ClientSendStart:
        case EventKind::ClientSendEnd:
        case EventKind::ClientFirstByte:
        case EventKind::ClientDone:
        case EventKind::ClientError:
        case EventKind::ClientClose:
            detail::apply_client_event(w, e);
            break;
        case EventKind::RequestTagged:
            if (auto it = w.connections.find(e.conn); it != w.connections.end()) {
                it->second.client_req = static_cast<std::uint64_t>(e.a0);
            }
            break;

        // --- written by the collector --------------------------------------------
        case EventKind::GateStep:
            if (e.a0 > 0) tot.gate_tokens += static_cast<std::uint64_t>(e.a0);
            break;
        case EventKind::GateClose:
            if (!w.gate.closed()) push_bounded(w.gate.spans, GateClock::Span{t, 0}, GateClock::kMaxSpans);
            break;
        case EventKind::GateOpen:
            if (w.gate.closed()) w.gate.spans.back().opened_ns = std::max<std::uint64_t>(t, 1);
            break;
        case EventKind::Counter: {
            Process* p = find_any(w, e.pid);
            if (!p) p = &ensure_process(w, e.pid, t);
            if (e.a0 >= 0 && static_cast<std::size_t>(e.a0) < kCounterCount) {
                p->counters[static_cast<std::size_t>(e.a0)] = e.a1;
            }
            break;
        }
        case EventKind::RingDrops:
            if (e.a0 > 0) {
                auto n = static_cast<std::uint64_t>(e.a0);
                tot.drops += n;
                if (Process* p = find_any(w, e.pid)) p->drops += n;
            }
            break;
    }
}

World TraceModel::fold(std::span<const Event> events) {
    World w;
    for (const Event& e : events) apply(w, e);
    return w;
}

// ============================================================================
// [SECTION] TraceModel
// ============================================================================

TraceModel::TraceModel(const Recording& rec, std::size_t keyframe_every)
    : rec_(&rec), keyframe_every_(keyframe_every) {
    assert(keyframe_every > 0 && "keyframe_every is a number of events: pass at least 1");
    if (keyframe_every_ == 0) keyframe_every_ = 1;
}

void TraceModel::update() {
    if (rec_->size() < folded_) {  // a different Recording: start over
        folded_ = 0;
        latest_ = World{};
        keyframes_.clear();
    }
    while (folded_ < rec_->size()) {
        apply(latest_, (*rec_)[folded_]);
        ++folded_;
        if (folded_ % keyframe_every_ == 0) keyframes_.push_back(Keyframe{folded_, latest_});
    }
}

World TraceModel::world_at(std::uint64_t t_ns, std::size_t* replayed) const {
    // end: one past the last folded event with t_ns <= t
    std::size_t end = folded_;
    if (t_ns != std::numeric_limits<std::uint64_t>::max()) end = std::min(end, rec_->lower_bound(t_ns + 1));

    World w;
    std::size_t from = 0;
    if (end == folded_) {
        w = latest_;
        from = folded_;
    } else {
        auto it = std::upper_bound(keyframes_.begin(), keyframes_.end(), end,
                                   [](std::size_t pos, const Keyframe& k) { return pos < k.next; });
        if (it != keyframes_.begin()) {
            --it;
            w = it->world;
            from = it->next;
        }
    }
    for (std::size_t i = from; i < end; ++i) apply(w, (*rec_)[i]);
    if (replayed) *replayed = end - from;
    w.now_ns = t_ns;
    return w;
}

}  // namespace minicorn::trace
