// app/studio/panels/timeline_walk.cpp — the Timeline's lanes and its walk:
// steps 2–4 of a frame (timeline.cpp lists them all).
//
//   2. lanes seeded from the World at t1 (every process and OS thread, the
//      greenlets alive there), so an idle worker still has its lane
//   3. walk the events in the window, pairing starts and ends per lane into
//      spans; sub-pixel spans merge into runs
//   4. close what is still open at t1; lanes that saw no event get the span
//      the World at t1 says they are in (a worker in select() for seconds)
//
// Nothing here allocates per event: the lane table, span and tick buffers
// live in TimelineState and keep their capacity.
//
// Index
//   [SECTION] Event roles
//   [SECTION] Lanes
//   [SECTION] Walk
#include <sys/types.h>

#include <cmath>

#include "app/studio/draw/request_label.h"
#include "app/studio/panels/timeline_parts.h"
#include "engine/trace/ev.h"
#include "engine/trace/kinds.h"

namespace minicorn::studio::timeline_detail {

namespace {

// ============================================================================
// [SECTION] Event roles
// ============================================================================

// What an event does to its lane's spans. Kinds that do nothing here are
// skipped before any lane lookup: most of the walk's cost is avoided there.
enum class Role : std::uint8_t { Ignore, Open, Close, CloseConn, Tick, Alarm, Switch, Client, Sample, Phase };
struct RoleOf {
    Role role = Role::Ignore;
    SpanKind span = SpanKind::Dense;
};

constexpr Role role_of(trace::TimelineRole r) {
    switch (r) {
        case trace::TimelineRole::Instant: return Role::Ignore;
        case trace::TimelineRole::Begins: return Role::Open;
        case trace::TimelineRole::Ends: return Role::Close;
        case trace::TimelineRole::EndsConnection: return Role::CloseConn;
        case trace::TimelineRole::Tick: return Role::Tick;
        case trace::TimelineRole::Alarm: return Role::Alarm;
        case trace::TimelineRole::Sample: return Role::Sample;
        case trace::TimelineRole::Phase: return Role::Phase;
        case trace::TimelineRole::Switch: return Role::Switch;
        case trace::TimelineRole::ClientStep: return Role::Client;
    }
    return Role::Ignore;
}

constexpr SpanKind span_of(trace::Span s) {
    switch (s) {
        case trace::Span::None: return SpanKind::Dense;
        case trace::Span::Accept: return SpanKind::Accept;
        case trace::Span::Read: return SpanKind::Read;
        case trace::Span::Handle: return SpanKind::Handle;
        case trace::Span::Write: return SpanKind::Write;
        case trace::Span::Wait: return SpanKind::Wait;
        case trace::Span::Parked: return SpanKind::Parked;
        case trace::Span::Blocked: return SpanKind::Blocked;
    }
    return SpanKind::Dense;
}

// The schema's timeline column (engine/trace/schema.h), indexed by kind.
constexpr std::array<RoleOf, trace::kEventKindCount> make_roles() {
    std::array<RoleOf, trace::kEventKindCount> r{};
    for (const trace::KindInfo& k : trace::kinds()) {
        r[static_cast<std::size_t>(k.kind)] = {role_of(k.timeline), span_of(k.span)};
    }
    return r;
}
constexpr std::array<RoleOf, trace::kEventKindCount> kRoles = make_roles();


// ============================================================================
// [SECTION] Lanes
// ============================================================================

std::uint64_t thread_key(pid_t tid) { return (1ull << 63) | static_cast<std::uint32_t>(tid); }
std::uint64_t green_key(pid_t pid, std::uint32_t green) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 32) | green;
}


