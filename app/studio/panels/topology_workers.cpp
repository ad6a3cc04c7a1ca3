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
//   [SECTION] sync
//   [SECTION] gthread
//   [SECTION] green
//   [SECTION] tornado and others
//   [SECTION] draw_worker_insides
#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <vector>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/loop_step.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/panels/topology_rows.h"

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
// [SECTION] sync
// ============================================================================

// The loop as gunicorn's sync worker runs it; the current phase lit (filled
// while it runs, outlined once done: its next decision point comes next).
void draw_sync(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    static constexpr std::array<std::string_view, 6> kPhases{"select", "accept", "read", "handle", "write", "close"};
    const LoopStep step = loop_step(w, proc);  // the same step the worker's text says
    const int lit = step.phase;
    float strip_h = p.row_h * static_cast<float>(phase_lines(kPhases, max.x - min.x - 12));
    float y = section(p, min, {max.x, min.y + p.row_h + strip_h + 8},
                      {"loop (one thread, one connection at a time)", "loop: one connection at a time", "loop"}, kHubBorder);
    y = phase_strip(p, kPhases, lit, min.x + 6, y, max.x - 6, step.done);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, {max.x, y});
    }
    y += 10;
    if (y + p.row_h > max.y) return;
    ImVec2 s = slot_at(p, min.x + 6, y);
    if (const Connection* c = conn_of(w, proc.current_conn)) {
        p.anchor(c->id, s, kPrioServer);
        if (step.done) {
            p.text_fit({text_x(min.x + 6), y}, max.x, colors::kText,
                       {fmt::format("{}  {}", connection_label(w, *c), step.word), fmt::format("{}", connection_label(w, *c))});
        } else {
            p.text_fit({text_x(min.x + 6), y}, max.x, colors::kText,
                       {fmt::format("{}  {} for {}", connection_label(w, *c), stage_word(c->stage), Dur(since(w, c->entered(c->stage))).sv()),
                        fmt::format("{}  {}", connection_label(w, *c), stage_word(c->stage)), fmt::format("{}", connection_label(w, *c))});
        }
    } else {
        draw_shape(p.dl, Shape::Idle, s, token_r(), colors::kTextDim);
        p.text_fit({text_x(min.x + 6), y}, max.x, colors::kTextDim, {"no connection: waiting for the next one", "no connection", "idle"});
    }
    y += p.row_h + 4;
    if (w.listener.queue_len > 0 && proc.state != ProcessState::Waiting) {
        auto msg = fmt::format("{} more wait in the accept queue until this one is done", w.listener.queue_len);
        if (y + wrapped_height(max.x - min.x - 6, msg.c_str()) <= max.y) {
            y += draw_text_wrapped(p.dl, {min.x + 6, y}, max.x, colors::kTextWarn, msg.c_str()) + 6;
        }
    }
    recent_rows(p, proc, min.x + 6, y, max.x, max.y);
}

// ============================================================================
// [SECTION] gthread
// ============================================================================

