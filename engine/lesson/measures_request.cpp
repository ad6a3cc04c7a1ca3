// engine/lesson/measures_request.cpp — measures of one named request: what
// the runner saw on its socket (finished, dropped, status, latency) and what
// the trace says the server did with it (waiting, running, parked, and what
// its worker did meanwhile).
#include <algorithm>
#include <set>

#include "engine/lesson/measures_internal.h"
#include "engine/trace/kinds.h"
#include "engine/trace/region.h"

namespace minicorn::lesson::detail {

namespace {

const RequestRecord* sent(const Context& ctx, const Arg& a, std::string* why) {
    const RequestRecord* r = request_of(ctx, a);
    if (r == nullptr || r->sent_ns == 0) *why = a.text + " has not been sent yet";
    return r != nullptr && r->sent_ns != 0 ? r : nullptr;
}

// The greenlet serving the request's connection in its worker, if any: the
// last greenlet an event about that connection names (GreenSpawn, GreenPark…).
// (World's Greenlet::conn is not filled by the fold, so the Recording says.)
const trace::Greenlet* greenlet_of(const Context& ctx, const ServerSide& ss) {
    const trace::Process* p = ctx.world.process(ss.pid);
    const trace::Recording::Index* idx = ctx.rec.by_conn(ss.conn);
    if (p == nullptr || idx == nullptr) return nullptr;
    for (auto it = idx->rbegin(); it != idx->rend(); ++it) {
        const trace::Event& e = ctx.rec[*it];
        if (e.green == 0 || trace::info(e.kind).family != trace::Family::Green) continue;
        auto g = p->greenlets.find(e.green);
        return g == p->greenlets.end() ? nullptr : &g->second;
    }
    return nullptr;
}

// Events of `kind` from the worker that ran the request, while its handler ran.
Measured count_during(const Context& ctx, const Arg& a, trace::EventKind kind, std::string* why) {
    const ServerSide* ss = server_of(ctx, a);
    const std::uint64_t start = ss ? request_event_time(ctx, ss->req, trace::EventKind::HandlerStart) : 0;
    const std::uint64_t end = ss ? request_event_time(ctx, ss->req, trace::EventKind::HandlerEnd) : 0;
    if (end == 0) {
        *why = a.text + "'s handler has not returned yet";
        return std::nullopt;
    }
    std::int64_t n = 0;
    if (const trace::Recording::Index* idx = ctx.rec.by_pid(ss->pid)) {
        for (std::uint32_t i : *idx) {
            const trace::Event& e = ctx.rec[i];
            if (e.t_ns >= start && e.t_ns <= end && e.kind == kind) ++n;
        }
    }
    return count(n);
}

}  // namespace

Measured m_finished(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = sent(ctx, args[0], why);
    if (r == nullptr) return yes_no(false);
    return yes_no(r->complete);
}

Measured m_dropped(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = sent(ctx, args[0], why);
    return yes_no(r != nullptr && r->done_ns != 0 && !r->got_bytes);
}

Measured m_status(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = sent(ctx, args[0], why);
    if (r == nullptr) return std::nullopt;
    if (r->done_ns == 0) {
        *why = args[0].text + " has not finished";
        return std::nullopt;
    }
    return count(r->status);
}

Measured m_latency(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = sent(ctx, args[0], why);
    if (r == nullptr) return std::nullopt;
    if (!r->complete) {
        *why = args[0].text + (r->done_ns ? " got no whole response" : " has not finished");
        return std::nullopt;
    }
    return seconds(engine_seconds(ctx, r->sent_ns, r->done_ns));  // the stopwatch, less the pauses
}

Measured m_elapsed(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = sent(ctx, args[0], why);
    if (r == nullptr) return std::nullopt;
    const std::uint64_t end = r->done_ns ? r->done_ns : trace::now_ns();
    return seconds(engine_seconds(ctx, r->sent_ns, end));
}

Measured m_waiting(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = sent(ctx, args[0], why);
    if (r == nullptr || r->done_ns != 0) return yes_no(false);
    const ServerSide* ss = server_of(ctx, args[0]);
    return yes_no(ss == nullptr || request_event_time(ctx, ss->req, trace::EventKind::HandlerStart) == 0);
}

Measured m_running(const Context& ctx, std::span<const Arg> args, std::string*) {
    const ServerSide* ss = server_of(ctx, args[0]);
    const trace::Connection* c = ss ? ctx.world.connection(ss->conn) : nullptr;
    if (c == nullptr || c->stage != trace::ConnStage::Handling || c->req != ss->req) return yes_no(false);
    // Who has the hub's thread: the greenlet the last switch went to, or
    // the one whose park ended at once (its fd was ready: GreenWake with no
    // switch, which the World's fold leaves as "ready", not running). Wakes
    // and spawns of other greenlets along the way do not take the thread.
    const trace::Greenlet* g = greenlet_of(ctx, *ss);
    if (g == nullptr) return yes_no(true);
    const trace::Recording::Index* idx = ctx.rec.by_pid(ss->pid);
    for (auto it = idx->rbegin(); it != idx->rend(); ++it) {
        const trace::Event& e = ctx.rec[*it];
        if (trace::info(e.kind).family != trace::Family::Green) continue;
        const bool other = e.green != g->id;
        if (other && (e.kind == trace::EventKind::GreenWake || e.kind == trace::EventKind::GreenSpawn)) continue;
        return yes_no(!other && (e.kind == trace::EventKind::GreenSwitch || e.kind == trace::EventKind::GreenWake));
    }
    return yes_no(false);
}

Measured m_parked(const Context& ctx, std::span<const Arg> args, std::string*) {
    const ServerSide* ss = server_of(ctx, args[0]);
    const trace::Greenlet* g = ss ? greenlet_of(ctx, *ss) : nullptr;
    if (g == nullptr || g->state != trace::GreenState::Parked) return yes_no(false);
    const bool on_timer = g->fd < 0;
    return yes_no(args[1].text == "timer" ? on_timer : !on_timer);
}

Measured m_polls_during(const Context& ctx, std::span<const Arg> args, std::string* why) {
    return count_during(ctx, args[0], trace::EventKind::PollWait, why);
}

Measured m_heartbeats_during(const Context& ctx, std::span<const Arg> args, std::string* why) {
    return count_during(ctx, args[0], trace::EventKind::Heartbeat, why);
}

namespace {
// The workers that emitted a `kind` event (SelectWake: with something ready)
// while request `a` was in flight, `except` left out.
Measured workers_during(const Context& ctx, const Arg& a, trace::EventKind kind, pid_t except, std::string* why) {
    const RequestRecord* r = request_of(ctx, a);
    if (r == nullptr || r->done_ns == 0) {
        *why = a.text + " has not finished";
        return std::nullopt;
    }
    std::set<pid_t> who;
    const auto& events = ctx.rec.events();
    for (std::size_t i = ctx.rec.lower_bound(r->sent_ns); i < events.size() && events[i].t_ns <= r->done_ns; ++i) {
        const trace::Event& e = events[i];
        if (e.kind != kind || e.pid == except) continue;
        if (kind == trace::EventKind::SelectWake && e.a0 <= 0) continue;
        who.insert(e.pid);
    }
    return count(static_cast<std::int64_t>(who.size()));
}
}  // namespace

Measured m_woken_by(const Context& ctx, std::span<const Arg> args, std::string* why) {
    return workers_during(ctx, args[0], trace::EventKind::SelectWake, 0, why);
}

Measured m_lost_race(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const ServerSide* ss = server_of(ctx, args[0]);
    if (ss == nullptr) {
        *why = "no worker has read " + args[0].text + " yet";
        return std::nullopt;
    }
    return workers_during(ctx, args[0], trace::EventKind::AcceptEagain, ss->pid, why);
}

Measured m_worker_of(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const ServerSide* ss = server_of(ctx, args[0]);
    const trace::Process* p = ss ? ctx.world.process(ss->pid) : nullptr;
    if (p == nullptr) {
        *why = "no worker has read " + args[0].text + " yet";
        return std::nullopt;
    }
    return count(p->worker_age);
}

}  // namespace minicorn::lesson::detail
