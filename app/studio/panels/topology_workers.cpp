// app/studio/panels/topology_workers.cpp — the inside of one worker box, per
// model: what that model has and where each of its connections sits.
//
//   sync      the loop's phases (select → accept → read → handle → write →
//             close) and its one connection
//   gthread   the main thread's poller and poll list, the executor queue,
//             the pool threads and the GIL holder
//   green     (gevent, eventlet, asyncio) the hub with its poll list and
//             timers, and the greenlets: running, ready, parked on which fd
//   tornado   the IOLoop's thread, its poll list and keep-alive connections
//
// Every row that holds a connection claims its token (Painter::anchor) with a
// priority, so a connection that is both in a poll list and served by a
// greenlet is drawn at the greenlet. Rows are capped by the space there is;
// what does not fit is counted ("+N").
//
// Index
//   [SECTION] Helpers
//   [SECTION] sync
//   [SECTION] gthread
//   [SECTION] green
//   [SECTION] tornado and others
//   [SECTION] draw_worker_insides
#include <sys/epoll.h>

#include <algorithm>
#include <array>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/loop_step.h"
#include "app/studio/panels/topology_parts.h"

namespace minicorn::studio::topo {

using trace::ConnStage;
using trace::Connection;
using trace::GreenState;
using trace::Greenlet;
using trace::ModelId;
using trace::Process;
using trace::ProcessState;
using trace::Thread;
using trace::ThreadActivity;
using trace::World;

namespace {

// ============================================================================
// [SECTION] Helpers
// ============================================================================

constexpr ImU32 kHubBorder = IM_COL32(90, 190, 120, 255);
constexpr ImU32 kPoolBorder = IM_COL32(120, 140, 200, 255);

// An inner box with a title; returns where its rows begin.
float section(Painter& p, ImVec2 min, ImVec2 max, const char* title, ImU32 border) {
    p.dl->AddRectFilled(min, max, colors::kInnerBg, 3.0f);
    p.dl->AddRect(min, max, border, 3.0f);
    draw_text_clipped(p.dl, {min.x + 6, min.y + 2}, max.x - 6, colors::kText, title);
    return min.y + p.row_h + 2;
}

std::size_t rows_in(const Painter& p, float top, float bottom) {
    return static_cast<std::size_t>(std::max(0.0f, (bottom - top) / p.row_h));
}

const Connection* conn_of(const World& w, std::uint64_t id) {
    if (id == 0) return nullptr;
    auto it = w.connections.find(id);
    return it == w.connections.end() ? nullptr : &it->second;
}

// The slot at the start of a row: a connection's token goes there; otherwise
// a glyph for what the row is (idle, ready, running).
ImVec2 slot_at(const Painter& p, float x, float y) { return {x + kTokenR + 2, y + p.line_h * 0.5f}; }

// The poll list: one row per registered fd; connection fds claim their token.
// Returns the y after the last row.
float poll_rows(Painter& p, const Process& proc, float x, float y, float max_x, std::size_t max_rows) {
    const World& w = p.world();
    std::size_t shown = 0;
    for (const auto& [fd, entry] : proc.poll) {
        if (shown + 1 == max_rows && proc.poll.size() > max_rows) break;
        if (shown == max_rows) break;
        const char* ev = (entry.events & EPOLLOUT) ? ((entry.events & EPOLLIN) ? "READ|WRITE" : "WRITE") : "READ";
        ImVec2 s = slot_at(p, x, y);
        if (const Connection* c = conn_of(w, entry.conn)) {
            p.anchor(c->id, s, kPrioPoll);
            p.text({x + 2 * kTokenR + 8, y}, max_x, colors::kText, "fd {:<3} :{}  {}  {}", fd, c->peer_port, ev,
                   stage_word(c->stage));
        } else {
            bool listener = std::any_of(w.listener.sockets.begin(), w.listener.sockets.end(),
                                        [fd = fd](const trace::ListenSocket& l) { return l.fd == fd; });
            draw_shape(p.dl, Shape::Idle, s, kTokenR, colors::kKernelBorder);
            p.text({x + 2 * kTokenR + 8, y}, max_x, colors::kTextDim, "fd {:<3} {}  {}", fd,
                   listener ? "listening socket" : "other (backend, pipe)", ev);
        }
        p.item(TopoItemKind::PollFd, proc.pid, static_cast<std::uint64_t>(fd), {x, y - 1}, {max_x, y + p.row_h - 1});
        y += p.row_h;
        ++shown;
    }
    if (shown < proc.poll.size()) {
        p.text({x + 2 * kTokenR + 8, y}, max_x, colors::kTextDim, "+{} more fds", proc.poll.size() - shown);
        y += p.row_h;
    }
    return y;
}

// The GIL in one line: who holds it and who waits (only once it has been used).
float gil_line(Painter& p, const Process& proc, float x, float y, float max_x) {
    const trace::Gil& g = proc.gil;
    if (g.acquisitions == 0 && g.holder == 0) return y;
    const World& w = p.world();
    if (g.holder) {
        p.text({x, y}, max_x, g.waiters.empty() ? colors::kText : colors::kTextWarn, "GIL: thread {} for {}  ·  {} waiting",
               g.holder, Dur(since(w, g.held_since_ns)).sv(), g.waiters.size());
    } else {
        p.text({x, y}, max_x, colors::kTextDim, "GIL: free  ·  {} waiting", g.waiters.size());
    }
    p.item(TopoItemKind::Gil, proc.pid, 0, {x, y - 1}, {max_x, y + p.row_h - 1});
    return y + p.row_h;
}

// An event loop's numbered phases (tornado's IOLoop, asyncio's loop) with the
// current one lit, then what waits in it: ready callbacks and timers.
// Returns the y after the two lines; nothing drawn before the loop's first event.
float loop_phases(Painter& p, const Process& proc, float x0, float y, float max_x) {
    const trace::LoopState& L = proc.loop;
    if (!L.seen) return y;
    using trace::LoopPhaseId;
    float x = x0;
    for (LoopPhaseId ph : {LoopPhaseId::Timers, LoopPhaseId::Callbacks, LoopPhaseId::Poll, LoopPhaseId::Dispatch}) {
        const char* name = p.fmt("{}", to_string(ph));
        ImVec2 ts = ImGui::CalcTextSize(name);
        if (x + ts.x + 12 > max_x) break;
        bool on = L.phase == ph;
        if (on) p.dl->AddRectFilled({x - 3, y - 1}, {x + ts.x + 3, y + p.line_h + 1}, colors::kBoxBorderBusy, 3.0f);
        p.dl->AddText({x, y}, on ? IM_COL32(10, 20, 10, 255) : colors::kTextDim, name);
        x += ts.x + 8;
        p.dl->AddText({x, y}, colors::kTextDim, ">");
        x += ImGui::CalcTextSize(">").x + 8;
    }
    y += p.row_h;
    p.text({x0, y}, max_x, colors::kTextDim, "ready callbacks {}  ·  timers {}  ·  {} iterations", L.ready_callbacks,
           L.timers.size(), L.iterations);
    return y + p.row_h;
}

// The worker's most recently closed connections (World::closed keeps the
// last few), newest first: what it has just done, for the boxes with room.
void recent_rows(Painter& p, const Process& proc, float x, float y, float max_x, float max_y) {
    const World& w = p.world();
    if (max_y - y < 2 * p.row_h) return;
    bool any = false;
    for (auto it = w.closed.rbegin(); it != w.closed.rend(); ++it) {
        const Connection& c = *it;
        if (c.owner != proc.pid) continue;
        if (!any) {
            p.text({x, y}, max_x, colors::kTextDim, "recently closed:");
            y += p.row_h;
            any = true;
        }
        if (y + p.row_h > max_y) break;
        std::uint64_t lived = w.gate.engine_span(c.entered(ConnStage::Accepted), c.entered(ConnStage::Closed));
        ImU32 col = c.status >= 500 || c.aborted ? colors::kTextBad : colors::kTextDim;
        p.text({x + 8, y}, max_x, col, ":{}  {}  {} req  open {}{}", c.peer_port, c.status ? c.status : 0, c.requests,
               Dur(lived).sv(), c.aborted                       ? "  (worker died)"
                                : c.peer_gone                    ? "  (client had gone: nobody read it)"
                                : c.read_cut && c.requests == 0  ? "  (client left)"
                                                                 : "");
        y += p.row_h;
    }
}

// ============================================================================
// [SECTION] sync
// ============================================================================

// The loop as gunicorn's sync worker runs it; the current phase lit (filled
// while it runs, outlined once done: its next decision point comes next).
void draw_sync(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    const auto& kPhases = kLoopPhaseNames;
    const LoopStep step = loop_step(w, proc);  // the same step the header's text says
    const int lit = step.phase;
    float y = section(p, min, {max.x, min.y + 2 * p.row_h + 8}, "loop (one thread, one connection at a time)", kHubBorder);
    float x = min.x + 6;
    const float gap = max.x - min.x > 420 ? 8.0f : 4.0f;
    for (std::size_t i = 0; i < kPhases.size(); ++i) {
        ImVec2 ts = ImGui::CalcTextSize(kPhases[i]);
        bool on = static_cast<int>(i) == lit;
        if (x + ts.x + 4 > max.x) break;
        if (on && step.done) p.dl->AddRect({x - 3, y - 1}, {x + ts.x + 3, y + p.line_h + 1}, colors::kBoxBorderBusy, 3.0f);
        else if (on) p.dl->AddRectFilled({x - 3, y - 1}, {x + ts.x + 3, y + p.line_h + 1}, colors::kBoxBorderBusy, 3.0f);
        p.dl->AddText({x, y}, on && !step.done ? IM_COL32(10, 20, 10, 255) : on ? colors::kText : colors::kTextDim, kPhases[i]);
        x += ts.x + gap;
        if (i + 1 < kPhases.size()) {
            p.dl->AddText({x, y}, colors::kTextDim, ">");
            x += ImGui::CalcTextSize(">").x + gap;
        }
    }
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, {max.x, y + p.row_h});
    }
    y += p.row_h + 10;