// One pool thread's row: its slot (its connection's token, or idle) and what it does.
void thread_row(Painter& p, const Process& proc, const Thread& th, float x, float y, float max_x) {
    const World& w = p.world();
    ImVec2 s = slot_at(p, x, y);
    bool waits = std::find(proc.gil.waiters.begin(), proc.gil.waiters.end(), th.tid) != proc.gil.waiters.end();
    if (const Connection* c = conn_of(w, th.conn)) {
        p.anchor(c->id, s, kPrioServer);
        std::string_view gil = waits ? "  waits for the GIL" : "";
        const LoopStep step = thread_step(w, proc, th);  // done: "app returned 200", not "handling" one event late
        if (step.done) {
            p.text_fit({text_x(x), y}, max_x, waits ? colors::kTextWarn : colors::kText,
                       {fmt::format("thread {}  {}  {}{}", th.tid, connection_label(w, *c), step.word, gil),
                        fmt::format("{} {}", th.tid, step.word), fmt::format("{}", th.tid)});
        } else {
            p.text_fit({text_x(x), y}, max_x, waits ? colors::kTextWarn : colors::kText,
                       {fmt::format("thread {}  {} {}  {}{}", th.tid, stage_word(c->stage), connection_label(w, *c), Dur(since(w, th.since_ns)).sv(), gil),
                        fmt::format("thread {}  {} {}{}", th.tid, stage_word(c->stage), connection_label(w, *c), waits ? "  GIL?" : ""),
                        fmt::format("{} {}{}", th.tid, stage_word(c->stage), waits ? " GIL?" : ""), fmt::format("{}", th.tid)});
        }
    } else if (th.role == trace::ThreadRole::App) {
        // Started by a view (/threads): not the worker's, it serves no connection.
        draw_shape(p.dl, Shape::Idle, s, token_r(), waits ? colors::kTextWarn : colors::kText);
        p.text_fit({text_x(x), y}, max_x, waits ? colors::kTextWarn : colors::kText,
                   {fmt::format("thread {}  the app's own thread (a view's pool){}", th.tid, waits ? "  waits for the GIL" : ""),
                    fmt::format("thread {}  the app's own", th.tid), fmt::format("{} app's", th.tid), fmt::format("{}", th.tid)});
    } else {
        draw_shape(p.dl, Shape::Idle, s, token_r(), colors::kTextDim);
        p.text_fit({text_x(x), y}, max_x, colors::kTextDim,
                   {fmt::format("thread {}  idle: waits for work", th.tid), fmt::format("thread {}  idle", th.tid),
                    fmt::format("{} idle", th.tid), fmt::format("{}", th.tid)});
    }
    if (proc.gil.holder == th.tid) p.dl->AddCircle(s, token_r() + 3, colors::kRunningRing, 20, 2.0f);
    p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(th.tid), {x, y - 1}, {max_x, y + p.row_h - 1});
}

