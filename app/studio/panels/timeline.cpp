// app/studio/panels/timeline.cpp — see timeline.h.
//
// One frame, in order:
//   1. the window [t0, t1): following live, t1 is the newest event's time
//   2. lanes seeded from the World at t1 (every process and OS thread), so an
//      idle worker still has its lane
//   3. walk the events in the window (Recording::lower_bound), pairing starts
//      and ends per lane into spans; sub-pixel spans merge into runs
//   4. close what is still open at t1; give lanes that saw no event the span
//      the World at t1 says they are in (a worker in select() for seconds)
//   5. sort lanes, draw the ruler, lanes, spans, ticks and the instant shown
//   6. input: drag pans, wheel pans (leaving live), ctrl+wheel zooms,
//      shift+wheel scrolls lanes, a click shows that instant; hover explains
//
// Nothing here allocates per event: the lane table, span and tick buffers
// live in TimelineState and keep their capacity.
//
// Index
//   [SECTION] Event roles
//   [SECTION] Lanes
//   [SECTION] Walk
//   [SECTION] Draw
//   [SECTION] Input and hover
//   [SECTION] draw_timeline
#include "app/studio/panels/timeline.h"

#include <imgui.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/shapes.h"

namespace minicorn::studio {

using trace::Event;
using trace::EventKind;
using trace::World;
using namespace timeline_detail;

namespace {

constexpr std::size_t kSlots = 4096;  // the lane table; a power of two
constexpr float kHeaderW = 150;
constexpr float kRulerH = 18;
constexpr float kLaneH = 18;

// ============================================================================
// [SECTION] Event roles
// ============================================================================

// What an event does to its lane's spans. Kinds that do nothing here are
// skipped before any lane lookup: most of the walk's cost is avoided there.
enum class Role : std::uint8_t { Ignore, Open, Close, CloseConn, Tick, Alarm, Switch };
struct RoleOf {
    Role role = Role::Ignore;
    SpanKind span = SpanKind::Dense;
};

constexpr std::array<RoleOf, trace::kEventKindCount> make_roles() {
    std::array<RoleOf, trace::kEventKindCount> r{};
    auto set = [&r](EventKind k, Role role, SpanKind s = SpanKind::Dense) { r[static_cast<std::size_t>(k)] = {role, s}; };
    set(EventKind::AcceptAttempt, Role::Open, SpanKind::Accept);
    set(EventKind::Accepted, Role::Close, SpanKind::Accept);
    set(EventKind::AcceptEagain, Role::Close, SpanKind::Accept);
    set(EventKind::ReadStart, Role::Open, SpanKind::Read);
    set(EventKind::PoolStart, Role::Open, SpanKind::Read);  // a pool job begins by reading the request
    set(EventKind::ReadDone, Role::Close, SpanKind::Read);
    set(EventKind::ParseFailed, Role::Close, SpanKind::Read);
    set(EventKind::HandlerStart, Role::Open, SpanKind::Handle);
    set(EventKind::HandlerEnd, Role::Close, SpanKind::Handle);
    set(EventKind::WriteStart, Role::Open, SpanKind::Write);
    set(EventKind::WriteDone, Role::Close, SpanKind::Write);
    set(EventKind::Close, Role::CloseConn);
    set(EventKind::SelectWait, Role::Open, SpanKind::Wait);
    set(EventKind::PollWait, Role::Open, SpanKind::Wait);
    set(EventKind::FuturesWait, Role::Open, SpanKind::Wait);
    set(EventKind::SelectWake, Role::Close, SpanKind::Wait);
    set(EventKind::PollWake, Role::Close, SpanKind::Wait);
    set(EventKind::GreenSwitch, Role::Switch);
    set(EventKind::GreenPark, Role::Open, SpanKind::Parked);
    set(EventKind::GreenWake, Role::Close, SpanKind::Parked);
    set(EventKind::GreenExit, Role::Close, SpanKind::Parked);
    set(EventKind::GilWait, Role::Open, SpanKind::Blocked);
    set(EventKind::GilAcquire, Role::Close, SpanKind::Blocked);
    set(EventKind::Heartbeat, Role::Tick);
    set(EventKind::WorkerSpawn, Role::Alarm);
    set(EventKind::WorkerTimeout, Role::Alarm);
    set(EventKind::KillSent, Role::Alarm);
    set(EventKind::WorkerReaped, Role::Alarm);
    set(EventKind::SignalReceived, Role::Alarm);
    set(EventKind::SignalCaught, Role::Alarm);
    return r;
}
constexpr std::array<RoleOf, trace::kEventKindCount> kRoles = make_roles();

constexpr std::size_t idx(SpanKind k) { return static_cast<std::size_t>(k); }
// Drawn thinner, on top: they sit inside another span (parked inside a read, a GIL wait inside a handler).
constexpr bool is_inset(SpanKind k) { return k == SpanKind::Parked || k == SpanKind::Blocked; }

// ============================================================================
// [SECTION] Lanes
// ============================================================================

std::uint64_t thread_key(pid_t tid) { return (1ull << 63) | static_cast<std::uint32_t>(tid); }
std::uint64_t green_key(pid_t pid, std::uint32_t green) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 32) | green;
}

