// engine/trace/model_process.cpp — the fold of the arbiter's and every
// worker's lifecycle events (Family::Arbiter, Family::Worker; schema.h).
#include <algorithm>

#include "engine/trace/ev.h"
#include "engine/trace/model_fold.h"

namespace minicorn::trace::fold {
namespace {

void on_arbiter_start(World& w, const Event& e) {
    w.arbiter.pid = e.pid;
    Process& p = note_arbiter(w, e);
    p.spawn_ns = std::min(p.spawn_ns, e.t_ns);
    w.arbiter.started_ns = e.t_ns;
    w.arbiter.workers_wanted = ev::ArbiterStart::decode(e).workers;
}

void on_arbiter_stop(World& w, const Event& e) {
    auto v = ev::ArbiterStop::decode(e);
    Process& p = note_arbiter(w, e);
    p.state = ProcessState::Exited;
    p.exit_ns = e.t_ns;
    p.exit_code = v.status;
    w.arbiter.stopped = true;
    w.arbiter.stopped_ns = e.t_ns;
    w.arbiter.exit_status = v.status;
}

void on_signal_handled(World& w, const Event& e) {
    std::int64_t signo = ev::SignalHandled::decode(e).signal;
    auto& sigs = w.arbiter.signals;
    auto it = std::find_if(sigs.rbegin(), sigs.rend(),
                           [&](const SignalRecord& s) { return s.signo == signo && s.handled_ns == 0; });
    if (it != sigs.rend()) {
        it->handled_ns = e.t_ns;
    } else {  // its SignalReceived was dropped
        push_bounded(sigs, SignalRecord{signo, e.t_ns, e.t_ns, 0}, kRecentSignals);
    }
}

void on_worker_spawn(World& w, const Event& e) {
    auto v = ev::WorkerSpawn::decode(e);
    ++w.arbiter.spawns;
    Process& p = ensure_process(w, static_cast<pid_t>(v.pid), e.t_ns);
    p.role = ProcessRole::Worker;
    p.spawn_ns = std::min(p.spawn_ns, e.t_ns);  // its WorkerBoot may have sorted first
    p.worker_age = v.age;
}

void on_worker_timeout(World& w, const Event& e) {
    auto v = ev::WorkerTimeout::decode(e);
    ++w.arbiter.timeouts;
    if (Process* p = find_live(w, static_cast<pid_t>(v.pid))) {
        if (p->state != ProcessState::Exited) p->state = ProcessState::TimedOut;
        p->timed_out_ns = e.t_ns;
        p->timeout_silence_ms = v.silent_ms;
    }
}

void on_listener_open(World& w, const Event& e) {
    auto v = ev::ListenerOpen::decode(e);
    auto& socks = w.listener.sockets;
    auto it = std::find_if(socks.begin(), socks.end(), [&](const ListenSocket& s) { return s.fd == v.fd; });
    if (it == socks.end()) {
        socks.push_back(ListenSocket{v.fd, v.port});
    } else {
        it->port = v.port;
    }
}

void on_accept_queue_sample(World& w, const Event& e) {
    auto v = ev::AcceptQueueSample::decode(e);
    Listener& l = w.listener;
    l.queue_len = v.length;
    l.backlog = v.backlog;
    l.peak_queue_len = std::max(l.peak_queue_len, v.length.v);
    l.sampled_ns = e.t_ns;
    l.sampled_by = e.pid;
}

void on_worker_boot(World& w, const Event& e) {
    auto v = ev::WorkerBoot::decode(e);
    Process& p = ensure_process(w, e.pid, e.t_ns);
    p.role = ProcessRole::Worker;
    p.worker_age = v.age;
    p.model = (v.model >= 0 && v.model <= static_cast<std::int64_t>(ModelId::Asyncio)) ? v.model.as<ModelId>()
                                                                                         : ModelId::Unknown;
    p.boot_ns = e.t_ns;
    if (p.state == ProcessState::Spawned) p.state = ProcessState::Booting;
    ensure_thread(p, p.pid, e.t_ns).role = ThreadRole::Main;
}

}  // namespace

void apply_arbiter(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    // ListenerOpen and AcceptQueueSample may come from a worker; the rest only from the master.
    if (e.kind != EventKind::ListenerOpen && e.kind != EventKind::AcceptQueueSample && e.kind != EventKind::ArbiterStart) {
        note_arbiter(w, e);
    }
    switch (e.kind) {
        case EventKind::ArbiterStart: on_arbiter_start(w, e); break;
        case EventKind::ArbiterStop: on_arbiter_stop(w, e); break;
        case EventKind::SignalReceived: {
            auto v = ev::SignalReceived::decode(e);
            push_bounded(w.arbiter.signals, SignalRecord{v.signal, t, 0, v.queue_left}, kRecentSignals);
            break;
        }
        case EventKind::SignalHandled: on_signal_handled(w, e); break;
        case EventKind::WorkerSpawn: on_worker_spawn(w, e); break;
        case EventKind::WorkerTimeout: on_worker_timeout(w, e); break;
        case EventKind::KillSent: {
            auto v = ev::KillSent::decode(e);
            if (Process* p = find_live(w, static_cast<pid_t>(v.pid))) {
                push_bounded(p->kills, SignalMark{t, v.signal}, kRecentKills);
            }
            break;
        }
        case EventKind::WorkerReaped: {
            auto v = ev::WorkerReaped::decode(e);
            ++w.arbiter.reaps;
            reap(w, static_cast<pid_t>(v.pid), v.status, t);
            break;
        }
        case EventKind::WorkerCount: {
            auto v = ev::WorkerCount::decode(e);
            w.arbiter.workers_live = v.live;
            w.arbiter.workers_wanted = v.wanted;
            break;
        }
        case EventKind::ListenerOpen: on_listener_open(w, e); break;
        case EventKind::AcceptQueueSample: on_accept_queue_sample(w, e); break;
        default: break;
    }
}

void apply_worker(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    if (e.kind == EventKind::WorkerBoot) return on_worker_boot(w, e);
    Process& p = ensure_process(w, e.pid, t);
    switch (e.kind) {
        case EventKind::WorkerBooted:
            p.booted_ns = t;
            if (p.state == ProcessState::Spawned || p.state == ProcessState::Booting) p.state = ProcessState::Idle;
            break;
        case EventKind::WorkerExit:
            p.state = ProcessState::Exited;
            p.exit_ns = t;
            p.exit_code = ev::WorkerExit::decode(e).code;
            break;
        case EventKind::Heartbeat:
            p.last_heartbeat_ns = t;
            p.heartbeat_engine_ms = ev::Heartbeat::decode(e).engine_ms;
            break;
        case EventKind::SignalCaught:
            push_bounded(p.signals_caught, SignalMark{t, ev::SignalCaught::decode(e).signal}, kRecentKills);
            break;
        default: break;
    }
}

}  // namespace minicorn::trace::fold