// gthread: the poller (the main thread's epoll over the listener and the
// keep-alive connections), the executor queue, the pool threads. The
// threads are what gthread is about: they get their rows first; with too
// little room they become a grid of cells (a token in each busy one), and
// the poller shrinks to its title before they do.
void draw_gthread(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    const float H = max.y - min.y, W = max.x - min.x;
    std::vector<const Thread*> pool;
    for (const auto& [tid, th] : proc.threads) {
        if (tid != proc.pid) pool.push_back(&th);
    }
    std::size_t busy = 0, apps = 0;  // apps: threads a view started (/threads), listed after the pool's
    for (const Thread* th : pool) busy += conn_of(w, th->conn) ? 1u : 0u;
    for (const Thread* th : pool) apps += th->role == trace::ThreadRole::App ? 1u : 0u;
    std::stable_partition(pool.begin(), pool.end(), [](const Thread* th) { return th->role != trace::ThreadRole::App; });
    const float gap = 5;
    const float title_h = p.row_h + 2;
    const float queue_h = title_h + 2;
    const float threads_rows_h = title_h + p.row_h * static_cast<float>(std::max<std::size_t>(pool.size(), 1)) + gil_height(p, proc) + 4;
    const float threads_grid_h = title_h + grid_height(pool.size(), W - 12) + gil_height(p, proc) + 6;
    const float poll_min = title_h + 2;
    bool rows = poll_min + queue_h + threads_rows_h + 2 * gap <= H;
    bool show_queue = poll_min + queue_h + (rows ? threads_rows_h : threads_grid_h) + 2 * gap <= H;
    float threads_h = rows ? threads_rows_h : threads_grid_h;
    float poll_h = std::clamp(H - threads_h - (show_queue ? queue_h + gap : 0) - gap, poll_min,
                              poll_min + p.row_h * static_cast<float>(proc.poll.size()) + 2);

    // Poller: the keep-alive count rides in its title (they are its fds).
    ImVec2 pmax{max.x, min.y + poll_h};
    std::string_view doing = proc.poll_waiting ? std::string_view("epoll_wait") : process_state_phrase(proc);
    std::size_t ka = proc.keepalive.size();
    float y = section(p, min, pmax,
                      {fmt::format("poller (main thread): {}, {}, {} keep-alive", doing, fds(proc.poll.size()), ka),
                       fmt::format("poller: {}, {}, {} keep-alive", proc.poll_waiting ? "epoll_wait" : "busy", fds(proc.poll.size()), ka),
                       fmt::format("poller: {}, {} kept alive", fds(proc.poll.size()), ka), fmt::format("poller: {}", fds(proc.poll.size()))},
                      kHubBorder);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, {pmax.x, y});
    }
    if (ka) p.item(TopoItemKind::KeepAlive, proc.pid, 0, {min.x, min.y}, {pmax.x, y});
    std::size_t fd_rows = rows_in(p, y, pmax.y - 2);
    if (fd_rows > 0) poll_rows(p, proc, min.x + 6, y, pmax.x - 4, fd_rows);
    y = pmax.y + gap;

    // Executor queue: connections ready to be served, waiting for a free thread;
    // one line, its tokens right of its title, the head (oldest) rightmost,
    // at the end the threads take from.
    if (show_queue) {
        ImVec2 qmin{min.x, y}, qmax{max.x, y + queue_h};
        std::string title = fmt::format("executor queue: {} waiting", proc.pool_queue.size());
        if (ImGui::CalcTextSize(title.c_str()).x + 4 * cell() > qmax.x - qmin.x) title = fmt::format("queue: {}", proc.pool_queue.size());
        section(p, qmin, qmax, {title}, proc.pool_queue.empty() ? kPoolBorder : colors::kTextWarn);
        p.item(TopoItemKind::PoolQueue, proc.pid, 0, qmin, qmax);
        float first = qmin.x + 6 + ImGui::CalcTextSize(title.c_str()).x + 8;
        std::size_t cap = static_cast<std::size_t>(std::max(0.0f, (qmax.x - 6 - first) / cell()));
        std::size_t i = 0;
        for (std::uint64_t id : proc.pool_queue) {
            if (i == cap) break;
            p.anchor(id, {qmax.x - 6 - cell() * 0.5f - static_cast<float>(i) * cell(), qmin.y + 2 + p.line_h * 0.5f}, kPrioQueue);
            ++i;
        }
        y = qmax.y + gap;
    }

    // Threads: a row each (or a cell each), the GIL holder ringed; the GIL line under them.
    ImVec2 tmin{min.x, y}, tmax{max.x, std::min(max.y, y + threads_h)};
    if (tmax.y - tmin.y < title_h) return;
    std::string queued = show_queue ? "" : fmt::format(", {} queued", proc.pool_queue.size());
    y = section(p, tmin, tmax,
                {fmt::format("threads: {} in the pool, {} busy{}{}", pool.size() - apps, busy, queued,
                             apps ? fmt::format(", {} the app's own", apps) : ""),
                 fmt::format("threads: {} / {} busy{}{}", busy, pool.size() - apps, queued, apps ? fmt::format(" +{} app's", apps) : ""),
                 fmt::format("{} / {} busy", busy, pool.size() - apps)},
                kPoolBorder);
    if (rows) {
        for (const Thread* th : pool) {
            thread_row(p, proc, *th, tmin.x + 6, y, tmax.x - 4);
            y += p.row_h;
        }
    } else {
        std::vector<Cell> cells;
        for (const Thread* th : pool) {
            cells.push_back({TopoItemKind::Thread, static_cast<std::uint64_t>(th->tid), th->conn, Shape::Idle, proc.gil.holder == th->tid});
        }
        y = slot_grid(p, proc.pid, cells, tmin.x + 6, y, tmax.x - 6, tmax.y - gil_height(p, proc) - 2) + 2;
    }
    gil_line(p, proc, tmin.x + 6, y, tmax.x - 4);
}