    ImVec2 s = slot_at(p, min.x + 6, y);
    if (const Connection* c = conn_of(w, proc.current_conn)) {
        p.anchor(c->id, s, kPrioServer);
        if (step.done) p.text({s.x + kTokenR + 6, y}, max.x, colors::kText, "client :{}  {}", c->peer_port, step.word);
        else p.text({s.x + kTokenR + 6, y}, max.x, colors::kText, "client :{}  {} for {}", c->peer_port, stage_word(c->stage),
                    Dur(since(w, c->entered(c->stage))).sv());
    } else {
        draw_shape(p.dl, Shape::Idle, s, kTokenR, colors::kTextDim);
        p.text({s.x + kTokenR + 6, y}, max.x, colors::kTextDim, "no connection: waiting for the next one");
    }
    y += p.row_h + 4;
    y = gil_line(p, proc, min.x + 6, y, max.x);
    if (w.listener.queue_len > 0 && proc.state != ProcessState::Waiting) {
        p.text({min.x + 6, y}, max.x, colors::kTextWarn, "{} more wait in the accept queue until this one is done",
               w.listener.queue_len);
    }
    y += p.row_h + 6;
    recent_rows(p, proc, min.x + 6, y, max.x, max.y);
}

// ============================================================================
// [SECTION] gthread
// ============================================================================

