// app/studio/panels/timeline_bursts.cpp — the Timeline's running bursts: what
// each thread and greenlet does at every instant of the window, as Tracy draws
// fibers. Running is a solid bar, ready a thin line, parked an empty stretch
// with what it waits on (a timer, an fd, the poller, the GIL, a pool slot).
//
// Only one greenlet of a thread runs at a time, and the trace says which
// only part of the time: the hub's GreenSwitch is traced when it switches to
// a greenlet other than the last one it ran. So the walk keeps, per thread,
// the greenlet it runs (Lane::running_green) and moves it when
//   - GreenSwitch names one,
//   - a connection step (read, handle, write) of a greenlet is seen: it runs,
//   - the running one parks or ends: the hub runs (GreenPark, GreenExit).
// Making one greenlet run makes the one before it ready: at any instant at
// most one of a thread's greenlets is drawn running, and its hub waits then.
//
// A lane's state before its first event in the window is read off that
// event (a wake: it was parked; a switch to it: it was ready; a park: it
// ran); a lane with no event in the window gets the World's word at t1.
#include <sys/epoll.h>

#include "app/studio/panels/timeline_parts.h"
#include "engine/trace/ev.h"

namespace minicorn::studio::timeline_detail {

namespace {

struct State {
    RunState rs = RunState::None;
    WaitOn on = WaitOn::Nothing;
    std::int64_t detail = 0;
};

void flush_bursts(Frame& f, std::uint16_t li) {
    Burst& run = f.st.lanes[li].brun;
    if (run.count == 0) return;
    run.x1 = std::max(run.x1, run.x0 + 1.0f);
    f.st.bursts.push_back(run);
    run.count = 0;
}

// The lane's current state from rs_t0 to `t`, as a burst. Bursts narrower
// than a pixel merge into one run: running and parking many times within a
// pixel reads as busy, not as running (that would draw two greenlets running
// at once); a lone sliver keeps its state.
void emit_burst(Frame& f, std::uint16_t li, std::uint64_t t) {
    Lane& L = f.st.lanes[li];
    std::uint64_t ts = std::max(L.rs_t0, f.t0), te = std::min(t, f.t1);
    if (L.rs == RunState::None || te <= ts) return;
    float a = f.x_of(ts), b = f.x_of(te);
    std::uint64_t req = L.step != SpanKind::Dense && L.step != SpanKind::Accept ? L.open_req : 0;
    Burst burst{li, L.rs, L.rs_on, L.step, 1, a, b, ts, te, L.rs_detail, req};
    Burst& run = L.brun;
    if (b - a < 1.0f) {
        if (run.count > 0 && a <= run.x1 + 1.0f) {
            run.x1 = std::max(run.x1, b);
            run.t1 = std::max(run.t1, te);
            ++run.count;
            return;
        }
        flush_bursts(f, li);
        run = burst;
        return;
    }
    flush_bursts(f, li);
    f.st.bursts.push_back(burst);
}

// The lane is in `next` from `t` on. `before`: what it was in before its first
// event in the window (None: not known; nothing is drawn before it).
void set_state(Frame& f, int lane, State next, std::uint64_t t, State before = {}) {
    if (lane < 0) return;
    auto li = static_cast<std::uint16_t>(lane);
    Lane& L = f.st.lanes[li];
    if (!L.bursts) return;
    if (L.rs == next.rs && L.rs_on == next.on && L.rs_detail == next.detail) return;
    if (L.rs == RunState::None && !L.rs_seen && before.rs != RunState::None) {
        L.rs = before.rs;
        L.rs_on = before.on;
        L.rs_detail = before.detail;
        L.rs_t0 = f.walk_from;
    }
    emit_burst(f, li, t);
    L.rs = next.rs;
    L.rs_on = next.on;
    L.rs_detail = next.detail;
    L.rs_t0 = t;
    L.rs_seen = true;
}

// The step under way changes: the burst so far ends in the old step's colour.
void cut(Frame& f, std::uint16_t li, std::uint64_t t) {
    Lane& L = f.st.lanes[li];
    if (L.rs == RunState::None) return;
    emit_burst(f, li, t);
    L.rs_t0 = t;
}

constexpr State kRunning{RunState::Running};
constexpr State kReady{RunState::Ready};

State parked_on(std::int64_t fd, std::int64_t events, bool serves_conn) {
    if (fd < 0) return {RunState::Parked, serves_conn ? WaitOn::Timer : WaitOn::Event, 0};
    return {RunState::Parked, (events & EPOLLOUT) ? WaitOn::FdWrite : WaitOn::FdRead, fd};
}

// Thread lane `tl` now runs greenlet `g` (0: its hub).
void run_green(Frame& f, int tl, pid_t pid, pid_t tid, std::uint32_t g, std::uint64_t t) {
    if (tl < 0) return;
    std::uint32_t& running = f.st.lanes[static_cast<std::size_t>(tl)].running_green;
    if (running != g && running != 0) {
        int old = green_lane(f, pid, tid, running);
        if (old >= 0 && f.st.lanes[static_cast<std::size_t>(old)].rs == RunState::Running) set_state(f, old, kReady, t);
    }
    running = g;
    if (g == 0) {
        set_state(f, tl, kRunning, t);
        return;
    }
    set_state(f, green_lane(f, pid, tid, g), kRunning, t, kReady);
    set_state(f, tl, {RunState::Ready, WaitOn::Greenlet, g}, t);
}

}  // namespace

void green_event(Frame& f, const Event& e) {
    int tl = thread_lane(f, e);
    pid_t tid = e.tid ? e.tid : e.pid;
    // A greenlet that serves a connection and parks on no fd sleeps (a timer); the acceptor may wait for a pool slot.
    const bool serves = e.conn != 0 || f.st.green_conns.conn_of(e.pid, e.green) != 0;
    std::uint32_t running = tl >= 0 ? f.st.lanes[static_cast<std::size_t>(tl)].running_green : 0;
    switch (e.kind) {
        case EventKind::GreenSwitch: run_green(f, tl, e.pid, tid, e.green, e.t_ns); break;
        case EventKind::GreenSpawn: set_state(f, green_lane(f, e.pid, tid, e.green), kReady, e.t_ns); break;
        case EventKind::GreenWake: {
            auto w = trace::ev::GreenWake::decode(e);
            set_state(f, green_lane(f, e.pid, tid, e.green), kReady, e.t_ns, parked_on(w.fd, 0, serves));
            break;
        }
        case EventKind::GreenPark: {
            auto p = trace::ev::GreenPark::decode(e);
            set_state(f, green_lane(f, e.pid, tid, e.green), parked_on(p.fd, p.events, serves), e.t_ns, kRunning);
            // It ran until now: the hub runs next (unless the walk had another running, then that one goes on).
            if (running == e.green || running == 0) run_green(f, tl, e.pid, tid, 0, e.t_ns);
            break;
        }
        case EventKind::GreenExit:
            set_state(f, green_lane(f, e.pid, tid, e.green), {}, e.t_ns, kRunning);
            if (running == e.green) run_green(f, tl, e.pid, tid, 0, e.t_ns);
            break;
        default: break;
    }
}

void lane_event(Frame& f, const Event& e, std::uint16_t li, SpanKind span, bool opens, bool closes) {
    Lane& L = f.st.lanes[li];
    if (!L.bursts) return;
    const std::uint64_t t = e.t_ns;
    if (L.kind == Lane::Kind::Greenlet) {
        // A step of this greenlet's: it runs now, whatever the walk thought.
        int tl = thread_lane(f, e);
        if (span != SpanKind::Blocked && (tl < 0 || f.st.lanes[static_cast<std::size_t>(tl)].running_green != L.green)) {
            run_green(f, tl, e.pid, L.tid, L.green, t);
        }
    } else if (L.running_green != 0 && span != SpanKind::Wait) {
        // A thread that runs a greenlet: its own steps (the acceptor's accept) leave it waiting on that greenlet.
        if (span != SpanKind::Dense && (opens || closes)) cut(f, li, t);
        if (opens && span != SpanKind::Blocked) L.step = span;
        if (closes && L.step == span) L.step = SpanKind::Dense;
        return;
    }
    switch (span) {
        case SpanKind::Wait:
            if (opens) {
                if (L.running_green != 0) run_green(f, static_cast<int>(li), L.pid, L.tid, 0, t);  // the hub's turn
                WaitOn on = e.kind == EventKind::FuturesWait ? WaitOn::PoolSlot : WaitOn::Poll;
                set_state(f, li, {RunState::Parked, on, 0}, t, kRunning);
            } else if (closes) {
                set_state(f, li, kRunning, t, {RunState::Parked, WaitOn::Poll, 0});
            }
            return;
        case SpanKind::Blocked:
            if (opens) set_state(f, li, {RunState::Parked, WaitOn::Gil, 0}, t, kRunning);
            if (closes) set_state(f, li, kRunning, t, {RunState::Parked, WaitOn::Gil, 0});
            return;
        default: break;
    }
    if (opens || closes) {
        cut(f, li, t);
        if (opens) L.step = span;
        if (closes && (L.step == span || span == SpanKind::Dense)) L.step = SpanKind::Dense;
    }
    // Doing a step is running (a close: it ran up to here).
    if (L.kind != Lane::Kind::Greenlet && L.rs != RunState::Running) set_state(f, li, kRunning, t, kRunning);
}

void thread_instant(Frame& f, const Event& e) {
    int tl = thread_lane(f, e);
    if (tl < 0) return;
    Lane& T = f.st.lanes[static_cast<std::size_t>(tl)];
    if (!T.bursts || T.running_green != 0) return;
    if (e.kind == EventKind::PoolFinish) {
        cut(f, static_cast<std::uint16_t>(tl), e.t_ns);
        T.step = SpanKind::Dense;
        set_state(f, tl, {RunState::Parked, WaitOn::Work, 0}, e.t_ns, kRunning);
    } else if (e.kind == EventKind::GilRelease) {
        std::int64_t reason = trace::ev::GilRelease::decode(e).reason;
        WaitOn on = reason == 2 ? WaitOn::Gate : reason == 1 ? WaitOn::Gil : WaitOn::Io;
        set_state(f, tl, {RunState::Parked, on, 0}, e.t_ns, kRunning);
    }
}

void finish_bursts(Frame& f, std::uint16_t li, std::uint64_t end) {
    Lane& L = f.st.lanes[li];
    if (!L.bursts) return;
    if (L.rs == RunState::None && !L.rs_seen) {
        // No event in the window: the World at t1 says what it does, since when.
        const trace::Process* p = f.edge.process(L.pid);
        State s;
        std::uint64_t since = 0;
        if (p && L.kind == Lane::Kind::Greenlet) {
            auto g = p->greenlets.find(L.green);
            if (g != p->greenlets.end()) {
                since = g->second.since_ns;
                switch (g->second.state) {
                    case trace::GreenState::Running: s = kRunning; break;
                    case trace::GreenState::Ready: s = kReady; break;
                    case trace::GreenState::Parked: s = parked_on(g->second.fd, g->second.fd_events, g->second.conn != 0); break;
                    default: break;
                }
            }
        } else if (p) {
            if (const trace::Thread* th = p->thread(L.tid)) {
                since = th->since_ns;
                if (L.kind == Lane::Kind::Process && p->running_green != 0) {
                    s = {RunState::Ready, WaitOn::Greenlet, p->running_green};
                } else if (th->activity == trace::ThreadActivity::Waiting) {
                    s = {RunState::Parked, WaitOn::Poll, 0};
                } else if (th->activity == trace::ThreadActivity::Idle) {
                    if (th->role == trace::ThreadRole::Pool) s = {RunState::Parked, WaitOn::Work, 0};
                } else {
                    s = kRunning;
                    switch (th->activity) {  // the step it is in colours the bar
                        case trace::ThreadActivity::Accepting: L.step = SpanKind::Accept; break;
                        case trace::ThreadActivity::Reading: L.step = SpanKind::Read; break;
                        case trace::ThreadActivity::Handling: L.step = SpanKind::Handle; break;
                        case trace::ThreadActivity::Writing: L.step = SpanKind::Write; break;
                        default: break;
                    }
                    L.open_req = th->req;
                }
            }
        }
        if (s.rs != RunState::None && since < end) {
            L.rs = s.rs;
            L.rs_on = s.on;
            L.rs_detail = s.detail;
            L.rs_t0 = since;
        }
    }
    emit_burst(f, li, end);
    flush_bursts(f, li);
}

}  // namespace minicorn::studio::timeline_detail