// ============================================================================
// [SECTION] green
// ============================================================================

// What a greenlet does, longest first (a narrow column takes a shorter one).
std::vector<std::string> greenlet_words(const World& w, const Greenlet& g, const Connection* c, std::string_view name) {
    switch (g.state) {
        case GreenState::Running:
            return {fmt::format("{} RUNNING {}", name, Dur(since(w, g.since_ns)).sv()), fmt::format("{} RUNNING", name)};
        case GreenState::Ready:
            if (c) return {fmt::format("{} ready  ·  {} {}", name, connection_label(w, *c), stage_word(c->stage)), fmt::format("{} ready", name)};
            return {fmt::format("{} ready", name)};
        case GreenState::Parked:
            if (g.fd < 0 && c) {
                return {fmt::format("{} parked: timer  ·  {} {}", name, connection_label(w, *c), stage_word(c->stage)),
                        fmt::format("{} parked: timer", name), fmt::format("{} timer", name)};
            }
            if (g.fd < 0) return {fmt::format("{} parked: timer", name), fmt::format("{} timer", name)};
            if (is_listen_fd(w, g.fd)) {
                return {fmt::format("{} acceptor: fd {} (listener)", name, g.fd), fmt::format("{} acceptor", name)};
            }
            if (c) {
                return {fmt::format("{} parked: fd {} {}", name, g.fd, connection_label(w, *c)), fmt::format("{} parked: fd {}", name, g.fd),
                        fmt::format("{} fd {}", name, g.fd)};
            }
            return {fmt::format("{} parked: fd {}", name, g.fd), fmt::format("{} fd {}", name, g.fd)};
        case GreenState::Exited: return {fmt::format("{} done", name)};
    }
    return {std::string(name)};
}

// One greenlet row: its slot (its connection's token, or a glyph) and what it does.
void greenlet_row(Painter& p, const Process& proc, const Greenlet& g, float x, float y, float max_x, bool tasks) {
    const World& w = p.world();
    ImVec2 s = slot_at(p, x, y);
    const Connection* c = conn_of(w, greenlet_conn(w, proc, g, p.st.green_conns.conn_of(proc.pid, g.id)));
    if (c) {
        p.anchor(c->id, s, kPrioServer);
    } else {
        draw_shape(p.dl, g.state == GreenState::Ready ? Shape::Pending : Shape::Idle, s, token_r(), colors::kTextDim);
    }
    if (g.state == GreenState::Running) p.dl->AddCircle(s, token_r() + 3, colors::kRunningRing, 20, 2.0f);
    std::string name = g.id == 0 ? std::string("main") : fmt::format("{}#{}", tasks ? "task" : "g", g.id);
    std::vector<std::string> words = greenlet_words(w, g, c, name);
    ImU32 col = g.state == GreenState::Running ? colors::kRunningRing
                : g.state == GreenState::Ready ? colors::kText
                                                : colors::kTextDim;
    std::string_view shortest = words.back();
    bool done = false;
    for (const std::string& o : words) {
        if (ImGui::CalcTextSize(o.c_str()).x <= max_x - text_x(x)) {
            draw_text_clipped(p.dl, {text_x(x), y}, max_x, col, o.c_str());
            done = true;
            break;
        }
    }
    if (!done) draw_text_clipped(p.dl, {text_x(x), y}, max_x, col, shortest.data(), shortest.data() + shortest.size());
    p.item(TopoItemKind::Greenlet, proc.pid, g.id, {x, y - 1}, {max_x, y + p.row_h - 1});
}