void draw_gthread(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    float H = max.y - min.y;
    std::size_t pool_threads = 0;
    for (const auto& [tid, th] : proc.threads) pool_threads += tid != proc.pid ? 1 : 0;

    // Poller: the main thread's epoll over the listener and keep-alive connections,
    // sized to its poll list (up to a third of the box).
    float want = p.row_h * static_cast<float>(std::max<std::size_t>(proc.poll.size(), 1) + 1) + 8;
    float poll_h = std::clamp(want, 2 * p.row_h + 8, std::max(2 * p.row_h + 8, H * 0.34f));
    ImVec2 pmax{max.x, min.y + poll_h};
    const char* title = proc.poll_waiting
                            ? p.fmt("poller (main thread): epoll_wait, {} fds", proc.poll.size())
                            : p.fmt("poller (main thread): {}, {} fds", process_state_phrase(proc), proc.poll.size());
    float y = section(p, min, pmax, title, kHubBorder);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, {pmax.x, y});
    }
    poll_rows(p, proc, min.x + 6, y, pmax.x - 4, rows_in(p, y, pmax.y - 2));

    // Executor queue: connections ready to be served, waiting for a free thread.
    float qy = pmax.y + 6;
    float slot = 2 * kTokenR + 5;
    ImVec2 qmin{min.x, qy}, qmax{max.x, qy + p.row_h + slot + 8};
    y = section(p, qmin, qmax, p.fmt("executor queue: {} waiting for a thread", proc.pool_queue.size()),
                proc.pool_queue.empty() ? kPoolBorder : colors::kTextWarn);
    p.item(TopoItemKind::PoolQueue, proc.pid, 0, qmin, qmax);
    std::size_t cap = static_cast<std::size_t>(std::max(1.0f, (qmax.x - qmin.x - 50) / slot));
    std::size_t i = 0;
    for (std::uint64_t id : proc.pool_queue) {
        if (i == cap) break;
        // The head (oldest) is on the right, the end the threads take from.
        p.anchor(id, {qmax.x - 10 - kTokenR - static_cast<float>(i) * slot, y + slot * 0.5f}, kPrioQueue);
        ++i;
    }
    if (proc.pool_queue.size() > cap) p.text({qmin.x + 6, y}, qmax.x, colors::kTextWarn, "+{}", proc.pool_queue.size() - cap);

    // Threads: each pool thread and the connection it serves; the GIL holder ringed.
    ImVec2 tmin{min.x, qmax.y + 6}, tmax = max;
    if (tmax.y - tmin.y < 2 * p.row_h) return;
    y = section(p, tmin, tmax, p.fmt("threads: {} in the pool", pool_threads), kPoolBorder);
    std::size_t fit = rows_in(p, y, tmax.y - p.row_h - 2);
    std::size_t shown = 0;
    for (const auto& [tid, th] : proc.threads) {
        if (tid == proc.pid) continue;
        if (shown == fit) break;
        ImVec2 s = slot_at(p, tmin.x + 6, y);
        bool holds = proc.gil.holder == tid;
        bool waits = std::find(proc.gil.waiters.begin(), proc.gil.waiters.end(), tid) != proc.gil.waiters.end();
        if (const Connection* c = conn_of(w, th.conn)) {
            p.anchor(c->id, s, kPrioServer);
            const LoopStep step = thread_step(w, proc, th);  // done: "app returned 200", not "handling" one event late
            if (step.done) {
                p.text({s.x + kTokenR + 8, y}, tmax.x - 4, colors::kText, "thread {}  :{}  {}{}", tid, c->peer_port, step.word,
                       waits ? "  waits for the GIL" : "");
            } else {
                p.text({s.x + kTokenR + 8, y}, tmax.x - 4, colors::kText, "thread {}  {} :{}  {}{}", tid, stage_word(c->stage),
                       c->peer_port, Dur(since(w, th.since_ns)).sv(), waits ? "  waits for the GIL" : "");
            }
        } else {
            draw_shape(p.dl, Shape::Idle, s, kTokenR, colors::kTextDim);
            p.text({s.x + kTokenR + 8, y}, tmax.x - 4, colors::kTextDim, "thread {}  idle: waits for work", tid);
        }
        if (holds) p.dl->AddCircle(s, kTokenR + 3, colors::kRunningRing, 20, 2.0f);
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(tid), {tmin.x + 2, y - 1}, {tmax.x - 2, y + p.row_h - 1});
        y += p.row_h;
        ++shown;
    }
    if (shown < pool_threads) {
        p.text({tmin.x + 6, y}, tmax.x, colors::kTextDim, "+{} more threads", pool_threads - shown);
        y += p.row_h;
    }
    y = gil_line(p, proc, tmin.x + 6, y, tmax.x - 4);
    if (!proc.keepalive.empty()) {
        p.text({tmin.x + 6, y}, tmax.x - 4, colors::kTextDim, "keep-alive: {} idle", proc.keepalive.size());
        p.item(TopoItemKind::KeepAlive, proc.pid, 0, {tmin.x + 2, y - 1}, {tmax.x - 2, y + p.row_h - 1});
    }
}