struct Frame {
    TimelineState& st;
    const View& view;
    const World& edge;        // the World at t1
    std::uint64_t t0, t1;     // the visible window
    std::uint64_t walk_from;  // the first time walked (t0 unless capped)
    double ns_per_px;
    float width;              // of the span area
    std::size_t slots_used = 0;
    std::uint64_t last_key = 0;  // the last lane looked up (0: none; no key is 0)
    int last_lane = -1;
    std::array<std::pair<pid_t, std::uint16_t>, 64> green_lanes{};  // greenlet lanes per process
    std::size_t green_pids = 0;

    float x_of(std::uint64_t t) const {
        double x = (static_cast<double>(t) - static_cast<double>(t0)) / ns_per_px;
        return static_cast<float>(std::clamp(x, -1.0, static_cast<double>(width) + 1.0));
    }
};

// A new lane for this key, or -1 when the caps are reached.
int add_lane(Frame& f, Lane::Kind kind, pid_t pid, pid_t tid, std::uint32_t green) {
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
    Lane lane;
    lane.kind = kind;
    lane.pid = pid;
    lane.tid = tid;
    lane.green = green;
    f.st.lanes.push_back(lane);
    return static_cast<int>(f.st.lanes.size() - 1);
}

// The lane table: open addressing over kSlots, cleared every frame. A key
// over the caps is remembered as -1 so it is refused once, not per event.
int find_or_add_slow(Frame& f, std::uint64_t key, Lane::Kind kind, pid_t pid, pid_t tid, std::uint32_t green) {
    std::size_t h = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> 52) & (kSlots - 1);
    for (;;) {
        Slot& s = f.st.slots[h];
        if (s.key == key) return s.lane;
        if (s.key == 0) break;
        h = (h + 1) & (kSlots - 1);
    }
    int lane = add_lane(f, kind, pid, tid, green);
    if (f.slots_used < kSlots / 2) {  // keep probes short; past that, refused keys are just refused again
        f.st.slots[h] = {key, lane};
        ++f.slots_used;
    }
    return lane;
}

int find_or_add(Frame& f, std::uint64_t key, Lane::Kind kind, pid_t pid, pid_t tid, std::uint32_t green) {
    if (key == f.last_key) return f.last_lane;  // events come in runs from one thread
    int lane = find_or_add_slow(f, key, kind, pid, tid, green);
    f.last_key = key;
    f.last_lane = lane;
    return lane;
}

int thread_lane(Frame& f, const Event& e) {
    pid_t tid = e.tid ? e.tid : e.pid;
    return find_or_add(f, thread_key(tid), tid == e.pid ? Lane::Kind::Process : Lane::Kind::Thread, e.pid, tid, 0);
}