// The hub (asyncio: the event loop) of a green worker: what it does, its
// poll list and timers, the loop's phases, the fds some greenlet waits on.
void draw_hub(Painter& p, const Process& proc, ImVec2 min, ImVec2 hmax, std::size_t sleeping) {
    bool tasks = proc.model == ModelId::Asyncio;
    const char* hub = tasks ? "event loop" : "hub";
    float y = section(p, min, hmax,
                      {proc.poll_waiting ? fmt::format("{}: epoll_wait, timeout {} ms", hub, proc.poll_timeout_ms)
                                         : fmt::format("{}: running {}", hub, tasks ? "tasks" : "greenlets"),
                       fmt::format("{}: {}", hub, proc.poll_waiting ? "epoll_wait" : "running"), std::string(hub)},
                      proc.poll_waiting ? kHubBorder : colors::kBoxBorder);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, {hmax.x, y});
    }
    p.text_fit({min.x + 6, y}, hmax.x - 4, colors::kTextDim,
               {fmt::format("poll list {}  ·  timers {}  ·  keep-alive {}", fds(proc.poll.size()), sleeping, proc.keepalive.size()),
                fmt::format("{}  ·  {} timers  ·  {} kept alive", fds(proc.poll.size()), sleeping, proc.keepalive.size()),
                fmt::format("{}  ·  {} timers", fds(proc.poll.size()), sleeping), fmt::format("{}", fds(proc.poll.size()))});
    p.item(TopoItemKind::KeepAlive, proc.pid, 0, {min.x + 2, y - 1}, {hmax.x - 2, y + p.row_h - 1});
    y += p.row_h;
    y = loop_phases(p, proc, min.x + 6, y, hmax.x - 4);
    std::size_t fd_rows = rows_in(p, y, hmax.y - 2);
    if (fd_rows > 0) poll_rows(p, proc, min.x + 6, y, hmax.x - 4, fd_rows);
}