// A new lane for this key, or -1 when the caps are reached.
int add_lane(Frame& f, Lane::Kind kind, pid_t pid, pid_t tid, std::uint32_t green, std::uint64_t client = 0) {
    if (f.st.lanes.size() >= kMaxLanes) {
        ++f.st.stats.lanes_hidden;
        return -1;
    }
    if (kind == Lane::Kind::Greenlet) {
        std::size_t i = 0;
        while (i < f.green_pids && f.green_lanes[i].first != pid) ++i;
        if (i == f.green_pids) {
            if (i == f.green_lanes.size()) return -1;
            f.green_lanes[f.green_pids++] = {pid, 0};
        }
        if (f.green_lanes[i].second >= kMaxGreenLanesPerProcess) {
            ++f.st.stats.lanes_hidden;
            return -1;
        }
        ++f.green_lanes[i].second;
    }
    if (kind == Lane::Kind::Client) {
        if (f.client_lanes == kMaxClientLanes) {
            ++f.st.stats.lanes_hidden;
            return -1;
        }
        ++f.client_lanes;
    }
    Lane lane;
    lane.client = client;
    lane.kind = kind;
    lane.pid = pid;
    lane.tid = tid;
    lane.green = green;
    // Threads and greenlets are drawn as running bursts; so is a worker's main thread, not the arbiter's.
    lane.bursts = kind == Lane::Kind::Thread || kind == Lane::Kind::Greenlet ||
                  (kind == Lane::Kind::Process && pid != f.edge.arbiter.pid);
    f.st.lanes.push_back(lane);
    return static_cast<int>(f.st.lanes.size() - 1);
}

// The lane table: open addressing over kSlots, cleared every frame. A key
// over the caps is remembered as -1 so it is refused once, not per event.
int find_or_add_slow(Frame& f, std::uint64_t key, Lane::Kind kind, pid_t pid, pid_t tid, std::uint32_t green,
                     std::uint64_t client) {
    std::size_t h = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 52) & (kSlots - 1);
    for (;;) {
        Slot& s = f.st.slots[h];
        if (s.key == key) return s.lane;
        if (s.key == 0) break;
        h = (h + 1) & (kSlots - 1);
    }
    int lane = add_lane(f, kind, pid, tid, green, client);
    if (f.slots_used < kSlots / 2) {  // keep probes short; past that, refused keys are just refused again
        f.st.slots[h] = {key, lane};
        ++f.slots_used;
    }
    return lane;
}

int find_or_add(Frame& f, std::uint64_t key, Lane::Kind kind, pid_t pid, pid_t tid, std::uint32_t green,
                std::uint64_t client = 0) {
    if (key == f.last_key) return f.last_lane;  // events come in runs from one thread
    int lane = find_or_add_slow(f, key, kind, pid, tid, green, client);
    f.last_key = key;
    f.last_lane = lane;
    return lane;
}

// A virtual user's lane: its connections one after another, as it sends one
// request at a time (bit 62 keeps the key apart from greenlets' and threads';
// bit 61 from a lane per connection, when the virtual user is not known).
int client_lane(Frame& f, pid_t pid, std::uint64_t conn) {
    const RequestIndex* index = request_naming().index;
    std::int64_t vu = index ? index->vu_of(conn) : -1;
    std::uint64_t key = vu >= 0 ? (1ull << 62) | (1ull << 61) | (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 24) |
                                      (static_cast<std::uint64_t>(vu) & 0xffffffu)
                                : (1ull << 62) | conn;
    int lane = find_or_add(f, key, Lane::Kind::Client, pid, pid, 0, conn);
    if (lane >= 0) {
        Lane& L = f.st.lanes[static_cast<std::size_t>(lane)];
        L.vu = vu;
        if (conn > L.client || L.client == 0) L.client = conn;
    }
    return lane;
}

int thread_lane_of(Frame& f, const Event& e) {
    pid_t tid = e.tid ? e.tid : e.pid;
    return find_or_add(f, thread_key(tid), tid == e.pid ? Lane::Kind::Process : Lane::Kind::Thread, e.pid, tid, 0);
}

int green_lane_of(Frame& f, pid_t pid, pid_t tid, std::uint32_t green) {
    return find_or_add(f, green_key(pid, green), Lane::Kind::Greenlet, pid, tid, green);
}

// Steps a greenlet takes for its connection (read, handle, write, …).
bool is_connection_step(const RoleOf& r) {
    if (r.role == Role::CloseConn) return true;
    if (r.role != Role::Open && r.role != Role::Close) return false;
    // Accepting stays on the thread: AcceptAttempt names no connection, and the
    // acceptor's accept loop is the hub's business as much as the greenlet's.
    return r.span == SpanKind::Read || r.span == SpanKind::Handle || r.span == SpanKind::Write ||
           r.span == SpanKind::Blocked;
}

