// engine/trace/export_cast.cpp — the export's pre-pass (see export_cast.h).
#include "engine/trace/export_cast.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/trace/ev.h"
#include "engine/trace/export_args.h"
#include "engine/trace/kinds.h"

namespace minicorn::trace::exporter {

// The arbiter's family, less the accept queue sample (a worker samples it too)
// and ArbiterStart (which names the arbiter outright).
bool is_master_only(EventKind kind) {
    return info(kind).family == Family::Arbiter && kind != EventKind::AcceptQueueSample &&
           kind != EventKind::ArbiterStart;
}

Cast::Cast(const Recording& rec) {
    pid_t master_like = 0;
    std::unordered_map<pid_t, std::int64_t> spawned_age;
    std::unordered_set<std::uint64_t> accepted;
    for (const Event& e : rec.events()) {
        ProcessInfo& p = process(e.pid);
        pid_t tid = thread_of(e);
        if (std::find(p.tids.begin(), p.tids.end(), tid) == p.tids.end()) p.tids.push_back(tid);
        note(e, p, tid, spawned_age, accepted);
        if (!master_like && is_master_only(e.kind)) master_like = e.pid;
    }
    if (!arbiter) arbiter = master_like;
    for (ProcessInfo& p : processes) {
        if (p.pid == arbiter) {
            p.role = Role::Arbiter;
            continue;
        }
        auto it = spawned_age.find(p.pid);
        if (it != spawned_age.end()) {
            p.role = Role::Worker;
            if (p.age == 0) p.age = it->second;
        }
    }
}

void Cast::note(const Event& e, ProcessInfo& p, pid_t tid, std::unordered_map<pid_t, std::int64_t>& spawned_age,
                std::unordered_set<std::uint64_t>& accepted) {
    switch (e.kind) {
        case EventKind::ArbiterStart:
            if (!arbiter) arbiter = e.pid;
            break;
        case EventKind::WorkerBoot: {
            auto v = ev::WorkerBoot::decode(e);
            p.role = Role::Worker;
            p.age = v.age;
            p.model = v.model.as<ModelId>();
            break;
        }
        case EventKind::WorkerSpawn: {
            auto v = ev::WorkerSpawn::decode(e);
            spawned_age.emplace(static_cast<pid_t>(v.pid.v), v.age.v);
            break;
        }
        case EventKind::ThreadStart: p.roles[tid] = ev::ThreadStart::decode(e).role.as<ThreadRole>(); break;
        case EventKind::Accepted: accepted.insert(e.conn); break;
        case EventKind::HandlerStart:
            if (accepted.count(e.conn)) reach_handler.insert(e.conn);
            break;
        default: break;
    }
}

ProcessInfo& Cast::process(pid_t pid) {
    auto [it, fresh] = index.try_emplace(pid, processes.size());
    if (fresh) {
        processes.emplace_back();
        processes.back().pid = pid;
    }
    return processes[it->second];
}

std::string Cast::process_name(const ProcessInfo& p) {
    if (p.role == Role::Arbiter) return "arbiter";
    if (p.role == Role::Other) return "process";
    std::string name = p.age > 0 ? fmt::format("worker {}", p.age) : std::string("worker");
    std::string_view model = to_string(p.model);
    return model == "unknown" ? name : fmt::format("{} ({})", name, model);
}

std::int64_t Cast::sort_index(const ProcessInfo& p) const {
    if (p.role == Role::Arbiter) return 0;
    if (p.role == Role::Worker && p.age > 0) return p.age;
    return 1'000'000 + static_cast<std::int64_t>(index.at(p.pid));
}

std::string Cast::thread_name(const ProcessInfo& p, pid_t tid) {
    if (tid == p.pid) return "main";
    auto it = p.roles.find(tid);
    return it == p.roles.end() ? std::string("thread") : std::string(thread_role_text(it->second));
}

}  // namespace minicorn::trace::exporter