// The green models (gevent, eventlet, asyncio): the hub with its poll list
// and timers, and the greenlets — a row each while there is room, else a
// cell each (a token in each one serving a connection).
void draw_green(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    bool tasks = proc.model == ModelId::Asyncio;
    float H = max.y - min.y;
    // Wide box: the hub on the left, the greenlets on the right, both full
    // height. Narrow: the hub on top, sized to its poll list.
    bool side_by_side = max.x - min.x > 620;
    const float title_h = p.row_h + 2;

    // The hub: its poll list (fds some greenlet waits on) and its timers.
    std::size_t sleeping = 0;
    for (const auto& [id, g] : proc.greenlets) sleeping += (g.state == GreenState::Parked && g.fd < 0) ? 1 : 0;
    float hub_w = side_by_side ? (max.x - min.x) * 0.46f : max.x - min.x;
    float hub_fixed = title_h + p.row_h + loop_phases_height(p, proc, hub_w - 12) + 4;
    ImVec2 hmax;
    if (side_by_side) {
        hmax = {min.x + hub_w, max.y};
    } else {
        // Fd rows only with room to spare (up to ~40% of the box); the summary line counts them.
        std::size_t room = rows_in(p, 0, std::max(0.0f, H * 0.4f - hub_fixed));
        std::size_t fd_rows = std::min(proc.poll.size(), room < 2 ? 0 : room);
        hmax = {max.x, min.y + hub_fixed + p.row_h * static_cast<float>(fd_rows)};
    }
    draw_hub(p, proc, min, hmax, sleeping);

    // Greenlets: the running one first, then ready, then parked, in id order
    // within each, so rows stay put while their state holds.
    ImVec2 gmin = side_by_side ? ImVec2{hmax.x + 6, min.y} : ImVec2{min.x, hmax.y + 6};
    if (max.y - gmin.y < 2 * p.row_h) return;
    auto run = proc.greenlets.find(proc.running_green);
    bool hog = run != proc.greenlets.end() && run->second.state == GreenState::Running &&
               since(w, run->second.since_ns) > 5'000'000;
    // The lesson of the green models: one greenlet that computes stops everyone.
    // With the gate closed the "running" greenlet only waits for the next
    // step: blaming it for the pause would teach the wrong lesson.
    std::string warning;
    if (hog && p.view.paused) {
        warning = fmt::format("{}#{} waits at the gate for the next step (paused)", tasks ? "task" : "g", run->first);
    } else if (hog) {
        warning = fmt::format("! {}#{} has run {} without yielding: everyone else waits", tasks ? "task" : "g", run->first,
                              Dur(since(w, run->second.since_ns)).sv());
    }
    float warn_h = warning.empty() ? 0.0f : wrapped_height(max.x - gmin.x - 10, warning.c_str()) + 2;
    float bottom = max.y - 2 - warn_h - gil_height(p, proc);
    float y = section(p, gmin, max,
                {fmt::format("{} ({} live)", tasks ? "tasks" : "greenlets", proc.greenlets.size()),
                 fmt::format("{} {}", tasks ? "tasks" : "greenlets", proc.greenlets.size())},
                kPoolBorder);
    // How connections become greenlets: where gevent and eventlet differ.
    if (proc.model == ModelId::Gevent || proc.model == ModelId::Eventlet) {
        bool gevent = proc.model == ModelId::Gevent;
        p.text_fit({gmin.x + 6, y}, max.x - 4, colors::kTextDim,
                   {gevent ? "spawned by the hub's accept watcher (StreamServer) into Pool"
                           : "spawned by the acceptor greenthread into GreenPool",
                    gevent ? "hub's watcher accepts → Pool" : "acceptor greenthread → GreenPool",
                    gevent ? "→ Pool" : "→ GreenPool"});
        y += p.row_h;
    }
    float gw = max.x - gmin.x;
    // A row needs ~250 px to name its client, ~150 px for its state: more
    // columns of shorter rows before a grid of cells.
    std::size_t ncols = gw > 780 ? 3 : gw > 480 ? 2 : 1;
    std::size_t per_col = rows_in(p, y, bottom);
    const float narrowest = ImGui::CalcTextSize("g#00 parked: fd 00").x + 2 * token_r() + 16;
    while (per_col > 0 && proc.greenlets.size() > per_col * ncols && (gw - 8) / static_cast<float>(ncols + 1) >= narrowest) ++ncols;
    float col_w = (gw - 8) / static_cast<float>(ncols);
    std::vector<const Greenlet*> order;
    for (GreenState pass : {GreenState::Running, GreenState::Ready, GreenState::Parked, GreenState::Exited}) {
        for (const auto& [id, g] : proc.greenlets) {
            if (g.state == pass) order.push_back(&g);
        }
    }
    if (order.size() <= per_col * ncols) {
        for (std::size_t i = 0; i < order.size(); ++i) {
            float x = gmin.x + 6 + static_cast<float>(i / per_col) * col_w;
            greenlet_row(p, proc, *order[i], x, y + static_cast<float>(i % per_col) * p.row_h, x + col_w - 6, tasks);
        }
    } else {
        std::vector<Cell> cells;
        for (const Greenlet* g : order) {
            std::uint64_t conn = greenlet_conn(w, proc, *g, p.st.green_conns.conn_of(proc.pid, g->id));
            Shape glyph = g->state == GreenState::Ready ? Shape::Pending : Shape::Idle;
            cells.push_back({TopoItemKind::Greenlet, g->id, conn, glyph, g->state == GreenState::Running});
        }
        slot_grid(p, proc.pid, cells, gmin.x + 6, y, max.x - 6, bottom);
    }
    float after = bottom;
    after = gil_line(p, proc, gmin.x + 6, after, max.x - 4);
    if (!warning.empty()) {
        draw_text_wrapped(p.dl, {gmin.x + 6, after}, max.x - 4, hog && p.view.paused ? colors::kTextDim : colors::kTextWarn,
                          warning.c_str());
    }
}

// ============================================================================
// [SECTION] tornado and others
// ============================================================================


