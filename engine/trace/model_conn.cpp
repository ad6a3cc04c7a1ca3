// engine/trace/model_conn.cpp — the fold of a worker's loop and its
// connections: waiting and accepting (Family::WorkerLoop), a connection's
// phases (Family::Connection), threads and pools (Family::Threads), the poll
// set (Family::Poller). See schema.h for what each kind carries.
#include <algorithm>

#include "engine/trace/ev.h"
#include "engine/trace/model_fold.h"

namespace minicorn::trace::fold {
namespace {

void on_accepted(World& w, const Event& e) {
    auto v = ev::Accepted::decode(e);
    Connection& c = conn_phase(w, e, ThreadActivity::Accepting);
    c.owner = e.pid;
    c.peer_port = v.peer_port;
    c.listen_fd = v.listen_fd;
    enter(c, ConnStage::Accepted, e.t_ns);
    Listener& l = w.listener;
    ++l.accepts;
    l.last_accept_pid = e.pid;
    l.last_accept_ns = e.t_ns;
}

void on_keepalive_park(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    Connection& c = ensure_conn(w, e);
    enter(c, ConnStage::KeepAlive, t);
    Process& p = ensure_process(w, e.pid, t);
    std::erase_if(p.keepalive, [&](const KeepAliveEntry& k) { return k.conn == c.id; });
    p.keepalive.push_back(KeepAliveEntry{c.id, ev::KeepAlivePark::decode(e).deadline_ms, t});
    Thread& th = ensure_thread(p, tid_of(e), t);
    if (th.conn == c.id) {
        set_thread_conn(p, th, 0, 0);
        set_activity(p, th, ThreadActivity::Idle, t);
    }
}

void on_pool_submit(World& w, const Event& e) {  // on the thread that hands the connection over
    const std::uint64_t t = e.t_ns;
    Connection& c = ensure_conn(w, e);
    enter(c, ConnStage::PoolQueued, t);
    Process& p = ensure_process(w, e.pid, t);
    if (std::find(p.pool_queue.begin(), p.pool_queue.end(), c.id) == p.pool_queue.end()) {
        p.pool_queue.push_back(c.id);
    }
    Thread& th = ensure_thread(p, tid_of(e), t);
    if (th.conn == c.id) set_thread_conn(p, th, 0, 0);  // handed over: no longer its connection
}

}  // namespace

void apply_worker_loop(World& w, const Event& e) {
    switch (e.kind) {
        case EventKind::SelectWait: loop_step(w, e, ThreadActivity::Waiting); break;
        case EventKind::SelectWake: loop_step(w, e, ThreadActivity::Idle); break;
        case EventKind::AcceptAttempt: loop_step(w, e, ThreadActivity::Accepting); break;
        case EventKind::AcceptEagain:
            loop_step(w, e, ThreadActivity::Idle);
            ++w.listener.eagains;
            w.listener.last_eagain_pid = e.pid;
            break;
        default: break;
    }
}

void apply_connection(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::Accepted: on_accepted(w, e); break;
        case EventKind::ReadStart: enter(conn_phase(w, e, ThreadActivity::Reading), ConnStage::Reading, t); break;
        case EventKind::ReadDone: {
            auto v = ev::ReadDone::decode(e);
            Connection& c = conn_phase(w, e, ThreadActivity::Reading);
            c.bytes_read = v.bytes;
            c.read_cut = v.cut != 0;
            break;
        }
        case EventKind::Parsed: {
            auto v = ev::Parsed::decode(e);
            Connection& c = conn_phase(w, e, ThreadActivity::Reading);
            enter(c, ConnStage::Parsed, t);
            ++c.requests;
            c.http_version = v.http;
            c.body_bytes = v.body_bytes;
            break;
        }
        case EventKind::ParseFailed: {  // status != 0: an error page goes back
            std::int64_t status = ev::ParseFailed::decode(e).status;
            Connection& c = conn_phase(w, e, status ? ThreadActivity::Writing : ThreadActivity::Reading);
            enter(c, ConnStage::ParseFailed, t);
            c.status = status;
            break;
        }
        case EventKind::HandlerStart: enter(conn_phase(w, e, ThreadActivity::Handling), ConnStage::Handling, t); break;
        case EventKind::HandlerEnd: {
            auto v = ev::HandlerEnd::decode(e);
            Connection& c = conn_phase(w, e, ThreadActivity::Handling);
            c.status = v.status;
            c.app_raised = v.raised != 0;
            break;
        }
        case EventKind::WriteStart: enter(conn_phase(w, e, ThreadActivity::Writing), ConnStage::Writing, t); break;
        case EventKind::WriteDone: {
            auto v = ev::WriteDone::decode(e);
            Connection& c = conn_phase(w, e, ThreadActivity::Writing);
            c.bytes_written = v.bytes;
            c.peer_gone = v.peer_gone != 0;
            break;
        }
        case EventKind::Close: {
            Connection& c = conn_phase(w, e, ThreadActivity::Idle);
            c.requests = std::max(c.requests, ev::Close::decode(e).requests.v);
            close_conn(w, e.conn, t, /*aborted=*/false);
            break;
        }
        case EventKind::KeepAlivePark: on_keepalive_park(w, e); break;
        case EventKind::KeepAliveResume:  // the stage changes with its next phase
            std::erase_if(ensure_process(w, e.pid, t).keepalive,
                          [&](const KeepAliveEntry& k) { return k.conn == e.conn; });
            break;
        case EventKind::RequestTagged:
            if (auto it = w.connections.find(e.conn); it != w.connections.end()) {
                it->second.client_req = static_cast<std::uint64_t>(ev::RequestTagged::decode(e).client_req.v);
            }
            break;
        default: break;
    }
}