int green_lane(Frame& f, pid_t pid, pid_t tid, std::uint32_t green) {
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
    pid_t tid = e.tid ? e.tid : e.pid;
    if (e.green) return green_lane(f, e.pid, tid, e.green);
    int tl = thread_lane(f, e);
    if (tl < 0 || !is_connection_step(r)) return tl;
    Lane& T = f.st.lanes[static_cast<std::size_t>(tl)];
    // One index lookup per connection the thread turns to, not per event.
    if (e.conn && e.conn != T.last_conn) {
        T.last_conn = e.conn;
        T.last_conn_green = f.st.green_conns.green_of(e.conn);
    }
    std::uint32_t green = e.conn && T.last_conn_green ? T.last_conn_green : T.running_green;
    if (green) {
        int gl = green_lane(f, e.pid, tid, green);
        if (gl >= 0) return gl;
    }
    return tl;
}

// GreenSwitch / GreenWake / GreenPark / GreenExit: which greenlet the thread
// runs now. A greenlet woken while none runs is resumed by the hub, sometimes
// with no GreenSwitch traced.
void track_running(Frame& f, const Event& e) {
    int tl = thread_lane(f, e);
    if (tl < 0) return;
    std::uint32_t& running = f.st.lanes[static_cast<std::size_t>(tl)].running_green;
    if (e.kind == EventKind::GreenSwitch) {
        running = e.green;
    } else if (e.kind == EventKind::GreenWake) {
        if (running == 0) running = e.green;
    } else if (running == e.green) {
        running = 0;  // it parked or ended: the hub runs
    }
}

