// app/studio/panels/timeline_hover.cpp — what the Timeline says under the
// mouse: a lane, a span, a running burst (timeline.h; the hover is step 6 of
// a frame, timeline.cpp).
#include <fmt/format.h>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/panels/timeline_parts.h"

namespace minicorn::studio::timeline_detail {

namespace {
std::string lane_name(const World& w, const Lane& L) {
    char label[64];
    lane_label(w, L, label);
    std::string_view name(label);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    return std::string(name);
}

// What waiting on `b.on` means, for the learner.
const char* wait_meaning(WaitOn on) {
    switch (on) {
        case WaitOn::Timer: return "the app sleeps (time.sleep, a timeout): the hub runs other greenlets meanwhile";
        case WaitOn::Event: return "it waits on a timer or an event, such as a free slot in the pool";
        case WaitOn::FdRead: return "it waits for bytes to read on that socket; the hub's poller watches the fd for it";
        case WaitOn::FdWrite: return "it waits for room to write on that socket; the hub's poller watches the fd for it";
        case WaitOn::Poll: return "nothing to do: the thread sleeps in select()/poll()/epoll_wait until an fd is ready or a timer is due";
        case WaitOn::PoolSlot: return "every pool slot is busy (worker_connections): the main thread waits for a request to finish";
        case WaitOn::Work: return "a pool thread with nothing to do: it waits on the executor's queue";
        case WaitOn::Gil: return "it waits for the GIL: another thread runs Python code";
        case WaitOn::Io: return "it let the GIL go to sleep or do I/O; another thread may run Python code";
        case WaitOn::Gate: return "the gate is closed (paused): it let the GIL go while it waits for a step";
        case WaitOn::Greenlet: return "";
        case WaitOn::Nothing: break;
    }
    return "";
}
}  // namespace

std::string explain_lane(const World& w, const Lane& L, const GreenConnIndex& greens) {
    if (L.kind == Lane::Kind::Queue) return explain_listener(w);
    if (L.kind == Lane::Kind::Client) {
        auto c = w.clients.find(L.client);
        if (c != w.clients.end()) return explain_client(w, c->second);
        return "a connection of minicorn load, closed by the window's end";
    }
    const trace::Process* p = w.process(L.pid);
    if (!p) return fmt::format("process {} (gone)", L.pid);
    switch (L.kind) {
        case Lane::Kind::Process:
            if (L.pid == w.arbiter.pid) return explain_arbiter(w);
            if (p->role == trace::ProcessRole::Client) {
                return fmt::format("minicorn load (pid {}), the built-in client: {} virtual users; {} requests sent, {} "
                                   "answered. Its connections have lanes of their own below.",
                                   p->pid, w.client.virtual_users, w.client.sent, w.client.done);
            }
            return explain_worker(w, *p);
        case Lane::Kind::Thread:
            if (const trace::Thread* th = p->thread(L.tid)) return explain_thread(w, *p, *th);
            return fmt::format("thread {} of {} (exited)", L.tid, worker_name(*p));
        case Lane::Kind::Greenlet: {
            auto g = p->greenlets.find(L.green);
            if (g != p->greenlets.end()) return explain_greenlet(w, *p, g->second, greens.conn_of(L.pid, L.green));
            return fmt::format("greenlet {} of {}: finished by the window's end", L.green, worker_name(*p));
        }
        case Lane::Kind::Queue:
        case Lane::Kind::Client: break;
    }
    return "";
}

std::string explain_span(const World& w, const Lane& L, const Span& s, std::uint64_t origin_ns) {
    std::string name = lane_name(w, L);
    auto rel = [origin_ns](std::uint64_t t) { return static_cast<double>(t - std::min(t, origin_ns)) / 1e6; };
    if (s.count > 1) {
        return fmt::format("{}: {} steps in {} ({:.3f} .. {:.3f} ms), each narrower than a pixel.\n"
                           "Zoom in (ctrl+wheel) to tell them apart.",
                           name, s.count, format_duration(s.t1 - s.t0), rel(s.t0), rel(s.t1));
    }
    std::string text = fmt::format("{}: {} for {} ({:.3f} .. {:.3f} ms)", name, lane_span_label(L, s.kind),
                                   format_duration(s.t1 - s.t0), rel(s.t0), rel(s.t1));
    if (L.kind == Lane::Kind::Client) {
        if (s.req) text += fmt::format("\nthe request: {}", request_label(s.req, 0));
        text += "\nthe client's side of the request (same colour as the server's step it waits on)";
        if (s.req) text += "; the arrow points to where the server handles it";
        return text;
    }
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
    if (s.req) text += fmt::format("\nthe request: {} (server id {})", request_label(0, s.req), trace::format_id(s.req));
    return text;
}

std::string explain_burst(const World& w, const Lane& L, const Burst& b) {
    std::string name = lane_name(w, L);
    std::string dur = format_duration(b.t1 - b.t0);
    if (b.count > 1) {
        return fmt::format("{}: {} changes of state in {}, each narrower than a pixel: it ran, parked and ran again.\n"
                           "Zoom in (ctrl+wheel) to see when it ran.",
                           name, b.count, dur);
    }
    std::string req = b.req ? request_label(0, b.req) : "";
    std::string what = b.step == SpanKind::Dense ? "" : fmt::format(" ({}{}{})", span_label(b.step), req.empty() ? "" : " ", req);
    bool green = L.kind == Lane::Kind::Greenlet;
    switch (b.state) {
        case RunState::Running:
            return fmt::format("{}: running for {}{}\n{}", name, dur, what,
                               green ? "solid: this greenlet has the thread; the hub and every other greenlet of the worker wait until it parks"
                                     : "solid: this thread runs");
        case RunState::Ready:
            if (b.on == WaitOn::Greenlet) {
                return fmt::format("{}: waits for {} while g#{} runs\nthin line: a greenlet runs until it parks (an fd, a "
                                   "timer); only then does the hub get the thread back",
                                   name, dur, b.detail);
            }
            return fmt::format("{}: ready for {}{}\nthin line: woken (its fd is ready, or its timer is due) and waits "
                               "for the hub to switch to it",
                               name, dur, what);
        case RunState::Parked:
            return fmt::format("{}: {} for {}{}\nempty: {}", name, wait_words(b, true), dur, what, wait_meaning(b.on));
        case RunState::None: break;
    }
    return "";
}

}  // namespace minicorn::studio::timeline_detail