// The engine's connection steps carry no greenlet id (green 0): on a thread
// that runs greenlets they belong to the greenlet serving that connection
// (GreenConnIndex), else to the one the thread switched to last.
int lane_of(Frame& f, const Event& e, const RoleOf& r) {
    if (r.role == Role::Client) return e.conn ? client_lane(f, e.pid, e.conn) : -1;
    pid_t tid = e.tid ? e.tid : e.pid;
    if (e.green) return green_lane_of(f, e.pid, tid, e.green);
    int tl = thread_lane_of(f, e);
    if (tl < 0 || !is_connection_step(r)) return tl;
    Lane& T = f.st.lanes[static_cast<std::size_t>(tl)];
    // One index lookup per connection the thread turns to, not per event.
    if (e.conn && e.conn != T.last_conn) {
        T.last_conn = e.conn;
        T.last_conn_green = f.st.green_conns.green_of(e.conn);
    }
    std::uint32_t green = e.conn && T.last_conn_green ? T.last_conn_green : T.running_green;
    // A greenlet over the lane cap: its step is not drawn at all, rather than
    // on the hub's lane, where it would read as the hub's own work.
    if (green) return green_lane_of(f, e.pid, tid, green);
    return tl;
}

// Every live process and its threads get a lane before the walk, so the
// quiet ones are shown too, in a stable order.
//
// Greenlets are seeded too, before the walk claims lanes for the first ones
// it meets (the oldest): those alive at the right edge — what the Topology
// shows — running and ready first, then the newest, up to the cap. The walk
// fills what is left with greenlets that ended inside the window.
void seed_lanes_impl(Frame& f) {
    const World& w = f.edge;
    if (!w.listener.sockets.empty()) find_or_add(f, 1, Lane::Kind::Queue, w.arbiter.pid, 0, 0);  // key 1: no thread or greenlet has it
    for (const auto& [pid, p] : w.processes) {
        if (p.role == trace::ProcessRole::Client) continue;  // minicorn load: its connections get lanes instead
        find_or_add(f, thread_key(pid), Lane::Kind::Process, pid, pid, 0);
        for (const auto& [tid, th] : p.threads) {
            if (tid != pid) find_or_add(f, thread_key(tid), Lane::Kind::Thread, pid, tid, 0);
        }
    }
    for (const auto& [pid, p] : w.processes) {
        std::size_t seeded = 0;
        auto seed = [&](const trace::Greenlet& g) {
            if (g.id == 0 || seeded == kMaxGreenLanesPerProcess) return;  // 0: the main greenlet, drawn as the hub's lane
            find_or_add(f, green_key(pid, g.id), Lane::Kind::Greenlet, pid, pid, g.id);
            ++seeded;
        };
        for (const auto& [id, g] : p.greenlets) {
            if (g.state == trace::GreenState::Running || g.state == trace::GreenState::Ready) seed(g);
        }
        for (auto it = p.greenlets.rbegin(); it != p.greenlets.rend() && seeded < kMaxGreenLanesPerProcess; ++it) {
            if (it->second.state == trace::GreenState::Parked) seed(it->second);
        }
    }
    // The newest of the client's open connections.
    for (auto it = w.clients.rbegin(); it != w.clients.rend() && f.client_lanes < kMaxClientLanes; ++it) {
        client_lane(f, it->second.pid, it->first);
    }
}

// ============================================================================
// [SECTION] Walk
// ============================================================================

void flush_run(Frame& f, std::uint16_t li) {
    Lane& L = f.st.lanes[li];
    if (L.run_x1 < 0) return;
    SpanKind k = L.run_count > 1 ? SpanKind::Dense : L.run_kind;
    bool one = L.run_count == 1;
    f.st.spans.push_back({li, k, L.run_count, L.run_x0, std::max(L.run_x1, L.run_x0 + 1.0f), L.run_t0, L.run_t1,
                          one ? L.run_conn : 0, one ? L.run_req : 0});
    L.run_x1 = -1;
}