// Every live process and its threads get a lane before the walk, so the
// quiet ones are shown too, in a stable order.
//
// Greenlets are seeded too, before the walk claims lanes for the first ones
// it meets (the oldest): those alive at the right edge — what the Topology
// shows — running and ready first, then the newest, up to the cap. The walk
// fills what is left with greenlets that ended inside the window.
void seed_lanes(Frame& f) {
    const World& w = f.edge;
    for (const auto& [pid, p] : w.processes) {
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
}

// ============================================================================
// [SECTION] Walk
// ============================================================================

void flush_run(Frame& f, std::uint16_t li) {
    Lane& L = f.st.lanes[li];
    if (L.run_x1 < 0) return;
    SpanKind k = L.run_count > 1 ? SpanKind::Dense : L.run_kind;
    f.st.spans.push_back({li, k, L.run_count, L.run_x0, std::max(L.run_x1, L.run_x0 + 1.0f), L.run_t0, L.run_t1, 0, 0});
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

void walk(Frame& f, std::size_t from, std::size_t to) {
    std::span<const Event> events = f.view.rec.events();
    for (std::size_t i = from; i < to; ++i) {
        const Event& e = events[i];
        const RoleOf& r = kRoles[static_cast<std::size_t>(e.kind)];
        if (r.role == Role::Ignore) continue;
        // Green 0 is the main greenlet, and also the hub: its parks would read as the hub's, so they are left out.
        if (e.green == 0 && (e.kind == EventKind::GreenPark || e.kind == EventKind::GreenWake)) continue;
        if (e.kind == EventKind::GreenSwitch || e.kind == EventKind::GreenWake || e.kind == EventKind::GreenPark ||
            e.kind == EventKind::GreenExit) {
            track_running(f, e);
            if (r.role == Role::Switch) continue;
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
            case Role::Close: close_span(f, li, r.span, e.t_ns, e.kind == EventKind::GilAcquire ? e.a0 : 0); break;
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
                f.st.ticks.push_back({li, r.role == Role::Alarm, x, e.t_ns});
                break;
            }
            case Role::Ignore:
            case Role::Switch: break;
        }
    }
}

// Spans still open at the right edge, and lanes that saw nothing: the World at t1 says what they do.
void finish_lanes(Frame& f) {
    std::uint64_t end = std::min(f.t1, std::max(f.view.rec.last_time(), f.edge.now_ns));
    for (std::size_t li = 0; li < f.st.lanes.size(); ++li) {
        Lane& L = f.st.lanes[li];
        auto l16 = static_cast<std::uint16_t>(li);
        for (std::size_t k = 0; k < kSpanKindCount; ++k) {
            if (L.open[k]) emit(f, l16, static_cast<SpanKind>(k), L.open[k], end, L.open_conn, L.open_req);
        }
        if (!L.touched && L.kind != Lane::Kind::Greenlet) {
            auto pit = f.edge.processes.find(L.pid);
            if (pit == f.edge.processes.end()) continue;
            const trace::Thread* th = pit->second.thread(L.tid);
            if (!th) continue;
            SpanKind k = SpanKind::Dense;
            switch (th->activity) {
                case trace::ThreadActivity::Waiting: k = SpanKind::Wait; break;
                case trace::ThreadActivity::Accepting: k = SpanKind::Accept; break;
                case trace::ThreadActivity::Reading: k = SpanKind::Read; break;
                case trace::ThreadActivity::Handling: k = SpanKind::Handle; break;
                case trace::ThreadActivity::Writing: k = SpanKind::Write; break;
                case trace::ThreadActivity::Idle: continue;
            }
            if (th->since_ns < end) emit(f, l16, k, th->since_ns, end, th->conn, th->req);
        }
        flush_run(f, l16);
    }
}


// ============================================================================
// [SECTION] Draw
// ============================================================================

bool lane_less(const World& w, const Lane& a, const Lane& b) {
    bool aa = a.pid == w.arbiter.pid, ba = b.pid == w.arbiter.pid;
    if (aa != ba) return aa;  // the arbiter on top, as in the Topology
    if (a.pid != b.pid) return a.pid < b.pid;
    if (a.kind != b.kind) return a.kind < b.kind;
    return a.kind == Lane::Kind::Greenlet ? a.green < b.green : a.tid < b.tid;
}

// The rows, in order: the arbiter, then each process by pid with its threads
// and greenlets (the caps were applied when lanes were made).
void order_lanes(Frame& f) {
    TimelineState& st = f.st;
    st.order.clear();
    for (std::size_t i = 0; i < st.lanes.size(); ++i) st.order.push_back(static_cast<std::uint16_t>(i));
    std::sort(st.order.begin(), st.order.end(),
              [&](std::uint16_t a, std::uint16_t b) { return lane_less(f.edge, st.lanes[a], st.lanes[b]); });
}

// "worker 1 · hub", "  thread 4123", "  g#12" into buf.
const char* lane_label(const World& w, const Lane& L, char (&buf)[64]) {
    const trace::Process* p = w.process(L.pid);
    fmt::format_to_n_result<char*> r{};
    switch (L.kind) {
        case Lane::Kind::Process:
            if (L.pid == w.arbiter.pid) {
                r = fmt::format_to_n(buf, sizeof buf - 1, "arbiter {}", L.pid);
            } else if (p && p->worker_age > 0) {
                using trace::ModelId;
                bool green = p->model == ModelId::Gevent || p->model == ModelId::Eventlet;
                bool loop = p->model == ModelId::Tornado || p->model == ModelId::Asyncio;
                r = fmt::format_to_n(buf, sizeof buf - 1, "worker {} · {}", p->worker_age, green ? "hub" : loop ? "loop" : "main");
            } else {
                r = fmt::format_to_n(buf, sizeof buf - 1, "pid {}", L.pid);
            }
            break;
        case Lane::Kind::Thread: r = fmt::format_to_n(buf, sizeof buf - 1, "   thread {}", L.tid); break;
        case Lane::Kind::Greenlet:
            r = fmt::format_to_n(buf, sizeof buf - 1, "   {}{}", p && p->model == trace::ModelId::Asyncio ? "task " : "g#", L.green);
            break;
    }
    *r.out = '\0';
    return buf;
}

// A step of 1, 2 or 5 × 10^k ns giving about `px` pixels between ruler ticks.
std::uint64_t ruler_step(double ns_per_px, float px) {
    double raw = ns_per_px * px;
    double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (mag * m >= raw) {
            step = mag * m;
            break;
        }
    }
    return static_cast<std::uint64_t>(step);
}

