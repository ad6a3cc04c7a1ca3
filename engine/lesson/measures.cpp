// engine/lesson/measures.cpp — the vocabulary's table (one row per measure:
// name, parameters, what it yields, meaning, example) and the helpers and
// server-wide measures the rows share. docs/lessons.md lists the same rows.
#include <algorithm>

#include "engine/lesson/measures_internal.h"

namespace minicorn::lesson {

namespace detail {

Value yes_no(bool b) { return Value{ValueType::Bool, b, 0, {}}; }
Value count(std::int64_t n) { return Value{ValueType::Count, false, static_cast<double>(n), {}}; }
Value seconds(double s) { return Value{ValueType::Duration, false, s, {}}; }
Value word(std::string_view w) { return Value{ValueType::Word, false, 0, std::string(w)}; }

const RequestRecord* request_of(const Context& ctx, const Arg& a) {
    auto it = ctx.requests.find(a.text);
    return it == ctx.requests.end() ? nullptr : &it->second;
}

const ServerSide* server_of(const Context& ctx, const Arg& a) {
    const RequestRecord* r = request_of(ctx, a);
    if (r == nullptr) return nullptr;
    auto it = ctx.server.find(r->id);
    return it == ctx.server.end() ? nullptr : &it->second;
}

const trace::Process* worker_of(const Context& ctx, const Arg& a, std::string* why) {
    for (const auto& [pid, p] : ctx.world.processes) {
        if (p.role == trace::ProcessRole::Worker && p.worker_age == a.n) return &p;
    }
    for (auto it = ctx.world.gone.rbegin(); it != ctx.world.gone.rend(); ++it) {
        if (it->role == trace::ProcessRole::Worker && it->worker_age == a.n) return &*it;
    }
    *why = "worker " + std::to_string(a.n) + " has not been spawned";
    return nullptr;
}

double engine_seconds(const Context& ctx, std::uint64_t from, std::uint64_t to) {
    return static_cast<double>(ctx.world.gate.engine_span(from, to)) / 1e9;
}

std::uint64_t request_event_time(const Context& ctx, std::uint64_t req, trace::EventKind kind) {
    const trace::Recording::Index* idx = ctx.rec.by_req(req);
    if (idx == nullptr) return 0;
    for (std::uint32_t i : *idx) {
        if (ctx.rec[i].kind == kind) return ctx.rec[i].t_ns;
    }
    return 0;
}

// ---------------------------------------------------------------------------
// The server as a whole

Measured m_accept_queue(const Context& ctx, std::span<const Arg>, std::string* why) {
    if (ctx.world.listener.sampled_ns == 0) {
        *why = "the accept queue has not been sampled yet";
        return std::nullopt;
    }
    return count(ctx.world.listener.queue_len);
}

Measured m_workers(const Context& ctx, std::span<const Arg>, std::string*) {
    std::int64_t n = 0;
    for (const trace::Process* p : ctx.world.workers()) {
        if (p->booted_ns != 0 && p->state != trace::ProcessState::TimedOut && p->state != trace::ProcessState::Exited) ++n;
    }
    return count(n);
}

Measured m_timeouts(const Context& ctx, std::span<const Arg>, std::string*) {
    return count(static_cast<std::int64_t>(ctx.world.arbiter.timeouts));
}

Measured m_client_requests(const Context& ctx, std::span<const Arg>, std::string*) {
    return count(static_cast<std::int64_t>(ctx.world.client.done));
}

Measured m_client_connections(const Context& ctx, std::span<const Arg>, std::string*) {
    return count(static_cast<std::int64_t>(ctx.world.client.connects));
}

Measured m_log_contains(const Context& ctx, std::span<const Arg> args, std::string*) {
    return yes_no(ctx.log.find(args[0].text) != std::string_view::npos);
}

}  // namespace detail

const std::vector<MeasureDef>& measures() {
    using P = Param;
    using T = ValueType;
    using namespace detail;
    static const std::vector<MeasureDef> table = [] {
        std::vector<MeasureDef> t = {
        // --- a named request (the runner's own view, joined to the server's by X-Request-Id) ---
        {"finished", {P::Request}, T::Bool, {}, "the whole response to the request came back", "finished(A)",
         m_finished},
        {"dropped", {P::Request}, T::Bool, {},
         "the connection ended without a single byte of response (the worker died, or closed it)", "dropped(A)",
         m_dropped},
        {"status", {P::Request}, T::Count, {}, "the response's HTTP status (0: the connection ended without one)",
         "status(A) == 200", m_status},
        {"latency", {P::Request}, T::Duration, {},
         "from connect to the last byte of the response: the client's stopwatch (wall time; time the gate "
         "was paused counts)",
         "latency(B) >= 1.8s", m_latency},
        {"elapsed", {P::Request}, T::Duration, {},
         "how long since the request was sent (its latency, once it ended): lets a step wait past a moment",
         "elapsed(A) >= 4s", m_elapsed},
        {"waiting", {P::Request}, T::Bool, {},
         "sent, but the application has not started on it: it waits in the accept queue, a pool's queue, or for "
         "its worker",
         "waiting(B)", m_waiting},
        {"running", {P::Request}, T::Bool, {},
         "the application is running it right now (not parked: its greenlet, if any, has the CPU)", "running(B)",
         m_running},
        {"parked", {P::Request, P::ParkOn}, T::Bool, {},
         "its greenlet is parked: on a timer (a patched sleep) or on a socket", "parked(A, timer)", m_parked},
        {"polls_during", {P::Request}, T::Count, {},
         "how many times the worker that ran it began a poll while its handler ran (known once the handler "
         "returned)",
         "polls_during(C) == 0", m_polls_during},
        {"heartbeats_during", {P::Request}, T::Count, {},
         "how many heartbeats the worker that ran it wrote while its handler ran (known once it returned)",
         "heartbeats_during(A) >= 2", m_heartbeats_during},
        {"woken_by", {P::Request}, T::Count, {},
         "how many workers woke from select() with something ready while the request was in flight — "
         "the thundering herd (known once it finished)",
         "woken_by(A) == 2", m_woken_by},
        {"lost_race", {P::Request}, T::Count, {},
         "how many workers other than the one that accepted it got EAGAIN from accept() while it was in flight "
         "(known once it finished)",
         "lost_race(A) >= 1", m_lost_race},
        {"worker_of", {P::Request}, T::Count, {}, "the number of the worker that accepted it", "worker_of(A) == 1",
         m_worker_of},
        {"version", {P::Request}, T::Count, {},
         "the app version a /version request answered: what the app read from its version file when it was "
         "imported (known once it finished)",
         "version(B) == 2", m_version},
        // --- one worker: `worker N`, N being gunicorn's worker age (1: the first spawned) ---
        {"state", {P::Worker}, T::Word,
         {"spawned", "booting", "idle", "waiting", "accepting", "reading", "handling", "writing", "timed_out",
          "exited", "gone"},
         "what the worker's main thread is doing now", "state(worker 1) == handling", m_state},
        {"booted", {P::Worker}, T::Bool, {}, "the worker has loaded the app and runs its loop (or did, if gone)",
         "booted(worker 2)", m_booted},
        {"worker_timeout", {P::Worker}, T::Bool, {},
         "the master logged WORKER TIMEOUT for it: its heartbeat was older than --timeout",
         "worker_timeout(worker 1)", m_worker_timeout},
        {"threads", {P::Worker}, T::Count, {}, "its OS threads now (the main thread included)",
         "threads(worker 1) == 1", m_threads},
        {"pool_queue", {P::Worker}, T::Count, {},
         "connections accepted and handed to its thread pool that no thread has taken yet (gthread)",
         "pool_queue(worker 1) >= 2", m_pool_queue},
        {"max_concurrent", {P::Span, P::Worker}, T::Count, {},
         "the most requests its application ran at once, over the whole lesson so far",
         "max_concurrent(handler, worker 1) == 1", m_max_concurrent},
        {"loop_phase", {P::Worker}, T::Word, {"none", "timers", "callbacks", "poll", "dispatch"},
         "the phase its event loop is in now (tornado, asyncio)", "loop_phase(worker 1) == callbacks",
         m_loop_phase},
        {"hub_blocked", {P::Worker}, T::Bool, {},
         "its hub has been kept from polling for 0.5 s or more: something runs and does not give the hub back",
         "hub_blocked(worker 1)", m_hub_blocked},
        {"loop_timers", {P::Worker}, T::Count, {}, "timers pending in its event loop's heap now (tornado, asyncio)",
         "loop_timers(worker 1) >= 3", m_loop_timers},
        {"heartbeat_age", {P::Worker}, T::Duration, {}, "how long since it last wrote its heartbeat (engine time)",
         "heartbeat_age(worker 1) >= 2s", m_heartbeat_age},
        {"rss", {P::Worker}, T::Count, {},
         "its resident memory now, in MiB: every page it uses, shared with other processes or not",
         "rss(worker 1) >= 64", m_rss},
        {"pss", {P::Worker}, T::Count, {},
         "its proportional memory now, in MiB: a page shared by N processes counts 1/N to each", "pss(worker 1) < 30",
         m_pss},
        {"greenlets_parked", {P::Worker, P::ParkOn}, T::Count, {},
         "how many of its greenlets are parked now, on a timer or on a socket",
         "greenlets_parked(worker 1, timer) >= 3", m_greenlets_parked},
        {"app_threads", {P::Worker}, T::Count, {},
         "OS threads its application started itself so far (a view's own thread pool, /threads)",
         "app_threads(worker 1) == 4", m_app_threads},
        {"app_greenlets", {P::Worker}, T::Count, {},
         "greenlets its views spawned so far (gevent.spawn, asyncio.gather's tasks; not the one per connection)",
         "app_greenlets(worker 1) == 3", m_app_greenlets},
        // --- the server as a whole ---
        {"accept_queue", {}, T::Count, {},
         "connections the kernel has completed that no worker has accepted yet (the listener's last sample)",
         "accept_queue >= 1", m_accept_queue},
        {"workers", {}, T::Count, {}, "workers booted and alive now", "workers == 2", m_workers},
        {"timeouts", {}, T::Count, {}, "WORKER TIMEOUTs the master has logged so far", "timeouts >= 1", m_timeouts},
        {"pss_sum", {}, T::Count, {},
         "the memory the whole server uses now, in MiB: the proportional memory (PSS) of the master and its "
         "workers added up, each shared page counted once",
         "pss_sum < 100", m_pss_sum},
        {"client_requests", {}, T::Count, {},
         "responses the background client (`do: load …`) has received so far", "client_requests >= 20",
         m_client_requests},
        {"client_connections", {}, T::Count, {},
         "connections the background client has opened so far (keep-alive reuses one)", "client_connections >= 10",
         m_client_connections},
        {"log_contains", {P::Text}, T::Bool, {}, "the server's log (what `minicorn serve` prints) contains the text",
         "log_contains(\"Using worker: gthread\")", m_log_contains},
        };
        for (MeasureDef& m : capacity_measures()) t.push_back(std::move(m));  // measures_capacity.cpp
        return t;
    }();
    return table;
}

}  // namespace minicorn::lesson
