// app/studio/panels/topology_rows.cpp — see topology_rows.h.
#include "app/studio/panels/topology_rows.h"

#include <sys/epoll.h>

#include <algorithm>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/highlight.h"
#include "app/studio/draw/request_label.h"

namespace minicorn::studio::topo {

using trace::ConnStage;
using trace::Connection;
using trace::Process;
using trace::World;


// An inner box with a title (the first of `titles` that fits); returns where its rows begin.
float section(Painter& p, ImVec2 min, ImVec2 max, std::initializer_list<std::string_view> titles, ImU32 border) {
    p.dl->AddRectFilled(min, max, colors::kInnerBg, 3.0f);
    p.dl->AddRect(min, max, border, 3.0f);
    p.text_fit({min.x + 6, min.y + 2}, max.x - 6, colors::kText, titles);
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
ImVec2 slot_at(const Painter& p, float x, float y) { return {x + token_r() + 2, y + p.line_h * 0.5f}; }
// Where a row's text begins: after its slot, so a token never lies on it.
float text_x(float x) { return x + 2 * token_r() + 10; }



float grid_height(std::size_t n, float width) {
    std::size_t per_row = std::max<std::size_t>(1, static_cast<std::size_t>(width / cell()));
    return cell() * static_cast<float>((n + per_row - 1) / per_row);
}

float slot_grid(Painter& p, pid_t pid, const std::vector<Cell>& cells, float x, float y, float max_x, float max_y) {
    std::size_t per_row = std::max<std::size_t>(1, static_cast<std::size_t>((max_x - x) / cell()));
    std::size_t rows = static_cast<std::size_t>(std::max(0.0f, (max_y - y) / cell()));
    std::size_t cap = per_row * rows;
    std::size_t shown = cells.size() <= cap ? cells.size() : (cap > 4 ? cap - 4 : 0);  // 4 cells' room for "+N"
    for (std::size_t i = 0; i < shown; ++i) {
        const Cell& c = cells[i];
        ImVec2 lo{x + static_cast<float>(i % per_row) * cell(), y + static_cast<float>(i / per_row) * cell()};
        ImVec2 mid{lo.x + cell() / 2, lo.y + cell() / 2};
        if (conn_of(p.world(), c.conn)) {
            p.anchor(c.conn, mid, kPrioServer);
        } else {
            draw_shape(p.dl, c.glyph, mid, token_r(), colors::kTextDim);
        }
        if (c.ring) p.dl->AddCircle(mid, token_r() + 3, colors::kRunningRing, 20, 2.0f);
        p.item(c.kind, pid, c.id, lo, {lo.x + cell(), lo.y + cell()});
    }
    if (shown < cells.size() && cap > 4) {
        ImVec2 lo{x + static_cast<float>(shown % per_row) * cell(), y + static_cast<float>(shown / per_row) * cell()};
        p.text({lo.x + 2, lo.y + (cell() - p.line_h) / 2}, lo.x + 4 * cell(), colors::kTextDim, "+{}", cells.size() - shown);
    }
    std::size_t used = std::min(cells.size(), std::max<std::size_t>(cap, 1));
    return y + cell() * static_cast<float>((used + per_row - 1) / per_row);
}

// A strip of named steps (a loop's phases) with the current one lit; wraps
// onto a second line rather than dropping steps. Returns the y after it.
float phase_strip(Painter& p, std::span<const std::string_view> names, int lit, float x0, float y, float max_x,
                  bool lit_done) {
    float x = x0;
    const float gap = 6.0f;
    const float arrow = ImGui::CalcTextSize(">").x;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const char* name = names[i].data();
        ImVec2 ts = ImGui::CalcTextSize(name, name + names[i].size());
        if (x > x0 && x + ts.x + 4 > max_x) {
            x = x0;
            y += p.row_h;
        }
        bool on = static_cast<int>(i) == lit;
        if (on && lit_done) p.dl->AddRect({x - 3, y - 1}, {x + ts.x + 3, y + p.line_h + 1}, colors::kBoxBorderBusy, 3.0f);
        else if (on) p.dl->AddRectFilled({x - 3, y - 1}, {x + ts.x + 3, y + p.line_h + 1}, colors::kBoxBorderBusy, 3.0f);
        draw_text(p.dl, {x, y}, on && !lit_done ? IM_COL32(10, 20, 10, 255) : on ? colors::kText : colors::kTextDim, name,
                  name + names[i].size());
        x += ts.x + gap;
        if (i + 1 < names.size() && x + arrow + gap < max_x) {
            draw_text(p.dl, {x, y}, colors::kTextDim, ">");
            x += arrow + gap;
        }
    }
    return y + p.row_h;
}

// How many lines phase_strip takes.
int phase_lines(std::span<const std::string_view> names, float width) {
    float x = 0;
    int lines = 1;
    const float step = 6.0f + ImGui::CalcTextSize(">").x + 6.0f;
    for (std::string_view n : names) {
        float w = ImGui::CalcTextSize(n.data(), n.data() + n.size()).x;
        if (x > 0 && x + w + 4 > width) {
            x = 0;
            ++lines;
        }
        x += w + step;
    }
    return lines;
}

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
            p.text_fit({text_x(x), y}, max_x, colors::kText,
                       {fmt::format("fd {:<3} {}  {}  {}", fd, connection_label(w, *c), ev, stage_word(c->stage)),
                        fmt::format("fd {} {}  {}", fd, connection_label(w, *c), stage_word(c->stage)), fmt::format("fd {}", fd)});
        } else {
            bool listener = std::any_of(w.listener.sockets.begin(), w.listener.sockets.end(),
                                        [fd = fd](const trace::ListenSocket& l) { return l.fd == fd; });
            draw_shape(p.dl, Shape::Idle, s, token_r(), colors::kKernelBorder);
            const char* what = listener ? "listening socket" : "other (backend, pipe)";
            p.text_fit({text_x(x), y}, max_x, colors::kTextDim,
                       {fmt::format("fd {:<3} {}  {}", fd, what, ev), fmt::format("fd {} {}", fd, listener ? "listener" : "other"),
                        fmt::format("fd {}", fd)});
        }
        p.item(TopoItemKind::PollFd, proc.pid, static_cast<std::uint64_t>(fd), {x, y - 1}, {max_x, y + p.row_h - 1});
        y += p.row_h;
        ++shown;
    }
    if (shown < proc.poll.size()) {
        p.text_fit({text_x(x), y}, max_x, colors::kTextDim,
                   {fmt::format("+{} more fds", proc.poll.size() - shown), fmt::format("+{}", proc.poll.size() - shown)});
        y += p.row_h;
    }
    return y;
}