void draw_ruler(ImDrawList* dl, const Frame& f, ImVec2 o, std::uint64_t origin_ns) {
    std::uint64_t step = ruler_step(f.ns_per_px, 110);
    std::uint64_t first = (f.t0 / step + 1) * step;
    char buf[32];
    for (std::uint64_t t = first; t < f.t1; t += step) {
        float x = o.x + f.x_of(t);
        dl->AddLine({x, o.y + kRulerH - 5}, {x, o.y + kRulerH}, colors::kTextDim);
        double rel = static_cast<double>(t >= origin_ns ? t - origin_ns : 0);
        fmt::format_to_n_result<char*> r{};
        if (step >= 1'000'000'000) {
            r = fmt::format_to_n(buf, sizeof buf - 1, "{:.0f} s", rel / 1e9);
        } else if (step >= 1'000'000) {
            r = fmt::format_to_n(buf, sizeof buf - 1, "{:.0f} ms", rel / 1e6);
        } else {
            r = fmt::format_to_n(buf, sizeof buf - 1, "{:.3f} ms", rel / 1e6);
        }
        *r.out = '\0';
        dl->AddText({x + 3, o.y + 1}, colors::kTextDim, buf);
    }
}

void draw_spans(ImDrawList* dl, const Frame& f, ImVec2 o, int rows) {
    char buf[48];
    for (int pass = 0; pass < 2; ++pass) {
        for (const Span& s : f.st.spans) {
            if (is_inset(s.kind) != (pass == 1)) continue;
            int row = f.st.lanes[s.lane].row;
            if (row < 0 || row >= rows) continue;
            float y = o.y + kRulerH + static_cast<float>(row) * kLaneH;
            // Inset spans (parked, GIL wait) are a thin bar along the bottom, so
            // the span they sit in keeps its colour and label.
            float top = is_inset(s.kind) ? kLaneH - 6.0f : 2.0f;
            ImVec2 a{o.x + s.x0, y + top}, b{o.x + std::max(s.x1, s.x0 + 1.0f), y + kLaneH - 2.0f};
            dl->AddRectFilled(a, b, span_color(s.kind), s.x1 - s.x0 > 4 ? 2.0f : 0.0f);
            if (b.x - a.x > 40 && !is_inset(s.kind)) {
                fmt::format_to_n_result<char*> r{};
                if (s.count > 1) {
                    r = fmt::format_to_n(buf, sizeof buf - 1, "{} steps", s.count);
                } else if (s.req) {
                    r = fmt::format_to_n(buf, sizeof buf - 1, "{} req {}:{}", span_label(s.kind), trace::id_pid(s.req),
                                         s.req & 0xffffffffu);
                } else {
                    r = fmt::format_to_n(buf, sizeof buf - 1, "{}", span_label(s.kind));
                }
                *r.out = '\0';
                dl->PushClipRect(a, b, true);
                dl->AddText({a.x + 3, y + 2}, IM_COL32(10, 12, 16, 255), buf);
                dl->PopClipRect();
            }
            ++f.st.stats.spans_drawn;
        }
    }
    for (const Tick& t : f.st.ticks) {
        int row = f.st.lanes[t.lane].row;
        if (row < 0 || row >= rows) continue;
        float y = o.y + kRulerH + static_cast<float>(row) * kLaneH;
        float x = o.x + t.x;
        if (t.alarm) {
            dl->AddTriangleFilled({x - 4, y + 1}, {x + 4, y + 1}, {x, y + 8}, colors::kTextBad);
        } else {
            dl->AddLine({x, y + 1}, {x, y + 5}, colors::kHeartbeat, 2.0f);
        }
    }
}

// ============================================================================
// [SECTION] Input and hover
// ============================================================================