// One loop thread: what it runs now, its poll list, the keep-alive list.
void draw_loop(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    const float W = max.x - min.x;
    ImVec2 lmax{max.x, min.y + p.row_h + 2 + loop_phases_height(p, proc, W - 12) + p.row_h + gil_height(p, proc) + 6};
    float y = section(p, min, lmax,
                      {fmt::format("IOLoop (one thread): {}", process_state_phrase(proc)), std::string("IOLoop (one thread)"),
                       std::string("IOLoop")},
                      kHubBorder);
    y = loop_phases(p, proc, min.x + 6, y, lmax.x - 4);
    if (const Thread* main = proc.thread(proc.pid)) {
        p.item(TopoItemKind::Thread, proc.pid, static_cast<std::uint64_t>(main->tid), min, lmax);
    }
    ImVec2 s = slot_at(p, min.x + 6, y);
    if (const Connection* c = conn_of(w, proc.current_conn)) {
        p.anchor(c->id, s, kPrioServer);
        p.dl->AddCircle(s, token_r() + 3, colors::kRunningRing, 20, 2.0f);
        p.text_fit({text_x(min.x + 6), y}, lmax.x - 4, colors::kText,
                   {fmt::format("on the loop: {}  {} for {}", connection_label(w, *c), stage_word(c->stage),
                                Dur(since(w, c->entered(c->stage))).sv()),
                    fmt::format("{}  {}", connection_label(w, *c), stage_word(c->stage)), fmt::format("{}", connection_label(w, *c))});
    } else {
        draw_shape(p.dl, Shape::Idle, s, token_r(), colors::kTextDim);
        p.text_fit({text_x(min.x + 6), y}, lmax.x - 4, colors::kTextDim, {"no request on the loop", "idle"});
    }
    y += p.row_h;
    gil_line(p, proc, min.x + 6, y, lmax.x - 4);

    ImVec2 pmin{min.x, lmax.y + 6};
    if (max.y - pmin.y < p.row_h + 4) return;
    y = section(p, pmin, max,
                {fmt::format("poll list: {}  ·  keep-alive: {}", fds(proc.poll.size()), proc.keepalive.size()),
                 fmt::format("{}  ·  {} kept alive", fds(proc.poll.size()), proc.keepalive.size()), fmt::format("{}", fds(proc.poll.size()))},
                kPoolBorder);
    p.item(TopoItemKind::KeepAlive, proc.pid, 0, pmin, {max.x, y});
    std::size_t rows = rows_in(p, y, max.y - 2);
    if (rows == 0) return;
    y = poll_rows(p, proc, min.x + 6, y, max.x - 4, std::min<std::size_t>(rows, std::max<std::size_t>(proc.poll.size(), 1)));
    recent_rows(p, proc, min.x + 6, y + 6, max.x - 4, max.y - 2);
}

// A worker whose model is unknown (still booting): its threads, if any.
void draw_other(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    std::string_view what = model_design(proc.model);
    float h = wrapped_height(max.x - min.x, what.data(), what.data() + what.size());
    if (min.y + h > max.y) return;
    float y = min.y + draw_text_wrapped(p.dl, min, max.x, colors::kTextDim, what.data(), what.data() + what.size()) + 5;
    if (!proc.poll.empty()) poll_rows(p, proc, min.x, y, max.x, rows_in(p, y, max.y));
}

// The least height (below the status line) a model's full drawing needs;
// with less, the worker is drawn small (draw_small).
float full_height(const Painter& p, const Process& proc, float width) {
    switch (proc.model) {
        case ModelId::Sync: return 4.2f * p.row_h + p.row_h * static_cast<float>(phase_lines(std::array<std::string_view, 6>{"select", "accept", "read", "handle", "write", "close"}, width - 12));
        case ModelId::Gthread: return 5.2f * p.row_h + cell() + gil_height(p, proc);
        case ModelId::Gevent:
        case ModelId::Eventlet:
        case ModelId::Asyncio:
            return (proc.model == ModelId::Asyncio ? 6.5f : 7.5f) * p.row_h + loop_phases_height(p, proc, width - 12) +
                   gil_height(p, proc);
        case ModelId::Tornado: return 5.5f * p.row_h + loop_phases_height(p, proc, width - 12);
        case ModelId::Unknown: break;
    }
    return 2 * p.row_h;
}