void emit(Frame& f, std::uint16_t li, SpanKind kind, std::uint64_t ts, std::uint64_t te, std::uint64_t conn,
          std::uint64_t req) {
    ts = std::max(ts, f.t0);
    te = std::min(te, f.t1);
    if (te < ts) return;
    Lane& L = f.st.lanes[li];
    float a = f.x_of(ts), b = f.x_of(te);
    if (b - a < 1.0f) {
        // Narrower than a pixel: fold into the lane's current run if it touches it.
        if (L.run_x1 >= 0 && a <= L.run_x1 + 1.0f) {
            L.run_x1 = std::max(L.run_x1, b);
            L.run_t1 = std::max(L.run_t1, te);
            ++L.run_count;
        } else {
            flush_run(f, li);
            L.run_x0 = a;
            L.run_x1 = b;
            L.run_t0 = ts;
            L.run_t1 = te;
            L.run_count = 1;
            L.run_kind = kind;
            L.run_conn = conn;
            L.run_req = req;
        }
        ++f.st.stats.spans_merged;
        return;
    }
    flush_run(f, li);
    f.st.spans.push_back({li, kind, 1, a, b, ts, te, conn, req});
}

void close_span(Frame& f, std::uint16_t li, SpanKind k, std::uint64_t t, std::int64_t waited_ns = 0) {
    Lane& L = f.st.lanes[li];
    std::uint64_t start = L.open[idx(k)];
    if (start == 0) {
        // An end with no start in the window: the span began before it.
        if (L.saw_start[idx(k)]) return;
        start = f.walk_from;
    }
    if (k == SpanKind::Blocked) {
        // GilAcquire says how long it waited (a0); an uncontended one has no
        // GilWait before it and waited 0: no span.
        start = waited_ns <= 0 ? t : std::max(L.open[idx(k)], t - std::min(t, static_cast<std::uint64_t>(waited_ns)));
        if (start >= t) {
            L.open[idx(k)] = 0;
            return;
        }
    }
    L.open[idx(k)] = 0;
    bool conn_span = k == SpanKind::Read || k == SpanKind::Handle || k == SpanKind::Write;
    emit(f, li, k, start, t, conn_span ? L.open_conn : 0, conn_span ? L.open_req : 0);
}

// A client connection's life, in the server's hues: connecting (accept),
// sending (as the server reads), waiting (as it handles), receiving (as it writes).
void client_step(Frame& f, std::uint16_t li, const Event& e) {
    Lane& L = f.st.lanes[li];
    auto open = [&](SpanKind k) {
        L.open[idx(k)] = e.t_ns;
        L.saw_start[idx(k)] = true;
        L.open_conn = 0;  // a client id: not one of the server's connections
        L.open_req = e.req;  // the client's request id (X-Request-Id): the flows and names join on it
    };
    auto close = [&](SpanKind k) { close_span(f, li, k, e.t_ns); };
    switch (e.kind) {
        case EventKind::ClientConnectStart: open(SpanKind::Accept); break;
        case EventKind::ClientConnected: close(SpanKind::Accept); break;
        case EventKind::ClientSendStart: open(SpanKind::Read); break;
        case EventKind::ClientSendEnd: close(SpanKind::Read); open(SpanKind::Handle); break;
        case EventKind::ClientFirstByte: close(SpanKind::Handle); open(SpanKind::Write); break;
        case EventKind::ClientDone: close(SpanKind::Write); break;
        default:  // ClientError, ClientClose: whatever was under way ends here
            for (SpanKind k : {SpanKind::Accept, SpanKind::Read, SpanKind::Handle, SpanKind::Write}) {
                if (L.open[idx(k)]) close(k);
            }
            break;
    }
}

