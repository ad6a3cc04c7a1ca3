// engine/lesson/measures_capacity.cpp — measures of what limits a worker's
// capacity, over its history in the Recording or its state now: how long its
// threads waited for the GIL, how many responses it kept alive and how many
// connections it closed, how many of its pool threads are busy, and how close
// together the workers the server started with restarted (max_requests);
// and their rows of the vocabulary table (capacity_measures()).
#include <algorithm>

#include "engine/lesson/measures_internal.h"

namespace minicorn::lesson::detail {

namespace {

// Events of `kind` the worker emitted, over its whole life so far.
std::int64_t worker_events(const Context& ctx, const trace::Process& p, trace::EventKind kind) {
    std::int64_t n = 0;
    if (const trace::Recording::Index* idx = ctx.rec.by_pid(p.pid)) {
        for (std::uint32_t i : *idx) n += ctx.rec[i].kind == kind ? 1 : 0;
    }
    return n;
}

// When a worker ended: its "Worker exiting", else its reap (0: still alive).
std::uint64_t ended_ns(const trace::Process& p) { return p.exit_ns != 0 ? p.exit_ns : p.reaped_ns; }

}  // namespace

Measured m_gil_wait(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return seconds(static_cast<double>(p->gil.waited_ns) / 1e9);
}

Measured m_kept_alive(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return count(worker_events(ctx, *p, trace::EventKind::KeepAlivePark));
}

Measured m_closed(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return count(worker_events(ctx, *p, trace::EventKind::Close));
}

Measured m_busy_threads(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    std::int64_t n = 0;
    for (const auto& [tid, t] : p->threads) {
        n += t.role == trace::ThreadRole::Pool && t.activity != trace::ThreadActivity::Idle ? 1 : 0;
    }
    return count(n);
}

// The first generation: the workers of the running master spawned before any
// of them ended. Known once every one of them has ended.
Measured m_restart_spread(const Context& ctx, std::span<const Arg>, std::string* why) {
    std::vector<const trace::Process*> mine;
    auto consider = [&](const trace::Process& p) {
        if (p.role == trace::ProcessRole::Worker && p.spawn_ns >= ctx.world.arbiter.started_ns) mine.push_back(&p);
    };
    for (const auto& [pid, p] : ctx.world.processes) consider(p);
    for (const trace::Process& p : ctx.world.gone) consider(p);
    std::uint64_t first_end = 0;
    for (const trace::Process* p : mine) {
        if (ended_ns(*p) != 0) first_end = first_end == 0 ? ended_ns(*p) : std::min(first_end, ended_ns(*p));
    }
    if (first_end == 0) {
        *why = "no worker has restarted yet";
        return std::nullopt;
    }
    std::uint64_t last_end = first_end;
    for (const trace::Process* p : mine) {
        if (p->spawn_ns >= first_end) continue;  // a replacement, not one of the first
        if (ended_ns(*p) == 0) {
            *why = "worker " + std::to_string(p->worker_age) + " has not restarted yet";
            return std::nullopt;
        }
        last_end = std::max(last_end, ended_ns(*p));
    }
    return seconds(engine_seconds(ctx, first_end, last_end));
}

std::vector<MeasureDef> capacity_measures() {
    using P = Param;
    using T = ValueType;
    return {
        {"gil_wait", {P::Worker}, T::Duration, {},
         "how long its threads waited for the GIL, all added up, over its life so far (0 with --gil off)",
         "gil_wait(worker 1) >= 1s", m_gil_wait},
        {"kept_alive", {P::Worker}, T::Count, {},
         "how many responses it sent and then kept the connection open for the next request (keep-alive)",
         "kept_alive(worker 1) >= 5", m_kept_alive},
        {"closed", {P::Worker}, T::Count, {}, "how many connections it has closed so far", "closed(worker 1) >= 3",
         m_closed},
        {"busy_threads", {P::Worker}, T::Count, {},
         "its pool threads working on a connection now (gthread; the main thread not counted)",
         "busy_threads(worker 2) == 0", m_busy_threads},
        {"restart_spread", {}, T::Duration, {},
         "from the first to the last exit of the workers the master started with (known once they all "
         "restarted, e.g. after --max-requests)",
         "restart_spread < 0.5s", m_restart_spread},
    };
}

}  // namespace minicorn::lesson::detail
