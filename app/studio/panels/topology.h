// app/studio/panels/topology.h — the Topology panel: where every connection
// and request is right now.
//
//   clients ──▶ listen socket + the kernel's accept queue ──▶ arbiter
//                                                            └─ workers: the
//   model's insides (sync loop, gthread poller/queue/threads, the hub's poll
//   list and greenlets, the IOLoop), with requests as tokens that glide
//   between those places as their events arrive.
//
// Draws into the current ImGui window (the caller owns Begin/End) and takes
// the space left in it. Hovering any box, row or token shows what it is in
// plain words (draw/explain.h). Right-clicking a worker or the arbiter offers
// kill -9 (Action KillWorker) and TTIN / TTOU / HUP (Action SignalArbiter).
//
// A token is an open connection: its colour is its stage (or, by choice, the
// path of minicorn load's mix it asked for); it sits on the row of whatever
// serves it — a thread, a greenlet, the loop, the executor queue, a poll-list
// fd — and eases there over `ease_s` when that changes. Every frame also reads
// the events appended to view.rec since the last one (GreenConnIndex), at
// most 60k of them.
//
// Thread affinity: the studio's main thread (ImGui's).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "app/studio/draw/green_index.h"
#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

// A point in screen pixels (kept free of imgui.h so callers need not include it).
struct Point {
    float x = 0;
    float y = 0;
};

// What one drawn thing is, for hovering and for tests.
enum class TopoItemKind : std::uint8_t {
    Client,       // a client, as the server saw it: an open connection (id = server conn; 0: the column)
    LoadClient,   // a connection of minicorn load, from its own events (id = the client's conn id)
    Listener,     // the listening socket and its accept queue
    Pending,      // one connection waiting in the accept queue (id = position)
    Arbiter,      // the master (id = pid)
    Worker,       // a worker box (id = pid)
    Thread,       // an OS thread of a worker (id = tid, pid = its process)
    Greenlet,     // a greenlet (id = green id, pid = its process)
    PollFd,       // an fd in a poll list (id = fd, pid = its process)
    PoolQueue,    // gthread's executor queue (pid)
    KeepAlive,    // the poll-list / keep-alive summary line (pid)
    Gil,          // the GIL line (pid)
    Token,        // a request / connection token (id = conn)
};

struct TopoItem {
    TopoItemKind kind;
    pid_t pid = 0;
    std::uint64_t id = 0;
    Point min, max;  // screen rectangle
};

// Per-token animation: where it was, where it goes, since when.
struct TokenAnim {
    Point from, to;
    double moved_at = 0;     // ImGui time (s) when `to` changed
    std::uint64_t seen = 0;  // the frame it was last placed in
    Point target;            // this frame's best place so far
    int priority = -1;       // of `target`: a thread/greenlet row beats a poll-list row
};

// What a token's colour says.
enum class TokenColor : std::uint8_t {
    Stage,    // where its request is (reading, handling, …): always known
    MixPath,  // which path of minicorn load's mix it asked for (#1, #2, …): known only when the client traces
};

struct TopologyState {
    TokenColor color_by = TokenColor::Stage;
    // Tokens by connection id; entries not placed this frame are dropped.
    std::unordered_map<std::uint64_t, TokenAnim> tokens;
    std::uint64_t frame = 0;
    float ease_s = 0.15f;    // how long a token takes to move between places
    float min_height = 320;  // the least height laid out (below it the window scrolls); Compare's panels take less

    // Rebuilt every frame (capacity kept): everything drawn with a hover area.
    std::vector<TopoItem> items;
    // The hovered item's explanation this frame ("" when nothing is hovered).
    std::string tooltip;
    // Connections placed in a row this frame, and those that did not fit (shown as "+N").
    std::size_t tokens_drawn = 0;
    std::size_t tokens_hidden = 0;
    // Tokens in flight not drawn this frame because they crossed a text (they reappear past it).
    std::size_t tokens_ducked = 0;
    // This frame's texts, when no layout checker collects them (a moving token never goes over one).
    TextLayout texts;
    // The worker whose context menu (right click) is open.
    pid_t menu_pid = 0;
    // Which connection each greenlet serves (the trace's phase events do not say).
    GreenConnIndex green_conns;
    // Scratch buffers, kept so a frame does not allocate.
    std::vector<std::pair<std::uint64_t, Point>> client_rows;        // (server conn, 0: the queue; the row's right edge)
    Point queue_head;                                                 // where new tokens come from

    // How many of each kind were drawn this frame (for tests and the status line).
    std::size_t count(TopoItemKind kind) const;
};

// Draws the topology of `view.world` into the current window.
void draw_topology(const View& view, TopologyState& state, Actions& actions);

}  // namespace minicorn::studio