// The phase an event loop leaves, as a mark on its lane; one narrower than a
// pixel joins the mark before it when they touch (at most a mark a pixel).
void end_phase(Frame& f, std::uint16_t li, std::uint64_t t) {
    Lane& L = f.st.lanes[li];
    if (L.loop_phase == 0) return;
    float a = f.x_of(std::max(L.loop_phase_t0, f.t0)), b = f.x_of(std::min(t, f.t1));
    auto& marks = f.st.phases;
    bool touches = !marks.empty() && marks.back().lane == li && a <= marks.back().x1 + 1;
    if (touches && (marks.back().phase == L.loop_phase || b - a < 1.0f)) {
        marks.back().x1 = std::max(marks.back().x1, b);  // the same phase goes on, or a sliver too thin to see
    } else {
        marks.push_back({li, L.loop_phase, a, std::max(b, a + 1.0f)});
    }
}

void walk_impl(Frame& f, std::size_t from, std::size_t to) {
    std::span<const Event> events = f.view.rec.events();
    for (std::size_t i = from; i < to; ++i) {
        const Event& e = events[i];
        const RoleOf& r = kRoles[static_cast<std::size_t>(e.kind)];
        if (r.role == Role::Ignore) {
            if (e.kind == EventKind::GilRelease || e.kind == EventKind::PoolFinish) thread_instant(f, e);
            if (e.kind == EventKind::GreenSpawn && e.green) green_event(f, e);  // a new greenlet is ready
            continue;
        }
        if (r.role == Role::Sample) {
            // One point per pixel, the largest: a burst of pending connections is never averaged away.
            float x = std::floor(f.x_of(e.t_ns));
            auto q = trace::ev::AcceptQueueSample::decode(e);
            auto& sm = f.st.samples;
            if (!sm.empty() && sm.back().x == x) {
                if (q.length > sm.back().len) sm.back().len = q.length;
            } else {
                sm.push_back({x, q.length, q.backlog, e.t_ns});
            }
            continue;
        }
        // Green 0 is the main greenlet, and also the hub: its parks would read as the hub's, so they are left out.
        if (e.green == 0 && (e.kind == EventKind::GreenPark || e.kind == EventKind::GreenWake)) continue;
        if (r.role == Role::Switch || r.span == SpanKind::Parked) {  // GreenSwitch, GreenPark/Wake/Exit
            green_event(f, e);  // a greenlet's park is drawn as its burst, not as a span
            continue;
        }
        int lane = lane_of(f, e, r);
        if (lane < 0) continue;
        auto li = static_cast<std::uint16_t>(lane);
        Lane& L = f.st.lanes[li];
        L.touched = true;
        switch (r.role) {
            case Role::Open:
                // Doing anything ends a wait in the poller (FuturesWait has no wake of its own).
                if (L.open[idx(SpanKind::Wait)] && r.span != SpanKind::Wait && !is_inset(r.span)) close_span(f, li, SpanKind::Wait, e.t_ns);
                if (L.open[idx(r.span)]) close_span(f, li, r.span, e.t_ns);
                L.open[idx(r.span)] = e.t_ns;
                L.saw_start[idx(r.span)] = true;
                if (e.conn) {
                    L.open_conn = e.conn;
                    L.open_req = e.req;
                }
                break;
            case Role::Close:
                close_span(f, li, r.span, e.t_ns, e.kind == EventKind::GilAcquire ? trace::ev::GilAcquire::decode(e).waited_ns.v : 0);
                break;
            case Role::CloseConn:
                for (SpanKind k : {SpanKind::Read, SpanKind::Handle, SpanKind::Write}) {
                    if (L.open[idx(k)]) close_span(f, li, k, e.t_ns);
                }
                break;
            case Role::Tick:
            case Role::Alarm: {
                float x = f.x_of(e.t_ns);
                if (r.role == Role::Tick && x - L.last_tick_x < 3.0f) break;  // one tick per few pixels
                L.last_tick_x = x;
                f.st.ticks.push_back({li, r.role == Role::Alarm, x, e.t_ns, e.kind, e.a0, e.a1});
                break;
            }
            case Role::Client: client_step(f, li, e); break;
            case Role::Phase:
                end_phase(f, li, e.t_ns);
                L.loop_phase = trace::ev::LoopPhase::decode(e).phase;
                L.loop_phase_t0 = e.t_ns;
                break;
            case Role::Ignore:
            case Role::Sample:
            case Role::Switch: break;
        }
        if (r.role == Role::Open || r.role == Role::Close || r.role == Role::CloseConn) {
            lane_event(f, e, li, r.span, r.role == Role::Open, r.role != Role::Open);
        }
    }
}