std::string explain_lane(const World& w, const Lane& L) {
    const trace::Process* p = w.process(L.pid);
    if (!p) return fmt::format("process {} (gone)", L.pid);
    switch (L.kind) {
        case Lane::Kind::Process:
            if (L.pid == w.arbiter.pid) return explain_arbiter(w);
            return explain_worker(w, *p);
        case Lane::Kind::Thread:
            if (const trace::Thread* th = p->thread(L.tid)) return explain_thread(w, *p, *th);
            return fmt::format("thread {} of {} (exited)", L.tid, worker_name(*p));
        case Lane::Kind::Greenlet: {
            auto g = p->greenlets.find(L.green);
            if (g != p->greenlets.end()) return explain_greenlet(w, *p, g->second);
            return fmt::format("greenlet {} of {}: finished by the window's end", L.green, worker_name(*p));
        }
    }
    return "";
}

std::string explain_span(const World& w, const Lane& L, const Span& s, std::uint64_t origin_ns) {
    char label[64];
    lane_label(w, L, label);
    std::string_view name(label);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    auto rel = [origin_ns](std::uint64_t t) { return static_cast<double>(t - std::min(t, origin_ns)) / 1e6; };
    if (s.count > 1) {
        return fmt::format("{}: {} steps in {} ({:.3f} .. {:.3f} ms), each narrower than a pixel.\n"
                           "Zoom in (ctrl+wheel) to tell them apart.",
                           name, s.count, format_duration(s.t1 - s.t0), rel(s.t0), rel(s.t1));
    }
    std::string text = fmt::format("{}: {} for {} ({:.3f} .. {:.3f} ms)", name, span_label(s.kind),
                                   format_duration(s.t1 - s.t0), rel(s.t0), rel(s.t1));
    for (const LegendEntry& e : timeline_legend()) {
        if (span_color(s.kind) == e.color && e.shape == Shape::Span) {
            text += fmt::format("\n{}", e.meaning);
            break;
        }
    }
    if (s.conn) {
        text += fmt::format("\nconnection {}", trace::format_id(s.conn));
        if (const trace::Connection* c = w.connection(s.conn)) text += fmt::format(" (client {})", client_address(*c));
    }
    if (s.req) text += fmt::format(", request {}", trace::format_id(s.req));
    return text;
}