// ============================================================================
// [SECTION] green
// ============================================================================

// One greenlet row: its slot (its connection's token, or a glyph) and what it does.
void greenlet_row(Painter& p, const Process& proc, const Greenlet& g, float x, float y, float max_x, bool tasks) {
    const World& w = p.world();
    ImVec2 s = slot_at(p, x, y);
    bool acceptor = g.state == GreenState::Parked && is_listen_fd(w, g.fd);
    const Connection* c = conn_of(w, greenlet_conn(w, proc, g, p.st.green_conns.conn_of(proc.pid, g.id)));
    if (c) {
        p.anchor(c->id, s, kPrioServer);
    } else {
        Shape shape = g.state == GreenState::Ready ? Shape::Pending : Shape::Idle;
        draw_shape(p.dl, shape, s, kTokenR, colors::kTextDim);
    }
    if (g.state == GreenState::Running) p.dl->AddCircle(s, kTokenR + 3, colors::kRunningRing, 20, 2.0f);
    const char* who = tasks ? "task" : "g";
    char name[24];
    auto r = g.id == 0 ? fmt::format_to_n(name, sizeof name - 1, "main")
                       : fmt::format_to_n(name, sizeof name - 1, "{}#{}", who, g.id);
    *r.out = '\0';
    float tx = s.x + kTokenR + 8;
    switch (g.state) {
        case GreenState::Running: p.text({tx, y}, max_x, colors::kRunningRing, "{} RUNNING {}", name, Dur(since(w, g.since_ns)).sv()); break;
        case GreenState::Ready:
            if (c) {
                p.text({tx, y}, max_x, colors::kText, "{} ready  ·  :{} {}", name, c->peer_port, stage_word(c->stage));
            } else {
                p.text({tx, y}, max_x, colors::kText, "{} ready", name);
            }
            break;
        case GreenState::Parked:
            if (g.fd < 0 && c) {
                p.text({tx, y}, max_x, colors::kTextDim, "{} parked: timer  ·  :{} {}", name, c->peer_port, stage_word(c->stage));
            } else if (g.fd < 0) {
                p.text({tx, y}, max_x, colors::kTextDim, "{} parked: timer", name);
            } else if (acceptor) {
                p.text({tx, y}, max_x, colors::kTextDim, "{} acceptor: fd {} (listener)", name, g.fd);
            } else if (c) {
                p.text({tx, y}, max_x, colors::kTextDim, "{} parked: fd {} :{}", name, g.fd, c->peer_port);
            } else {
                p.text({tx, y}, max_x, colors::kTextDim, "{} parked: fd {}", name, g.fd);
            }
            break;
        case GreenState::Exited: p.text({tx, y}, max_x, colors::kTextDim, "{} done", name); break;
    }
    p.item(TopoItemKind::Greenlet, proc.pid, g.id, {x, y - 1}, {max_x, y + p.row_h - 1});
}

