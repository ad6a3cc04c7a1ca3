// app/studio/panels/topology.cpp — see topology.h. The grid of worker boxes
// is in topology_grid.cpp, the inside of each worker (per model) in
// topology_workers.cpp.
//
// One frame: lay the columns out from the space available; draw clients, the
// listener and its accept queue, the arbiter, the worker boxes; every row
// that holds a connection claims that connection's token (anchor); then the
// tokens are drawn where they are going, eased from where they were; last,
// the hovered item gets its explanation (draw/explain.h).
//
// Cost: rows are capped by the space they have, so a frame touches at most the
// visible rows plus one pass over the open connections and their tokens.
//
// Index
//   [SECTION] Painter and tokens
//   [SECTION] Clients
//   [SECTION] Listener and accept queue
//   [SECTION] Arbiter
//   [SECTION] Hover and menus
//   [SECTION] draw_topology
#include "app/studio/panels/topology.h"

#include "app/studio/draw/highlight.h"

#include <algorithm>
#include <cmath>
#include <csignal>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/topology_parts.h"

namespace minicorn::studio {

using trace::ConnStage;
using trace::Connection;
using trace::Process;
using trace::World;

std::size_t TopologyState::count(TopoItemKind kind) const {
    std::size_t n = 0;
    for (const TopoItem& item : items) n += item.kind == kind ? 1 : 0;
    return n;
}

namespace topo {

// ============================================================================
// [SECTION] Painter and tokens
// ============================================================================

Dur::Dur(std::uint64_t ns) {
    double v = static_cast<double>(ns);
    auto put = [this](auto r) { n = static_cast<std::size_t>(r.out - s); };
    if (ns < 1'000'000) {
        put(fmt::format_to_n(s, sizeof s, "{:.0f} µs", v / 1e3));
    } else if (ns < 10'000'000) {
        put(fmt::format_to_n(s, sizeof s, "{:.1f} ms", v / 1e6));
    } else if (ns < 1'000'000'000) {
        put(fmt::format_to_n(s, sizeof s, "{:.0f} ms", v / 1e6));
    } else {
        put(fmt::format_to_n(s, sizeof s, "{:.1f} s", v / 1e9));
    }
    n = std::min(n, sizeof s);
}

void Painter::anchor(std::uint64_t conn, ImVec2 pos, int priority) {
    auto [it, inserted] = st.tokens.try_emplace(conn);
    TokenAnim& a = it->second;
    if (inserted) a.moved_at = -1;  // new: it will enter from the accept queue
    if (a.seen != st.frame) {
        a.seen = st.frame;
        a.priority = -1;
    }
    if (priority > a.priority) {
        a.priority = priority;
        a.target = {pos.x, pos.y};
    }
}

void Painter::text_fit(ImVec2 pos, float max_x, ImU32 color, std::initializer_list<std::string_view> options) {
    std::size_t i = 0;
    for (std::string_view o : options) {
        bool last = ++i == options.size();
        if (last || ImGui::CalcTextSize(o.data(), o.data() + o.size()).x <= max_x - pos.x) {
            draw_text_clipped(dl, pos, max_x, color, o.data(), o.data() + o.size());
            return;
        }
    }
}

namespace {

ImVec2 iv(Point p) { return {p.x, p.y}; }

ImVec2 token_pos(const TokenAnim& a, double now, float ease_s) {
    float t = ease_s > 0 ? static_cast<float>((now - a.moved_at) / ease_s) : 1.0f;
    t = std::clamp(t, 0.0f, 1.0f);
    t = t * t * (3.0f - 2.0f * t);  // smoothstep: leaves and arrives gently
    return lerp(iv(a.from), iv(a.to), t);
}

// Whether a token at `r` would lie on one of `texts` (this panel's, this frame).
bool on_text(const LayoutRect& r, const std::vector<NotedText>& texts, std::size_t first) {
    for (std::size_t i = first; i < texts.size(); ++i) {
        const LayoutRect& t = texts[i].rect;
        if (std::min(r.x1, t.x1) - std::max(r.x0, t.x0) > 1 && std::min(r.y1, t.y1) - std::max(r.y0, t.y0) > 1) return true;
    }
    return false;
}

// Moves every token placed this frame towards its place and draws it; forgets
// tokens whose connection is no longer drawn anywhere. A token in flight is
// not drawn while it crosses a text (the texts noted from `first_text` on):
// it slips under the words and comes out past them, as tokens at rest sit in
// slots beside their row's text.
void draw_tokens(Painter& p, const TextLayout& layout, std::size_t first_text) {
    TopologyState& st = p.st;
    const World& w = p.world();
    double now = ImGui::GetTime();
    for (auto it = st.tokens.begin(); it != st.tokens.end();) {
        TokenAnim& a = it->second;
        if (a.seen != st.frame) {
            it = st.tokens.erase(it);
            continue;
        }
        const Connection* c = nullptr;
        if (auto ci = w.connections.find(it->first); ci != w.connections.end()) c = &ci->second;
        if (a.moved_at < 0) {
            // A connection first seen just accepted (stepping through the gate,
            // or a slow client) glides in from the accept queue. One first seen
            // further on — live, a batch of events covers its accept and its
            // read at once — appears where it is: a 50 ms request would
            // otherwise spend its whole life leaving the queue.
            bool just_accepted = c && c->stage == ConnStage::Accepted;
            a.from = just_accepted ? st.queue_head : a.target;
            a.to = a.target;
            a.moved_at = now;
        } else if (std::fabs(a.to.x - a.target.x) > 0.5f || std::fabs(a.to.y - a.target.y) > 0.5f) {
            ImVec2 cur = token_pos(a, now, st.ease_s);
            a.from = {cur.x, cur.y};
            a.to = a.target;
            a.moved_at = now;
        }
        ImVec2 pos = token_pos(a, now, st.ease_s);
        // The kernel → worker path, only while a token travels it (as RaftScope
        // draws a message only in flight): a line at rest would cross boxes
        // and text for nothing; moves inside a worker are short and need none.
        bool from_queue = std::fabs(a.from.x - st.queue_head.x) < 1 && std::fabs(a.from.y - st.queue_head.y) < 1;
        if (from_queue && (std::fabs(pos.x - a.to.x) > 0.5f || std::fabs(pos.y - a.to.y) > 0.5f)) {
            p.dl->AddLine(iv(a.from), iv(a.to), colors::kWire, 1.0f);
        }
        bool moving = std::fabs(pos.x - a.to.x) > 0.5f || std::fabs(pos.y - a.to.y) > 0.5f;
        const float r = token_r();
        if (moving && on_text({pos.x - r, pos.y - r, pos.x + r, pos.y + r}, layout.texts, first_text)) {
            ++st.tokens_ducked;
            ++it;
            continue;
        }
        ImU32 col = c ? stage_color(c->stage) : colors::kTextDim;
        if (c && st.color_by == TokenColor::MixPath) {
            const trace::LoadConn* client = w.client_side(*c);
            col = client && client->mix_index >= 0 ? mix_color(client->mix_index) : colors::kTextDim;
        }
        draw_shape(p.dl, Shape::Token, pos, token_r(), col);
        note_token(p.dl, {pos.x - token_r(), pos.y - token_r()}, {pos.x + token_r(), pos.y + token_r()}, it->first, moving);
        p.item(TopoItemKind::Token, c ? c->owner : 0, it->first, {pos.x - token_r() - 1, pos.y - token_r() - 1},
               {pos.x + token_r() + 1, pos.y + token_r() + 1});
        ++st.tokens_drawn;
        ++it;
    }
}

// ============================================================================
// [SECTION] Clients
// ============================================================================

// minicorn load's connections, from the client's own events: what each
// virtual user is doing, joined to the server's side by port.
void draw_load_clients(Painter& p, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    float y = draw_box(p.dl, min, max, nullptr, colors::kBoxBorder);
    p.text_fit({min.x + 6, min.y + 3}, max.x - 6, colors::kText,
               {fmt::format("Clients ({} connections)", w.clients.size()), fmt::format("Clients ({})", w.clients.size())});
    y = min.y + p.row_h + 1;
    p.item(TopoItemKind::Client, 0, 0, min, max);
    y += p.text_wrapped({min.x + 8, y}, max.x - 6, colors::kTextDim, "minicorn load: {} sent, {} done", w.client.sent,
                        w.client.done) + 7;
    std::size_t fit = static_cast<std::size_t>(std::max(0.0f, (max.y - y - 3 * p.row_h) / p.row_h));  // 2 rows: the colour choice
    std::size_t shown = 0;
    for (const auto& [id, c] : w.clients) {
        if (shown == fit) break;
        ImVec2 dot{min.x + 14, y + p.line_h * 0.5f};
        ImU32 col = p.st.color_by == TokenColor::MixPath && c.mix_index >= 0 ? mix_color(c.mix_index) : client_color(c.stage);
        draw_shape(p.dl, c.stage == trace::ClientStage::Connecting ? Shape::Pending : Shape::Token, dot, 4.0f, col);
        // Dots by path: the row names the path its dot's colour stands for.
        std::string path = p.st.color_by == TokenColor::MixPath && c.mix_index >= 0 ? p.view.mix_path(c.mix_index) : "";
        std::string_view word = path.empty() ? client_stage_word(c.stage) : std::string_view(path);
        if (c.role != trace::ClientRole::Good) {
            p.text({min.x + 24, y}, max.x - 6, colors::kTextWarn, "{}  {}", client_label(c), word);
        } else {
            p.text_fit({min.x + 24, y}, max.x - 6, colors::kText,
                       {fmt::format("{} {}  {}", client_label(c), request_label(c, path.empty() ? LabelForm::Full : LabelForm::Short), word),
                        fmt::format("{} {}  {}", client_label(c), request_label(c, LabelForm::Short), word),
                        fmt::format("{}  {}", client_label(c), word)});
        }
        p.item(TopoItemKind::LoadClient, c.pid, id, {min.x + 2, y - 1}, {max.x - 2, y + p.row_h - 1});
        const Connection* server = w.server_side(c);
        p.st.client_rows.push_back({server ? server->id : 0, {max.x, dot.y}});
        y += p.row_h;
        ++shown;
    }
    if (shown < w.clients.size()) p.text({min.x + 24, y}, max.x - 6, colors::kTextDim, "+{} more", w.clients.size() - shown);

    // What the tokens' colours say: the client knows which path it asked for.
    ImGui::SetCursorScreenPos({min.x + 6, max.y - 2 * p.row_h - 4});
    ImGui::TextDisabled("dots by:");
    ImGui::SetCursorScreenPos({min.x + 6, max.y - p.row_h - 4});
    int mode = static_cast<int>(p.st.color_by);
    ImGui::RadioButton("stage", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("path", &mode, 1);
    p.st.color_by = static_cast<TokenColor>(mode);
}

// Until the client emits its own events, a client is what the server saw: an
// open connection and its peer port (the client's local port).
void draw_clients(Painter& p, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    if (!w.clients.empty()) {
        draw_load_clients(p, min, max);
        return;
    }
    float y = draw_box(p.dl, min, max, p.fmt("Clients ({} connected)", w.connections.size()), colors::kBoxBorder);
    p.item(TopoItemKind::Client, 0, 0, min, max);
    y += p.text_wrapped({min.x + 8, y}, max.x - 6, colors::kTextDim, "seen from the server (names, or peer ports)") + 7;
    std::size_t fit = static_cast<std::size_t>(std::max(0.0f, (max.y - y - p.row_h) / p.row_h));
    std::size_t shown = 0;
    for (const auto& [id, c] : w.connections) {
        if (shown == fit) break;
        ImVec2 dot{min.x + 14, y + p.line_h * 0.5f};
        draw_shape(p.dl, Shape::Token, dot, 4.0f, stage_color(c.stage));
        // A named request (a lesson's A, B…) by its name, its port beside it.
        const std::string label = connection_label(w, c);
        const std::string port = fmt::format(":{}", c.peer_port);
        if (label == port) {
            p.text({min.x + 24, y}, max.x - 6, colors::kText, "{} {}", port, stage_word(c.stage));
        } else {
            p.text_fit({min.x + 24, y}, max.x - 6, colors::kText,
                       {fmt::format("{}  {}  {}", label, stage_word(c.stage), port), fmt::format("{}  {}", label, stage_word(c.stage))});
        }
        p.item(TopoItemKind::Client, c.owner, id, {min.x + 2, y - 1}, {max.x - 2, y + p.row_h - 1});
        p.st.client_rows.push_back({id, {max.x, dot.y}});
        y += p.row_h;
        ++shown;
    }
    if (shown < w.connections.size()) {
        p.text({min.x + 24, y}, max.x - 6, colors::kTextDim, "+{} more", w.connections.size() - shown);
    } else if (w.connections.empty()) {
        p.text({min.x + 8, y}, max.x - 6, colors::kTextDim, "no open connections");
    }
}

// ============================================================================
// [SECTION] Listener and accept queue
// ============================================================================

void draw_listener(Painter& p, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    const trace::Listener& l = w.listener;
    std::int64_t port = l.sockets.empty() ? 0 : l.sockets.front().port;
    float y = draw_box(p.dl, min, max, p.fmt("kernel: listen :{}", port), colors::kKernelBorder);
    p.item(TopoItemKind::Listener, 0, 0, min, max);
    p.st.queue_head = {max.x - 6 - token_r(), y + p.row_h};
    if (w.arbiter.stopped) {
        // Its socket is closed: no queue to show, and new connections are refused.
        p.text_wrapped({min.x + 8, y}, max.x - 6, colors::kTextWarn, "closed: the arbiter has shut down, so connecting fails");
        return;
    }
    ImU32 qcol = l.queue_len > 0 ? colors::kTextWarn : colors::kText;
    if (l.sampled_ns) {
        // Compare's compact boxes are narrower: the backlog goes before the count does.
        p.text_fit({min.x + 8, y}, max.x - 6, qcol,
                   {fmt::format("accept queue  {} / {}", l.queue_len, l.backlog),
                    fmt::format("accept queue  {}", l.queue_len), fmt::format("queue  {}", l.queue_len)});
    } else {
        y += std::max(p.row_h, p.text_wrapped({min.x + 8, y}, max.x - 6, colors::kTextDim, "accept queue  (not sampled)")) -
             p.row_h;  // wrapped in a narrow box
    }
    y += p.row_h + 2;

    // The queue as slots: hollow circles are connections the kernel holds for
    // us; the first slot is the one the next accept() takes.
    float slot = 2 * token_r() + 6;
    ImVec2 qmin{min.x + 8, y}, qmax{max.x - 8, y + slot + 4};
    p.dl->AddRect(qmin, qmax, colors::kKernelBorder, 3.0f);
    std::size_t cap = static_cast<std::size_t>(std::max(1.0f, (qmax.x - qmin.x - 30) / slot));
    std::size_t pending = static_cast<std::size_t>(std::max<std::int64_t>(0, l.queue_len));
    std::size_t drawn = std::min(pending, cap);
    // The head is on the right, next to the workers: tokens leave the queue towards them.
    for (std::size_t i = 0; i < drawn; ++i) {
        ImVec2 c{qmax.x - 6 - token_r() - static_cast<float>(i) * slot, (qmin.y + qmax.y) * 0.5f};
        draw_shape(p.dl, Shape::Pending, c, token_r(), colors::kPending);
        p.item(TopoItemKind::Pending, 0, i, {c.x - slot / 2, qmin.y}, {c.x + slot / 2, qmax.y});
    }
    if (pending > drawn) p.text({qmin.x + 3, qmin.y + 2}, qmax.x, colors::kTextWarn, "+{}", pending - drawn);
    p.st.queue_head = {qmax.x - 6 - token_r(), (qmin.y + qmax.y) * 0.5f};
    y = qmax.y + 4;

    // Wrapped: after a few thousand connections the two counts outgrow the box's width.
    y += std::max(p.row_h, p.text_wrapped({min.x + 8, y}, max.x - 6, colors::kTextDim, "accepted {}  EAGAIN {}",
                                          l.accepts, l.eagains));
    if (const Process* last = l.last_accept_pid ? w.process(l.last_accept_pid) : nullptr) {
        p.text_wrapped({min.x + 8, y}, max.x - 6, colors::kTextDim, "last accept: {}", worker_name(*last));
    }
}

// ============================================================================
// [SECTION] Arbiter
// ============================================================================

void draw_arbiter(Painter& p, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    const trace::Arbiter& a = w.arbiter;
    float y = draw_box(p.dl, min, max, nullptr, a.stopped ? colors::kBoxBorderBad : colors::kBoxBorder);
    y = min.y + p.row_h + 1;
    if (a.stopped) {  // after TERM nothing stale: no worker counts, no heartbeats to wait for
        p.text_fit({min.x + 6, min.y + 3}, max.x - 6, colors::kTextBad,
                   {fmt::format("arbiter (master) pid {}  ·  stopped: it shut its workers down and exited  ·  spawned {}  "
                                "reaped {}",
                                a.pid, a.spawns, a.reaps),
                    fmt::format("arbiter pid {}  ·  stopped  ·  spawned {}  reaped {}", a.pid, a.spawns, a.reaps),
                    std::string("arbiter: stopped")});
        p.item(TopoItemKind::Arbiter, a.pid, static_cast<std::uint64_t>(a.pid), min, max);
        p.text_fit({min.x + 8, y}, max.x - 8, colors::kTextDim,
                   {"no workers left, so no heartbeats (Restart engine in Controls starts a new arbiter)", "no workers left"});
        return;
    }
    if (a.pid == 0) {  // a new engine whose first events have not come in yet (a restart, a lesson's scenario)
        p.text_fit({min.x + 6, min.y + 3}, max.x - 6, colors::kTextDim,
                   {"arbiter (master): the engine is starting", "arbiter: starting"});
        p.item(TopoItemKind::Arbiter, 0, 0, min, max);  // its box is there: a lesson may point at it already
        return;
    }
    p.text_fit({min.x + 6, min.y + 3}, max.x - 6, colors::kText,
               {fmt::format("arbiter (master) pid {}  ·  workers {} / {} wanted  ·  spawned {}  reaped {}  timeouts {}",
                            a.pid, a.workers_live, a.workers_wanted, a.spawns, a.reaps, a.timeouts),
                fmt::format("arbiter pid {}  ·  workers {} / {}  ·  spawned {}  reaped {}  timeouts {}", a.pid,
                            a.workers_live, a.workers_wanted, a.spawns, a.reaps, a.timeouts),
                fmt::format("arbiter pid {}  ·  workers {} / {}", a.pid, a.workers_live, a.workers_wanted),
                fmt::format("arbiter  ·  {} / {}", a.workers_live, a.workers_wanted)});
    p.item(TopoItemKind::Arbiter, a.pid, static_cast<std::uint64_t>(a.pid), min, max);
    // Heartbeats: how long each worker has been silent (the arbiter's murder_workers reads this).
    float x = min.x + 8;
    draw_text(p.dl, {x, y}, colors::kTextDim, "heartbeats:");
    x += ImGui::CalcTextSize("heartbeats:").x + 8;
    for (const Process* wk : w.workers()) {
        const char* s = p.fmt("w{} {} ago", wk->worker_age, Dur(wk->silence_ns(w.now_ns, &w.gate)).sv());
        float tw = ImGui::CalcTextSize(s).x;
        if (x + tw > max.x - 8) break;
        draw_text(p.dl, {x, y}, colors::kHeartbeat, s);
        note_highlight(fmt::format("worker {} heartbeat", wk->worker_age), x, y, x + tw, y + ImGui::GetTextLineHeight());
        x += tw + 14;
    }
    // The latest signal or reap, at the right of the same line.
    const char* last = nullptr;
    if (!a.signals.empty()) {
        const trace::SignalRecord& r = a.signals.back();
        last = p.fmt("last signal: {} {} ago", trace::signal_name(r.signo), Dur(since(w, r.received_ns)).sv());
    } else if (!w.gone.empty()) {
        const Process& g = w.gone.back();
        last = p.fmt("last reaped: {} (status {})", worker_name(g), g.reap_status.value_or(0));
    }
    if (last) {
        float lw = ImGui::CalcTextSize(last).x;
        if (max.x - 8 - lw > x) draw_text(p.dl, {max.x - 8 - lw, y}, colors::kTextWarn, last);
    }
}

// ============================================================================
// [SECTION] Hover and menus
// ============================================================================

std::string explain_item(const World& w, const TopologyState& st, const TopoItem& it) {
    const Process* proc = it.pid ? w.process(it.pid) : nullptr;
    switch (it.kind) {
        case TopoItemKind::Client:
            if (it.id == 0) {
                return "The clients: every open connection the server has, by the client's port. "
                       "Colour = where its request is now (see the legend).";
            }
            [[fallthrough]];
        case TopoItemKind::Token:
            if (const Connection* c = w.connection(it.id)) return explain_connection(w, *c);
            return "a connection that just closed";
        case TopoItemKind::LoadClient: {
            auto c = w.clients.find(it.id);
            return c != w.clients.end() ? explain_client(w, c->second) : "a client connection that just closed";
        }
        case TopoItemKind::Listener: return explain_listener(w);
        case TopoItemKind::Pending: return explain_pending(w, it.id);
        case TopoItemKind::Arbiter: return explain_arbiter(w);
        case TopoItemKind::Worker: return proc ? explain_worker(w, *proc) + "\n(right-click: kill it)" : "";
        case TopoItemKind::Thread:
            if (proc) {
                if (const trace::Thread* th = proc->thread(static_cast<pid_t>(it.id))) return explain_thread(w, *proc, *th);
            }
            return "";
        case TopoItemKind::Greenlet:
            if (proc) {
                auto g = proc->greenlets.find(static_cast<std::uint32_t>(it.id));
                if (g != proc->greenlets.end()) return explain_greenlet(w, *proc, g->second, st.green_conns.conn_of(proc->pid, g->first));
            }
            return "";
        case TopoItemKind::PollFd: return proc ? explain_poll_fd(w, *proc, static_cast<std::int64_t>(it.id)) : "";
        case TopoItemKind::PoolQueue: return proc ? explain_pool_queue(w, *proc) : "";
        case TopoItemKind::KeepAlive: return proc ? explain_keepalive(w, *proc) : "";
        case TopoItemKind::Gil: return proc ? explain_gil(w, *proc) : "";
    }
    return "";
}

void hover_and_menus(Painter& p, Actions& actions) {
    TopologyState& st = p.st;
    const TopoItem* hovered = nullptr;
    if (ImGui::IsWindowHovered()) {
        ImVec2 m = ImGui::GetIO().MousePos;
        // Later items sit on top (tokens last, boxes before their rows).
        for (auto it = st.items.rbegin(); it != st.items.rend(); ++it) {
            if (point_in(m, iv(it->min), iv(it->max))) {
                hovered = &*it;
                break;
            }
        }
    }
    if (hovered) {
        st.tooltip = explain_item(p.world(), st, *hovered);
        p.dl->AddRect(iv(hovered->min), iv(hovered->max), colors::kHover, 3.0f);
        if (!st.tooltip.empty()) {
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32);
            ImGui::TextUnformatted(st.tooltip.c_str());
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
        }
        const bool request_item = hovered->kind == TopoItemKind::Token || hovered->kind == TopoItemKind::Client ||
                                  hovered->kind == TopoItemKind::LoadClient;
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && request_item && hovered->id != 0) {
            Action select{Action::Kind::SelectRequest};
            select.conn = hovered->id;  // its request's passport
            actions.push_back(select);
        }
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Right) &&
            (hovered->kind == TopoItemKind::Worker || hovered->kind == TopoItemKind::Arbiter)) {
            st.menu_pid = hovered->pid;
            ImGui::OpenPopup("topology_menu");
        }
    }
    if (ImGui::BeginPopup("topology_menu")) {
        const Process* proc = p.world().process(st.menu_pid);
        if (proc && proc->role == trace::ProcessRole::Worker) {
            if (ImGui::MenuItem(p.fmt("kill -9 {} (pid {})", worker_name(*proc), proc->pid))) {
                actions.push_back({Action::Kind::KillWorker, SIGKILL, proc->pid});
            }
            ImGui::Separator();
        }
        if (ImGui::MenuItem("TTIN: one more worker")) actions.push_back({Action::Kind::SignalArbiter, SIGTTIN});
        if (ImGui::MenuItem("TTOU: one worker fewer")) actions.push_back({Action::Kind::SignalArbiter, SIGTTOU});
        if (ImGui::MenuItem("HUP: reload, new workers")) actions.push_back({Action::Kind::SignalArbiter, SIGHUP});
        ImGui::EndPopup();
    }
}

}  // namespace
}  // namespace topo