// A worker in a small box: one line of counts, then a cell per open
// connection (its token in it) — everything it holds, nothing cut.
void draw_small(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    std::size_t conns = 0;
    for (const auto& [id, c] : w.connections) conns += c.owner == proc.pid ? 1u : 0u;
    std::size_t pool = proc.threads.size() > 1 ? proc.threads.size() - 1 : 0;
    std::string counts = proc.model == ModelId::Gthread
                             ? fmt::format("{} threads · {} queued · {} conns", pool, proc.pool_queue.size(), conns)
                         : proc.greenlets.empty() ? fmt::format("{} connection{}", conns, conns == 1 ? "" : "s")
                                                  : fmt::format("{} greenlets · {} conns", proc.greenlets.size(), conns);
    if (min.y + p.line_h > max.y) return;
    p.text_fit({min.x, min.y}, max.x, colors::kTextDim, {counts, fmt::format("{} conns", conns), fmt::format("{}", conns)});
    float y = min.y + p.row_h;
    // Green models: a cell per greenlet (the running one ringed), as in the full
    // drawing; then any connection no greenlet is known to serve.
    std::vector<Cell> cells;
    std::vector<std::uint64_t> claimed;
    for (GreenState pass : {GreenState::Running, GreenState::Ready, GreenState::Parked}) {
        for (const auto& [id, g] : proc.greenlets) {
            if (g.state != pass) continue;
            std::uint64_t conn = greenlet_conn(w, proc, g, p.st.green_conns.conn_of(proc.pid, id));
            cells.push_back({TopoItemKind::Greenlet, id, conn, g.state == GreenState::Ready ? Shape::Pending : Shape::Idle,
                             g.state == GreenState::Running});
            if (conn) claimed.push_back(conn);
        }
    }
    for (const auto& [id, c] : w.connections) {
        if (c.owner != proc.pid || std::find(claimed.begin(), claimed.end(), id) != claimed.end()) continue;
        cells.push_back({TopoItemKind::Token, id, id, Shape::Idle, false});
    }
    slot_grid(p, proc.pid, cells, min.x, y, max.x, max.y);
}

}  // namespace

// ============================================================================
// [SECTION] draw_worker_insides
// ============================================================================

void draw_worker_insides(Painter& p, const Process& proc, ImVec2 min, ImVec2 box_max) {
    if (box_max.y - min.y < full_height(p, proc, box_max.x - min.x) + p.row_h) {
        draw_small(p, proc, min, box_max);
        return;
    }
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
    const char* label = box_max.x - min.x > 260 ? "other connections:" : "other:";
    float x = min.x + ImGui::CalcTextSize(label).x + 10;
    float slot = 2 * token_r() + 4;
    std::size_t cap = static_cast<std::size_t>(std::max(0.0f, (box_max.x - x - 60) / slot));
    std::size_t placed = 0, hidden = 0;
    for (const auto& [id, c] : p.world().connections) {
        if (c.owner != proc.pid) continue;
        auto t = p.st.tokens.find(id);
        if (t != p.st.tokens.end() && t->second.seen == p.st.frame) continue;
        if (placed < cap) {
            p.anchor(id, {x + token_r() + static_cast<float>(placed) * slot, y + p.line_h * 0.5f}, kPrioWorker);
            ++placed;
        } else {
            ++hidden;
        }
    }
    if (placed) draw_text(p.dl, {min.x, y}, colors::kTextDim, label);
    p.st.tokens_hidden += hidden;
    if (hidden) {
        const char* s = p.fmt("+{}", hidden);
        draw_text(p.dl, {box_max.x - ImGui::CalcTextSize(s).x - 4, y}, colors::kTextDim, s);
    }
}

}  // namespace minicorn::studio::topo
