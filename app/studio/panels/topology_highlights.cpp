// app/studio/panels/topology_highlights.cpp — see topology_highlights.h.
#include "app/studio/panels/topology_highlights.h"

#include <fmt/format.h>

#include "app/studio/draw/highlight.h"

namespace minicorn::studio {

namespace {

void note(const std::string& name, const TopoItem& it) { note_highlight(name, it.min.x, it.min.y, it.max.x, it.max.y); }

// The part of a worker an item is, as a highlight names it ("" if none).
const char* worker_part(TopoItemKind kind) {
    switch (kind) {
        case TopoItemKind::Worker: return "";
        case TopoItemKind::Thread: return " threads";
        case TopoItemKind::Greenlet: return " greenlets";
        case TopoItemKind::PoolQueue: return " executor queue";
        case TopoItemKind::Gil: return " gil";
        case TopoItemKind::PollFd:
        case TopoItemKind::KeepAlive: return " poll list";
        default: return nullptr;
    }
}

}  // namespace

void note_topology_highlights(const TopologyState& state, const trace::World& world,
                              const std::map<std::string, std::uint64_t>& request_conns) {
    std::map<pid_t, std::int64_t> age;
    for (const trace::Process* p : world.workers()) age[p->pid] = p->worker_age;
    for (const TopoItem& it : state.items) {
        switch (it.kind) {
            case TopoItemKind::Listener:
                note("listen socket", it);
                note("accept queue", it);
                continue;
            case TopoItemKind::Pending: note("accept queue", it); continue;
            case TopoItemKind::Arbiter: note("arbiter", it); continue;
            case TopoItemKind::Token:
                for (const auto& [name, conn] : request_conns) {
                    if (conn == it.id) note("request " + name, it);
                }
                continue;
            default: break;
        }
        const char* part = worker_part(it.kind);
        auto a = age.find(it.pid);
        if (!part || a == age.end()) continue;
        note(fmt::format("worker {}{}", a->second, part), it);
        // A green worker's hub is the loop that polls: its poll list is where it is seen working.
        if (it.kind == TopoItemKind::PollFd || it.kind == TopoItemKind::KeepAlive) {
            note(fmt::format("worker {} hub", a->second), it);
        }
        if (it.kind == TopoItemKind::Greenlet) {
            const std::uint64_t conn = state.green_conns.conn_of(it.pid, static_cast<std::uint32_t>(it.id));
            for (const auto& [name, c] : request_conns) {
                if (conn != 0 && c == conn) note("request " + name + " greenlet", it);
            }
        }
    }
}

}  // namespace minicorn::studio
