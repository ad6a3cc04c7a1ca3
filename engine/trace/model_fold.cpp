// engine/trace/model_fold.cpp — the lookups and transitions every family of
// the fold shares (see model_fold.h for the rules they keep).
#include "engine/trace/model_fold.h"

#include <algorithm>
#include <vector>

namespace minicorn::trace::fold {

// ============================================================================
// [SECTION] Lookups
// ============================================================================

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

namespace {

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

}  // namespace

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
    // The greenlet that emitted it serves it (the acceptor's Accepted aside: it serves nobody).
    if (e.green && e.kind != EventKind::Accepted) ensure_greenlet(p, e.green, e.t_ns).conn = c.id;
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

void loop_step(World& w, const Event& e, ThreadActivity a) {
    Process& p = ensure_process(w, e.pid, e.t_ns);
    Thread& th = ensure_thread(p, tid_of(e), e.t_ns);
    set_activity(p, th, a, e.t_ns);
    th.last_kind = e.kind;
}

}  // namespace minicorn::trace::fold
