// engine/trace/model_green.cpp — the fold of greenlets (Family::Green), the
// simulated GIL (Family::Gil), event loops (Family::Loop) and the
// collector's bookkeeping (Family::Bookkeeping). See schema.h.
#include <algorithm>

#include "engine/trace/ev.h"
#include "engine/trace/model_fold.h"

namespace minicorn::trace::fold {
namespace {

// Greenlet `green` runs from `t` on; the one that ran before (`from`, or the
// last one the process switched to) yielded without parking.
void run_greenlet(Process& p, std::uint32_t green, std::uint32_t from, std::uint64_t t) {
    for (std::uint32_t before : {p.running_green, from}) {
        auto it = p.greenlets.find(before);
        if (before != green && it != p.greenlets.end() && it->second.state == GreenState::Running) {
            set_green_state(it->second, GreenState::Ready, t);
        }
    }
    Greenlet& g = ensure_greenlet(p, green, t);
    set_green_state(g, GreenState::Running, t);
    g.fd = -1;
    p.running_green = green;
}

void on_green_switch(Process& p, const Event& e) {
    auto v = ev::GreenSwitch::decode(e);
    run_greenlet(p, v.green, static_cast<std::uint32_t>(v.from.v), e.t_ns);
}

void on_green_exit(Process& p, const Event& e) {
    const std::uint64_t t = e.t_ns;
    Greenlet g = ensure_greenlet(p, e.green, t);
    p.greenlets.erase(e.green);
    set_green_state(g, GreenState::Exited, t);
    g.fd = -1;
    if (p.running_green == e.green) p.running_green = 0;
    push_bounded(p.greenlets_exited, std::move(g), kRecentGreenletsExited);
}

}  // namespace

void note_running_green(World& w, const Event& e) {
    Process& p = ensure_process(w, e.pid, e.t_ns);
    if (p.running_green == e.green) return;
    // The hub resumes a greenlet whose fd was ready at once without a GreenSwitch
    // (it was the last to run): its own events say it runs again.
    auto it = p.greenlets.find(e.green);
    if (it != p.greenlets.end() && it->second.state == GreenState::Running) {
        p.running_green = e.green;
        return;
    }
    run_greenlet(p, e.green, 0, e.t_ns);
}

void apply_green(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    Process& p = ensure_process(w, e.pid, t);
    switch (e.kind) {
        case EventKind::GreenSpawn: {
            auto v = ev::GreenSpawn::decode(e);
            Greenlet& g = ensure_greenlet(p, v.green, t);
            g.parent = static_cast<std::uint32_t>(v.parent.v);
            g.conn = v.conn;  // the connection it was spawned to serve (0: none, an acceptor say)
            g.spawned_ns = t;
            set_green_state(g, GreenState::Ready, t);
            break;
        }
        case EventKind::GreenSwitch: on_green_switch(p, e); break;
        case EventKind::GreenPark: {
            auto v = ev::GreenPark::decode(e);
            Greenlet& g = ensure_greenlet(p, v.green, t);
            set_green_state(g, GreenState::Parked, t);
            g.fd = v.fd;
            g.fd_events = v.events;
            if (v.conn) g.conn = v.conn;
            if (p.running_green == v.green) p.running_green = 0;
            break;
        }
        case EventKind::GreenWake: {
            auto v = ev::GreenWake::decode(e);
            Greenlet& g = ensure_greenlet(p, v.green, t);
            // why 0 with an fd: the hub's poll returned that fd ready (wake_fd), so it is in the ready set.
            if (v.why == 0 && v.fd >= 0) p.poll_ready_fds.push_back(ReadyFd{v.fd, g.fd_events, v.conn, v.green});
            set_green_state(g, GreenState::Ready, t);
            g.fd = -1;
            break;
        }
        case EventKind::GreenExit: on_green_exit(p, e); break;
        default: break;
    }
}

void apply_gil(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    Gil& gil = ensure_process(w, e.pid, t).gil;
    pid_t tid = tid_of(e);
    switch (e.kind) {
        case EventKind::GilWait: {
            if (std::find(gil.waiters.begin(), gil.waiters.end(), tid) == gil.waiters.end()) gil.waiters.push_back(tid);
            auto holder = static_cast<pid_t>(ev::GilWait::decode(e).holder.v);
            if (holder && holder != gil.holder) {
                gil.holder = holder;  // the waiter saw who holds it; trust that over a dropped GilAcquire
                gil.held_since_ns = t;
            }
            break;
        }
        case EventKind::GilAcquire: {
            std::int64_t waited = ev::GilAcquire::decode(e).waited_ns;
            std::erase(gil.waiters, tid);
            gil.holder = tid;
            gil.held_since_ns = t;
            ++gil.acquisitions;
            if (waited > 0) gil.waited_ns += static_cast<std::uint64_t>(waited);
            break;
        }
        case EventKind::GilRelease:
            if (gil.holder == tid) gil.holder = 0;
            if (ev::GilRelease::decode(e).reason == 1) ++gil.forced_drops;  // 2: let go at the closed gate
            break;
        default: break;
    }
}

void apply_loop(World& w, const Event& e) {
    const std::uint64_t t = e.t_ns;
    LoopState& loop = ensure_process(w, e.pid, t).loop;
    loop.seen = true;
    switch (e.kind) {
        case EventKind::LoopPhase: {
            auto v = ev::LoopPhase::decode(e);
            auto phase = v.phase.as<LoopPhaseId>();
            if (phase == LoopPhaseId::Timers) ++loop.iterations;
            if (phase != loop.phase) loop.phase_since_ns = t;
            loop.phase = phase;
            loop.phase_items = v.items;
            break;
        }
        case EventKind::TimerAdd: {
            auto v = ev::TimerAdd::decode(e);
            loop.timers[v.timer] = LoopTimer{v.timer, v.deadline_ms, t};
            break;
        }
        case EventKind::TimerFire:
            if (loop.timers.erase(ev::TimerFire::decode(e).timer)) ++loop.timers_fired;
            break;
        case EventKind::TimerCancel: loop.timers.erase(ev::TimerCancel::decode(e).timer); break;
        case EventKind::CallbackQueued: loop.ready_callbacks = ev::CallbackQueued::decode(e).ready; break;
        case EventKind::CallbackRun: {
            auto v = ev::CallbackRun::decode(e);
            loop.ready_callbacks = v.ready;
            ++loop.callbacks_run;
            loop.running = v.callback.as<LoopCallback>();
            loop.running_conn = v.conn;
            break;
        }
        default: break;
    }
}

void apply_bookkeeping(World& w, const Event& e) {
    Totals& tot = w.totals;
    switch (e.kind) {
        case EventKind::GateStep:
            if (auto tokens = ev::GateStep::decode(e).tokens; tokens > 0) tot.gate_tokens += static_cast<std::uint64_t>(tokens.v);
            break;
        case EventKind::GateClose:
            if (!w.gate.closed()) w.gate.add_close(e.t_ns);
            break;
        case EventKind::GateOpen:
            if (w.gate.closed()) w.gate.spans.back().opened_ns = std::max<std::uint64_t>(e.t_ns, 1);
            break;
        case EventKind::Counter: {
            auto v = ev::Counter::decode(e);
            Process* p = find_any(w, e.pid);
            if (!p) p = &ensure_process(w, e.pid, e.t_ns);
            if (v.counter >= 0 && static_cast<std::size_t>(v.counter.v) < kCounterCount) {
                p->counters[static_cast<std::size_t>(v.counter.v)] = v.value;
            }
            break;
        }
        case EventKind::RingDrops:
            if (auto dropped = ev::RingDrops::decode(e).dropped; dropped > 0) {
                auto n = static_cast<std::uint64_t>(dropped.v);
                tot.drops += n;
                if (Process* p = find_any(w, e.pid)) p->drops += n;
            }
            break;
        default: break;
    }
}

}  // namespace minicorn::trace::fold