void draw_green(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    bool tasks = proc.model == ModelId::Asyncio;
    float H = max.y - min.y;
    // Wide box: the hub on the left, the greenlets on the right, both full
    // height. Narrow: the hub on top, sized to its poll list.
    bool side_by_side = max.x - min.x > 620;

    // The hub: its poll list (fds some greenlet waits on) and its timers.
    std::size_t sleeping = 0;
    for (const auto& [id, g] : proc.greenlets) sleeping += (g.state == GreenState::Parked && g.fd < 0) ? 1 : 0;
    ImVec2 hmax;
    std::size_t fd_rows = proc.poll.size();
    if (side_by_side) {
        hmax = {min.x + (max.x - min.x) * 0.46f, max.y};
    } else {
        // Title and summary line, then as many fd rows as ~45% of the box
        // allows; fewer than two is not worth it: the summary line counts them.
        std::size_t room = rows_in(p, 0, std::max(0.0f, H * 0.45f - 2 * p.row_h - 6));
        fd_rows = std::min(fd_rows, room < 2 ? 0 : room);
        hmax = {max.x, min.y + p.row_h * static_cast<float>(fd_rows + 2) + 6};
    }
    const char* hub = tasks ? "event loop" : "hub";
    const char* title = proc.poll_waiting
                            ? p.fmt("{}: epoll_wait, timeout {} ms", hub, proc.poll_timeout_ms)
                            : p.fmt("{}: running {}", hub, tasks ? "tasks" : "greenlets");
    float y = section(p, min, hmax, title, proc.poll_waiting ? kHubBorder : colors::kBoxBorder);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, {hmax.x, y});
    }
    p.text({min.x + 6, y}, hmax.x - 4, colors::kTextDim, "poll list {} fds  ·  timers {}  ·  keep-alive {}", proc.poll.size(),
           sleeping, proc.keepalive.size());
    p.item(TopoItemKind::KeepAlive, proc.pid, 0, {min.x + 2, y - 1}, {hmax.x - 2, y + p.row_h - 1});
    y += p.row_h;
    y = loop_phases(p, proc, min.x + 6, y, hmax.x - 4);
    if (fd_rows > 0) poll_rows(p, proc, min.x + 6, y, hmax.x - 4, rows_in(p, y, hmax.y - 2));

    // Greenlets: the running one first, then ready, then parked, in id order
    // within each, so rows stay put while their state holds.
    ImVec2 gmin = side_by_side ? ImVec2{hmax.x + 6, min.y} : ImVec2{min.x, hmax.y + 6};
    if (max.y - gmin.y < 2 * p.row_h) return;
    y = section(p, gmin, max, p.fmt("{} ({} live)", tasks ? "tasks" : "greenlets", proc.greenlets.size()), kPoolBorder);
    // One line at the bottom for the warning, when a greenlet hogs the thread.
    auto run = proc.greenlets.find(proc.running_green);
    bool hog = run != proc.greenlets.end() && run->second.state == GreenState::Running &&
               since(w, run->second.since_ns) > 5'000'000;
    bool gil_busy = !proc.gil.waiters.empty();  // one thread: the GIL matters only if someone waits
    float bottom = max.y - 2 - (hog ? p.row_h : 0) - (gil_busy ? p.row_h : 0);
    float gw = max.x - gmin.x;
    std::size_t ncols = gw > 780 ? 3 : gw > 480 ? 2 : 1;  // a row needs ~250 px to name its client
    float col_w = (gw - 8) / static_cast<float>(ncols);
    std::size_t per_col = std::max<std::size_t>(rows_in(p, y, bottom), 1);
    std::size_t cap = per_col * ncols;
    if (proc.greenlets.size() > cap && cap > 0) --cap;  // the last slot says "+N more"
    std::size_t shown = 0;
    for (GreenState pass : {GreenState::Running, GreenState::Ready, GreenState::Parked}) {
        for (const auto& [id, g] : proc.greenlets) {
            if (g.state != pass) continue;
            if (shown == cap) break;
            float x = gmin.x + 6 + static_cast<float>(shown / per_col) * col_w;
            float ry = y + static_cast<float>(shown % per_col) * p.row_h;
            greenlet_row(p, proc, g, x, ry, x + col_w - 6, tasks);
            ++shown;
        }
    }
    if (shown < proc.greenlets.size()) {
        float x = gmin.x + 6 + static_cast<float>(shown / per_col) * col_w;
        float ry = y + static_cast<float>(shown % per_col) * p.row_h;
        p.text({x + 2 * kTokenR + 8, ry}, x + col_w, colors::kTextDim, "+{} more", proc.greenlets.size() - shown);
    }
    float after = bottom;
    if (gil_busy) after = gil_line(p, proc, gmin.x + 6, after, max.x - 4);
    // The lesson of the green models: one greenlet that computes stops everyone.
    // With the gate closed the "running" greenlet only waits for the next
    // step: blaming it for the pause would teach the wrong lesson.
    if (hog && p.view.paused) {
        p.text({gmin.x + 6, after}, max.x - 4, colors::kTextDim, "{}#{} waits at the gate for the next step (paused)",
               tasks ? "task" : "g", run->first);
    } else if (hog) {
        p.text({gmin.x + 6, after}, max.x - 4, colors::kTextWarn, "! {}#{} has run {} without yielding: everyone else waits",
               tasks ? "task" : "g", run->first, Dur(since(w, run->second.since_ns)).sv());
    }
}

