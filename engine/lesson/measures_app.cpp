// engine/lesson/measures_app.cpp — measures of what a worker's application
// started itself, inside its views (/threads, /fanout): OS threads of its own
// thread pool, and greenlets (gevent.spawn, asyncio tasks of a gather). They
// count over the whole recording, so a lesson can ask after the request ended.
#include <unordered_map>

#include "engine/lesson/measures_internal.h"
#include "engine/trace/ev.h"

namespace minicorn::lesson::detail {

Measured m_app_threads(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    std::int64_t n = 0;
    if (const trace::Recording::Index* idx = ctx.rec.by_pid(p->pid)) {
        for (std::uint32_t i : *idx) {
            const trace::Event& e = ctx.rec[i];
            if (e.kind == trace::EventKind::ThreadStart &&
                trace::ev::ThreadStart::decode(e).role.as<trace::ThreadRole>() == trace::ThreadRole::App) {
                ++n;
            }
        }
    }
    return count(n);
}

Measured m_app_greenlets(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const trace::Process* p = worker_of(ctx, args[0], why);
    if (p == nullptr) return std::nullopt;
    // A greenlet that serves a connection was spawned with it; one spawned
    // by such a greenlet (or by one of its own) was spawned by a view.
    std::unordered_map<std::uint32_t, bool> in_view;  // green → spawned for a connection or by a view
    std::int64_t n = 0;
    if (const trace::Recording::Index* idx = ctx.rec.by_pid(p->pid)) {
        for (std::uint32_t i : *idx) {
            const trace::Event& e = ctx.rec[i];
            if (e.kind != trace::EventKind::GreenSpawn) continue;
            const auto spawn = trace::ev::GreenSpawn::decode(e);
            const auto parent = in_view.find(static_cast<std::uint32_t>(spawn.parent));
            const bool by_view = parent != in_view.end() && parent->second;
            if (by_view) ++n;
            in_view[spawn.green] = by_view || spawn.conn != 0;
        }
    }
    return count(n);
}

}  // namespace minicorn::lesson::detail