// A thread's activity at t1, as a span, when the walk did not draw it.
// Not only lanes that saw nothing: a sync worker pinned by a slowloris for
// seconds still sees Counter and queue samples, and its one story —
// "reading since 4 s ago" — must still show.
void world_activity(Frame& f, std::uint16_t li, std::uint64_t end) {
    const Lane& L = f.st.lanes[li];
    auto pit = f.edge.processes.find(L.pid);
    if (pit == f.edge.processes.end()) return;
    const trace::Thread* th = pit->second.thread(L.tid);
    if (!th) return;
    SpanKind k = SpanKind::Dense;
    switch (th->activity) {
        case trace::ThreadActivity::Waiting: k = SpanKind::Wait; break;
        case trace::ThreadActivity::Accepting: k = SpanKind::Accept; break;
        case trace::ThreadActivity::Reading: k = SpanKind::Read; break;
        case trace::ThreadActivity::Handling: k = SpanKind::Handle; break;
        case trace::ThreadActivity::Writing: k = SpanKind::Write; break;
        case trace::ThreadActivity::Idle: return;
    }
    if (L.open[idx(k)] || L.saw_start[idx(k)]) return;  // the walk drew it already
    if (th->since_ns < end) emit(f, li, k, th->since_ns, end, th->conn, th->req);
}

// Spans still open at the right edge, and lanes that saw nothing: the World at t1 says what they do.
void finish_lanes_impl(Frame& f) {
    std::uint64_t end = std::min(f.t1, std::max(f.view.rec.last_time(), f.edge.now_ns));
    const std::uint64_t window_end = end;
    for (std::size_t li = 0; li < f.st.lanes.size(); ++li) {
        Lane& L = f.st.lanes[li];
        auto l16 = static_cast<std::uint16_t>(li);
        // A worker reaped inside the window does nothing after it: its lanes end there.
        end = window_end;
        if (const trace::Process* p = L.kind == Lane::Kind::Client ? nullptr : f.edge.process(L.pid); p && p->reaped_ns) {
            end = std::clamp(p->reaped_ns, f.t0, window_end);
        }
        for (std::size_t k = 0; k < kSpanKindCount; ++k) {
            if (L.open[k]) emit(f, l16, static_cast<SpanKind>(k), L.open[k], end, L.open_conn, L.open_req);
        }
        end_phase(f, l16, end);
        if (!L.touched && L.kind == Lane::Kind::Client) {
            auto c = f.edge.clients.find(L.client);
            SpanKind k = SpanKind::Dense;
            if (c != f.edge.clients.end()) {
                switch (c->second.stage) {
                    case trace::ClientStage::Connecting: k = SpanKind::Accept; break;
                    case trace::ClientStage::Sending: k = SpanKind::Read; break;
                    case trace::ClientStage::Waiting: k = SpanKind::Handle; break;
                    case trace::ClientStage::Receiving: k = SpanKind::Write; break;
                    default: break;
                }
                if (k != SpanKind::Dense && c->second.since_ns < end) emit(f, l16, k, c->second.since_ns, end, 0, c->second.req);
            }
        } else if (L.kind == Lane::Kind::Process || L.kind == Lane::Kind::Thread) {
            world_activity(f, l16, end);
        }
        finish_bursts(f, l16, end);
        flush_run(f, l16);
    }
}


}  // namespace

void seed_lanes(Frame& f) { seed_lanes_impl(f); }
void walk(Frame& f, std::size_t from, std::size_t to) { walk_impl(f, from, to); }
void finish_lanes(Frame& f) { finish_lanes_impl(f); }
int thread_lane(Frame& f, const Event& e) { return thread_lane_of(f, e); }
int green_lane(Frame& f, pid_t pid, pid_t tid, std::uint32_t green) { return green_lane_of(f, pid, tid, green); }

}  // namespace minicorn::studio::timeline_detail