// ============================================================================
// [SECTION] tornado and others
// ============================================================================


// One loop thread: what it runs now, its poll list, the keep-alive list.
void draw_loop(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    float H = max.y - min.y;
    float loop_rows = proc.loop.seen ? 2.0f : 0.0f;
    ImVec2 lmax{max.x, min.y + std::max((3 + loop_rows) * p.row_h + 6, H * 0.3f)};
    float y = section(p, min, lmax, p.fmt("IOLoop (one thread): {}", process_state_phrase(proc)), kHubBorder);
    y = loop_phases(p, proc, min.x + 6, y, lmax.x - 4);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, lmax);
    }
    ImVec2 s = slot_at(p, min.x + 6, y);
    if (const Connection* c = conn_of(w, proc.current_conn)) {
        p.anchor(c->id, s, kPrioServer);
        p.dl->AddCircle(s, kTokenR + 3, colors::kRunningRing, 20, 2.0f);
        p.text({s.x + kTokenR + 8, y}, lmax.x - 4, colors::kText, "on the loop: :{}  {} for {}", c->peer_port,
               stage_word(c->stage), Dur(since(w, c->entered(c->stage))).sv());
    } else {
        draw_shape(p.dl, Shape::Idle, s, kTokenR, colors::kTextDim);
        p.text({s.x + kTokenR + 8, y}, lmax.x - 4, colors::kTextDim, "no request on the loop");
    }
    y += p.row_h;
    gil_line(p, proc, min.x + 6, y, lmax.x - 4);

    ImVec2 pmin{min.x, lmax.y + 6};
    if (max.y - pmin.y < 2 * p.row_h) return;
    y = section(p, pmin, max, p.fmt("poll list: {} fds  ·  keep-alive: {}", proc.poll.size(), proc.keepalive.size()), kPoolBorder);
    p.item(TopoItemKind::KeepAlive, proc.pid, 0, pmin, {max.x, y});
    std::size_t rows = rows_in(p, y, max.y - 2);
    y = poll_rows(p, proc, min.x + 6, y, max.x - 4, std::min<std::size_t>(rows, std::max<std::size_t>(proc.poll.size(), 1)));
    recent_rows(p, proc, min.x + 6, y + 6, max.x - 4, max.y - 2);
}