void input(Frame& f, Actions& actions, ImVec2 o, ImVec2 size, int rows) {
    TimelineState& st = f.st;
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetCursorScreenPos(o);
    ImGui::InvisibleButton("##timeline_canvas", size);
    bool hovered = ImGui::IsItemHovered();
    auto leave_live = [&] {
        if (st.follow) {
            st.follow = false;
            st.end_ns = f.t1;
        }
    };
    if (ImGui::IsItemActivated()) st.drag_px = 0;
    if (ImGui::IsItemActive() && io.MouseDelta.x != 0) {
        st.drag_px += std::fabs(io.MouseDelta.x);
        if (st.drag_px > 3) {
            leave_live();
            double d = static_cast<double>(io.MouseDelta.x) * f.ns_per_px;
            st.end_ns = static_cast<std::uint64_t>(std::max(static_cast<double>(st.width_ns), static_cast<double>(st.end_ns) - d));
        }
    }
    float mx = io.MousePos.x - o.x - kHeaderW;
    if (ImGui::IsItemDeactivated() && st.drag_px <= 3 && mx >= 0) {
        // A click: show the World at that instant; the window stays where it is.
        leave_live();
        auto t = static_cast<std::uint64_t>(static_cast<double>(f.t0) + static_cast<double>(mx) * f.ns_per_px);
        actions.push_back({Action::Kind::ShowInstant, 0, 0, t});
    }
    if (hovered && io.MouseWheel != 0) {
        if (io.KeyCtrl) {
            double factor = std::pow(0.8, static_cast<double>(io.MouseWheel));
            double w = std::clamp(static_cast<double>(st.width_ns) * factor, 1e4, 6e11);
            if (!st.follow) {  // keep the instant under the mouse where it is
                double tm = static_cast<double>(f.t0) + std::max(0.0f, mx) * f.ns_per_px;
                double frac = std::clamp(static_cast<double>(mx) / static_cast<double>(f.width), 0.0, 1.0);
                st.end_ns = static_cast<std::uint64_t>(std::max(w, tm + (1.0 - frac) * w));
            }
            st.width_ns = static_cast<std::uint64_t>(w);
        } else if (io.KeyShift) {
            int max_scroll = std::max(0, static_cast<int>(st.order.size()) - rows);
            st.lane_scroll = std::clamp(st.lane_scroll - io.MouseWheel * 3, 0.0f, static_cast<float>(max_scroll));
        } else {
            leave_live();
            double d = static_cast<double>(io.MouseWheel) * 0.1 * static_cast<double>(st.width_ns);
            st.end_ns = static_cast<std::uint64_t>(std::max(static_cast<double>(st.width_ns), static_cast<double>(st.end_ns) - d));
        }
    }
    if (!hovered) return;

    // Hover: the span under the mouse, else the lane.
    float my = io.MousePos.y - o.y - kRulerH;
    if (my < 0) return;
    int row = static_cast<int>(my / kLaneH);
    if (row >= rows) return;
    int lane = -1;
    for (std::uint16_t li : st.order) {
        if (st.lanes[li].row == row) lane = li;
    }
    if (lane < 0) return;
    const Span* best = nullptr;
    if (mx >= 0) {
        for (const Span& s : st.spans) {
            if (s.lane != lane || mx < s.x0 - 1 || mx > std::max(s.x1, s.x0 + 1) + 1) continue;
            if (!best || (is_inset(s.kind) && !is_inset(best->kind))) best = &s;  // the inner span is the more specific
        }
    }
    const World& w = f.edge;
    st.tooltip = best ? explain_span(w, st.lanes[static_cast<std::size_t>(lane)], *best, f.view.rec.first_time())
                      : explain_lane(w, st.lanes[static_cast<std::size_t>(lane)]);
    if (!best && mx >= 0) st.tooltip += "\n(click to show the World at this instant)";
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
    ImGui::TextUnformatted(st.tooltip.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

}  // namespace

// ============================================================================
// [SECTION] draw_timeline
// ============================================================================

void draw_timeline(const View& view, TimelineState& st, Actions& actions) {
    st.stats = {};
    st.tooltip.clear();
    st.lanes.clear();
    st.spans.clear();
    st.ticks.clear();
    st.order.clear();
    st.slots.assign(kSlots, Slot{});
    st.green_conns.update(view.rec);

    // 1. The window.
    std::uint64_t newest = std::max(view.rec.last_time(), view.live ? view.now_ns : 0);
    std::uint64_t t1 = st.follow ? newest : st.end_ns;
    t1 = std::max(t1, st.width_ns);
    std::uint64_t t0 = t1 - st.width_ns;

    // Header: where we are, and the way back to live.
    if (st.follow) {
        ImGui::TextColored(ImVec4(0.5f, 0.9f, 0.6f, 1), "live");
    } else {
        if (ImGui::SmallButton("back to live")) {
            st.follow = true;
            actions.push_back({Action::Kind::FollowLive});
        }
    }
    std::size_t i0 = view.rec.lower_bound(t0), i1 = view.rec.lower_bound(t1 + 1);
    st.stats.events_in_window = i1 - i0;
    ImGui::SameLine();
    ImGui::TextDisabled("window %s · %zu events · drag or wheel: pan · ctrl+wheel: zoom · shift+wheel: lanes · click: show instant",
                        format_duration(st.width_ns).c_str(), i1 - i0);
    if (i1 - i0 > kMaxEventsPerFrame) {
        // Too many to walk in a frame: the newest part is walked in detail, the rest is marked.
        st.stats.capped = true;
        i0 = i1 - kMaxEventsPerFrame;
    }

    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.x = std::max(avail.x, 300.0f);
    avail.y = std::max(avail.y, kRulerH + 2 * kLaneH);
    ImGui::BeginChild("##timeline", avail, false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 o = ImGui::GetCursorScreenPos();
    float width = avail.x - kHeaderW;

    // The World at the right edge: the View's when that is where it stands.
    const World* edge = &view.world;
    if (view.world.now_ns != t1) {
        if (!st.edge_world || st.edge_world_ns != t1) {
            st.edge_world = view.model.world_at(t1);
            st.edge_world_ns = t1;
        }
        edge = &*st.edge_world;
    }

    Frame f{st, view, *edge, t0, t1, i0 < view.rec.size() ? std::max(t0, view.rec[i0].t_ns) : t0, 0, width};
    if (!st.stats.capped) f.walk_from = t0;
    f.ns_per_px = static_cast<double>(st.width_ns) / static_cast<double>(width);
    st.stats.t0_ns = t0;
    st.stats.t1_ns = t1;

    // 2–4. Lanes, the walk, what is still open.
    seed_lanes(f);
    walk(f, i0, i1);
    st.stats.events_walked = i1 - i0;
    finish_lanes(f);

    // 5. Rows.
    order_lanes(f);
    int rows = static_cast<int>((avail.y - kRulerH) / kLaneH);
    int max_scroll = std::max(0, static_cast<int>(st.order.size()) - rows);
    st.lane_scroll = std::clamp(st.lane_scroll, 0.0f, static_cast<float>(max_scroll));
    int scroll = static_cast<int>(st.lane_scroll);
    for (std::size_t i = 0; i < st.order.size(); ++i) st.lanes[st.order[i]].row = static_cast<int>(i) - scroll;
    st.stats.lanes = st.order.size();

    ImVec2 so{o.x + kHeaderW, o.y};  // the span area's origin
    char label[64];
    pid_t prev_pid = 0;
    for (std::uint16_t li : st.order) {
        const Lane& L = st.lanes[li];
        if (L.row < 0 || L.row >= rows) continue;  // scrolled away
        float y = o.y + kRulerH + static_cast<float>(L.row) * kLaneH;
        dl->AddRectFilled({o.x, y}, {o.x + avail.x, y + kLaneH}, (L.row % 2) ? colors::kLaneBgA : colors::kLaneBgB);
        if (L.pid != prev_pid) dl->AddLine({o.x, y}, {o.x + avail.x, y}, colors::kWire);
        prev_pid = L.pid;
        draw_text_clipped(dl, {o.x + 4, y + 2}, o.x + kHeaderW - 4,
                          L.kind == Lane::Kind::Process ? colors::kText : colors::kTextDim, lane_label(*edge, L, label));
    }
    if (st.stats.capped) {
        float x = so.x + f.x_of(f.walk_from);
        dl->AddRectFilled({so.x, o.y + kRulerH}, {x, o.y + avail.y}, IM_COL32(60, 60, 70, 90));
        dl->AddText({so.x + 6, o.y + kRulerH + 2}, colors::kTextWarn, "too many events to draw here: zoom in");
    }
    draw_ruler(dl, f, so, view.rec.first_time());
    dl->PushClipRect({so.x, o.y}, {so.x + width, o.y + avail.y}, true);
    draw_spans(dl, f, so, rows);
    // The instant the other panels show.
    if (view.now_ns >= t0 && view.now_ns <= t1) {
        float x = so.x + f.x_of(view.now_ns);
        dl->AddLine({x, o.y}, {x, o.y + avail.y}, colors::kNowLine, 1.5f);
    }
    dl->PopClipRect();
    if (st.stats.lanes_hidden) {
        char buf[64];
        auto r = fmt::format_to_n(buf, sizeof buf - 1, "+{} lanes not shown", st.stats.lanes_hidden);
        *r.out = '\0';
        dl->AddText({o.x + 4, o.y + 2}, colors::kTextDim, buf);
    }
    if (!st.spans.empty()) {
        std::uint64_t lo = UINT64_MAX, hi = 0;
        for (const Span& s : st.spans) {
            lo = std::min(lo, s.t0);
            hi = std::max(hi, s.t1);
        }
        st.stats.first_span_ns = lo;
        st.stats.last_span_ns = hi;
    }

    // 6. Input and hover.
    input(f, actions, o, avail, rows);
    ImGui::EndChild();
}

}  // namespace minicorn::studio