// The GIL in one line: who holds it and who waits — only where more than one
// thread could want it (a single-threaded worker's GIL is always its own).
bool gil_matters(const Process& proc) { return proc.threads.size() > 1 || !proc.gil.waiters.empty(); }
float gil_line(Painter& p, const Process& proc, float x, float y, float max_x) {
    const trace::Gil& g = proc.gil;
    if (!gil_matters(proc) || (g.acquisitions == 0 && g.holder == 0)) return y;
    const World& w = p.world();
    if (g.holder) {
        p.text_fit({x, y}, max_x, g.waiters.empty() ? colors::kText : colors::kTextWarn,
                   {fmt::format("GIL: thread {} for {}  ·  {} waiting", g.holder, Dur(since(w, g.held_since_ns)).sv(),
                                g.waiters.size()),
                    fmt::format("GIL: thread {}  ·  {} wait", g.holder, g.waiters.size()),
                    fmt::format("GIL: {} wait", g.waiters.size())});
    } else {
        p.text_fit({x, y}, max_x, colors::kTextDim,
                   {fmt::format("GIL: free  ·  {} waiting", g.waiters.size()), std::string("GIL: free")});
    }
    p.item(TopoItemKind::Gil, proc.pid, 0, {x, y - 1}, {max_x, y + p.row_h - 1});
    return y + p.row_h;
}
float gil_height(const Painter& p, const Process& proc) {
    return gil_matters(proc) && (proc.gil.acquisitions > 0 || proc.gil.holder) ? p.row_h : 0.0f;
}

// An event loop's numbered phases (tornado's IOLoop, asyncio's loop) with the
// current one lit, then what waits in it: ready callbacks and timers.
// Returns the y after them; nothing drawn before the loop's first event.
float loop_phases_height(const Painter& p, const Process& proc, float width) {
    return proc.loop.seen ? p.row_h * static_cast<float>(phase_lines(kLoopPhases, width) + 1) : 0.0f;
}
float loop_phases(Painter& p, const Process& proc, float x0, float y, float max_x) {
    const trace::LoopState& L = proc.loop;
    if (!L.seen) return y;
    using trace::LoopPhaseId;
    int lit = -1;
    int i = 0;
    for (LoopPhaseId ph : {LoopPhaseId::Timers, LoopPhaseId::Callbacks, LoopPhaseId::Poll, LoopPhaseId::Dispatch}) {
        if (L.phase == ph) lit = i;
        ++i;
    }
    const float strip_y = y;
    y = phase_strip(p, kLoopPhases, lit, x0, y, max_x);
    if (proc.worker_age > 0) note_highlight(fmt::format("worker {} loop phases", proc.worker_age), x0, strip_y, max_x, y);
    p.text_fit({x0, y}, max_x, colors::kTextDim,
               {fmt::format("ready callbacks {}  ·  timers {}  ·  {} iterations", L.ready_callbacks, L.timers.size(),
                            L.iterations),
                fmt::format("callbacks {}  ·  timers {}", L.ready_callbacks, L.timers.size()),
                fmt::format("cb {} · tm {}", L.ready_callbacks, L.timers.size())});
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
        if (y + p.row_h > max_y) break;
        if (!any) {
            draw_text_clipped(p.dl, {x, y}, max_x, colors::kTextDim, "recently closed:");
            y += p.row_h;
            any = true;
            if (y + p.row_h > max_y) break;
        }
        std::uint64_t lived = w.gate.engine_span(c.entered(ConnStage::Accepted), c.entered(ConnStage::Closed));
        ImU32 col = c.status >= 500 || c.aborted ? colors::kTextBad : colors::kTextDim;
        const char* why = c.aborted                      ? "  (worker died)"
                          : c.peer_gone                  ? "  (client had gone: nobody read it)"
                          : c.read_cut && c.requests == 0 ? "  (client left)"
                                                          : "";
        p.text_fit({x + 8, y}, max_x, col,
                   {fmt::format(":{}  {}  {} req  open {}{}", c.peer_port, c.status, c.requests, Dur(lived).sv(), why),
                    fmt::format(":{}  {}{}", c.peer_port, c.status, why), fmt::format(":{}", c.peer_port)});
        y += p.row_h;
    }
}

}  // namespace minicorn::studio::topo
