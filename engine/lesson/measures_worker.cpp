// engine/lesson/measures_worker.cpp — measures of one worker (`worker N`):
// its state, heartbeat, threads, pool queue, event loop, hub and greenlets,
// and how many requests its application ran at once.
#include <algorithm>
#include <cctype>

#include "engine/lesson/measures_internal.h"

namespace minicorn::lesson::detail {

namespace {
// A hub that has not polled for this long is blocked: a patched wait hands
// the hub back within microseconds, so 0.5 s is far from both.
constexpr double kHubBlockedAfterS = 0.5;

std::string snake(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '_';
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}
}  // namespace

Measured m_state(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    if (p->reaped_ns != 0) return word("gone");
    return word(snake(trace::to_string(p->state)));
}

Measured m_booted(const Context& ctx, std::span<const Arg> args, std::string*) {
    std::string why;
    const trace::Process* p = worker_of(ctx, args[0], &why);
    return yes_no(p != nullptr && p->booted_ns != 0);
}

Measured m_worker_timeout(const Context& ctx, std::span<const Arg> args, std::string*) {
    std::string why;
    const trace::Process* p = worker_of(ctx, args[0], &why);
    return yes_no(p != nullptr && p->timed_out_ns != 0);
}

Measured m_threads(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return count(static_cast<std::int64_t>(p->threads.size()));
}

Measured m_pool_queue(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return count(static_cast<std::int64_t>(p->pool_queue.size()));
}

Measured m_max_concurrent(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[1], why);
    if (p == nullptr) return std::nullopt;
    std::int64_t now = 0, most = 0;
    if (const trace::Recording::Index* idx = ctx.rec.by_pid(p->pid)) {
        for (std::uint32_t i : *idx) {
            const trace::EventKind k = ctx.rec[i].kind;
            if (k == trace::EventKind::HandlerStart) most = std::max(most, ++now);
            if (k == trace::EventKind::HandlerEnd && now > 0) --now;
        }
    }
    return count(most);
}

Measured m_loop_phase(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return word(trace::to_string(p->loop.phase));
}

Measured m_loop_timers(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return count(static_cast<std::int64_t>(p->loop.timers.size()));
}

Measured m_hub_blocked(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    const bool green = p->model == trace::ModelId::Gevent || p->model == trace::ModelId::Eventlet;
    if (!green || p->booted_ns == 0 || p->reaped_ns != 0 || p->poll_waiting) return yes_no(false);
    std::uint64_t last_poll = p->booted_ns;
    if (const trace::Recording::Index* idx = ctx.rec.by_pid(p->pid)) {
        for (auto it = idx->rbegin(); it != idx->rend(); ++it) {
            const trace::EventKind k = ctx.rec[*it].kind;
            if (k == trace::EventKind::PollWait || k == trace::EventKind::PollWake) {
                last_poll = std::max(last_poll, ctx.rec[*it].t_ns);
                break;
            }
        }
    }
    return yes_no(engine_seconds(ctx, last_poll, ctx.now_ns) >= kHubBlockedAfterS);
}

Measured m_heartbeat_age(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    return seconds(static_cast<double>(p->silence_ns(ctx.now_ns, &ctx.world.gate)) / 1e9);
}

Measured m_greenlets_parked(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    const bool timer = args[1].text == "timer";
    std::int64_t n = 0;
    for (const auto& [id, g] : p->greenlets) {
        if (g.state == trace::GreenState::Parked && (g.fd < 0) == timer) ++n;
    }
    return count(n);
}

}  // namespace minicorn::lesson::detail