void apply_threads(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    if (e.kind == EventKind::PoolSubmit) return on_pool_submit(w, e);
    if (e.kind == EventKind::PoolStart) {  // on the pool thread: gthread's handle() begins by reading the request
        Connection& c = conn_phase(w, e, ThreadActivity::Reading);
        enter(c, ConnStage::Reading, t);
        std::erase(ensure_process(w, e.pid, t).pool_queue, c.id);
        return;
    }
    Process& p = ensure_process(w, e.pid, t);
    pid_t tid = tid_of(e);
    switch (e.kind) {
        case EventKind::ThreadStart: {
            Thread& th = ensure_thread(p, tid, t);
            auto role = ev::ThreadStart::decode(e).role;
            if (role >= 0 && role <= static_cast<std::int64_t>(ThreadRole::App)) th.role = role.as<ThreadRole>();
            th.started_ns = t;
            set_activity(p, th, ThreadActivity::Idle, t);
            break;
        }
        case EventKind::ThreadExit:
            p.threads.erase(tid);
            std::erase(p.gil.waiters, tid);
            if (p.gil.holder == tid) p.gil.holder = 0;
            if (tid == p.pid) p.current_conn = 0;
            break;
        case EventKind::PoolFinish: {
            Thread& th = ensure_thread(p, tid, t);
            set_thread_conn(p, th, 0, 0);
            set_activity(p, th, ThreadActivity::Idle, t);
            break;
        }
        default: break;
    }
}

void apply_poller(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::PollRegister: {
            auto v = ev::PollRegister::decode(e);
            ensure_process(w, e.pid, t).poll[v.fd] = PolledFd{v.conn, v.events, t, v.green};
            break;
        }
        case EventKind::PollReady: {
            auto v = ev::PollReady::decode(e);
            Process& p = ensure_process(w, e.pid, t);
            auto it = p.poll.find(v.fd);
            p.poll_ready_fds.push_back(ReadyFd{v.fd, v.events, it != p.poll.end() ? it->second.conn : 0,
                                               it != p.poll.end() ? it->second.green : 0});
            break;
        }
        case EventKind::PollUnregister: ensure_process(w, e.pid, t).poll.erase(ev::PollUnregister::decode(e).fd); break;
        case EventKind::PollWait: {
            loop_step(w, e, ThreadActivity::Waiting);
            Process& p = ensure_process(w, e.pid, t);
            p.poll_waiting = true;
            p.poll_timeout_ms = ev::PollWait::decode(e).timeout_ms;
            break;
        }
        case EventKind::PollWake: {
            loop_step(w, e, ThreadActivity::Idle);
            Process& p = ensure_process(w, e.pid, t);
            p.poll_waiting = false;
            p.poll_ready = ev::PollWake::decode(e).ready;
            p.poll_ready_fds.clear();  // PollReady / the hub's GreenWakes list them next
            break;
        }
        case EventKind::FuturesWait:  // gthread at worker_connections: waits on requests, not polling
            loop_step(w, e, ThreadActivity::Waiting);
            break;
        default: break;
    }
}

}  // namespace minicorn::trace::fold