// A worker whose model is unknown (still booting): its threads, if any.
void draw_other(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    float y = min.y;
    p.text({min.x, y}, max.x, colors::kTextDim, "{}", model_design(proc.model));
    y += p.row_h;
    if (!proc.poll.empty()) poll_rows(p, proc, min.x, y, max.x, rows_in(p, y, max.y));
}

}  // namespace

// ============================================================================
// [SECTION] draw_worker_insides
// ============================================================================

void draw_worker_insides(Painter& p, const Process& proc, ImVec2 min, ImVec2 box_max) {
    // The last row is kept for connections no row claims (see below).
    ImVec2 max{box_max.x, box_max.y - p.row_h};
    switch (proc.model) {
        case ModelId::Sync: draw_sync(p, proc, min, max); break;
        case ModelId::Gthread: draw_gthread(p, proc, min, max); break;
        case ModelId::Gevent:
        case ModelId::Eventlet:
        case ModelId::Asyncio: draw_green(p, proc, min, max); break;
        case ModelId::Tornado: draw_loop(p, proc, min, max); break;
        case ModelId::Unknown: draw_other(p, proc, min, max); break;
    }
    // Connections of this worker that no row claimed — rows ran out, or the
    // trace does not say which greenlet serves them (one parked on a timer):
    // drawn in a strip of their own, so every open connection is visible.
    float y = box_max.y - p.row_h + 2;
    const char* label = "other connections:";
    float x = min.x + ImGui::CalcTextSize(label).x + 10;
    float slot = 2 * kTokenR + 4;
    std::size_t cap = static_cast<std::size_t>(std::max(0.0f, (box_max.x - x - 60) / slot));
    std::size_t placed = 0, hidden = 0;
    for (const auto& [id, c] : p.world().connections) {
        if (c.owner != proc.pid) continue;
        auto t = p.st.tokens.find(id);
        if (t != p.st.tokens.end() && t->second.seen == p.st.frame) continue;
        if (placed < cap) {
            p.anchor(id, {x + kTokenR + static_cast<float>(placed) * slot, y + p.line_h * 0.5f}, kPrioWorker);
            ++placed;
        } else {
            ++hidden;
        }
    }
    if (placed) p.dl->AddText({min.x, y}, colors::kTextDim, label);
    p.st.tokens_hidden += hidden;
    if (hidden) {
        const char* s = p.fmt("+{}", hidden);
        p.dl->AddText({box_max.x - ImGui::CalcTextSize(s).x - 4, y}, colors::kTextDim, s);
    }
}

}  // namespace minicorn::studio::topo