// ============================================================================
// [SECTION] draw_topology
// ============================================================================

void draw_topology(const View& view, TopologyState& st, Actions& actions) {
    using namespace topo;
    ++st.frame;
    st.items.clear();
    st.client_rows.clear();
    st.tooltip.clear();
    st.tokens_drawn = st.tokens_hidden = st.tokens_ducked = 0;
    // The texts drawn here, for draw_tokens: the layout checker's list when one
    // is installed, this panel's own otherwise.
    TextLayout* outer = text_layout();
    if (!outer) {
        st.texts.texts.clear();
        st.texts.tokens.clear();
        set_text_layout(&st.texts);
    }
    const TextLayout& noted = outer ? *outer : st.texts;
    const std::size_t first_text = noted.texts.size();
    st.green_conns.update(view.rec);

    Painter p{ImGui::GetWindowDrawList(), view, st, ImGui::GetTextLineHeight(), ImGui::GetTextLineHeight() + 5, {}};
    ImVec2 o = ImGui::GetCursorScreenPos();
    ImVec2 avail = ImGui::GetContentRegionAvail();
    avail.x = std::max(avail.x, 640.0f);
    avail.y = std::max(avail.y, st.min_height);

    const float gap = 16;
    // The clients column as wide as its widest row, the listener as its widest line.
    float clients_w = std::clamp(ImGui::CalcTextSize("vu00 :00000  connecting").x + 40, 150.0f, avail.x * 0.22f);
    float listener_w = std::clamp(ImGui::CalcTextSize("accept queue  000 / 0000").x + 30, 150.0f, avail.x * 0.2f);
    ImVec2 cl_min = o, cl_max{o.x + clients_w, o.y + avail.y};
    float lx = cl_max.x + gap;
    float ly = o.y + std::max(8.0f, avail.y * 0.2f);
    ImVec2 li_min{lx, ly}, li_max{lx + listener_w, ly + 6 * p.row_h + 24};
    float rx = li_max.x + gap * 1.5f;
    ImVec2 ar_min{rx, o.y}, ar_max{o.x + avail.x, o.y + 2 * p.row_h + 12};
    ImVec2 wk_min{rx, ar_max.y + 10}, wk_max{o.x + avail.x, o.y + avail.y};

    draw_clients(p, cl_min, cl_max);
    draw_listener(p, li_min, li_max);
    // clients → listener: every connection starts as a SYN to the listening socket.
    p.dl->AddLine({cl_max.x, (li_min.y + li_max.y) * 0.5f}, {li_min.x, (li_min.y + li_max.y) * 0.5f}, colors::kWire, 2.0f);
    draw_arbiter(p, ar_min, ar_max);
    draw_workers(p, wk_min, wk_max);
    draw_tokens(p, noted, first_text);
    if (!outer) set_text_layout(nullptr);
    hover_and_menus(p, actions);

    ImGui::SetCursorScreenPos(o);  // the clients column may have placed widgets; claim from the top
    ImGui::Dummy(avail);           // the space drawn over, so the window scrolls if it is smaller
}

}  // namespace minicorn::studio
