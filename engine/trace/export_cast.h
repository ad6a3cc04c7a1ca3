// engine/trace/export_cast.h — the export's pre-pass over a Recording: who is
// the arbiter, which pid is which worker (age, model), which threads exist
// and what they are, which connections reach a handler (they get a flow).
// Internal to export_*.cpp.
//
// Pure; no threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/trace/event.h"
#include "engine/trace/recording.h"

namespace minicorn::trace::exporter {

enum class Role : std::uint8_t { Arbiter, Worker, Other };

struct ProcessInfo {
    pid_t pid = 0;
    Role role = Role::Other;
    std::int64_t age = 0;  // WorkerBoot age / WorkerSpawn age; 0: unknown
    ModelId model = ModelId::Unknown;
    std::vector<pid_t> tids;                      // in order of first appearance
    std::unordered_map<pid_t, ThreadRole> roles;  // ThreadStart role
};

// Kinds only the master emits: who sends one is the arbiter, failing an ArbiterStart.
bool is_master_only(EventKind kind);

struct Cast {
    pid_t arbiter = 0;
    std::vector<ProcessInfo> processes;  // in order of first appearance
    std::unordered_map<pid_t, std::size_t> index;
    // Connections whose handler starts after their accept: they get a flow.
    std::unordered_set<std::uint64_t> reach_handler;

    explicit Cast(const Recording& rec);

    ProcessInfo& process(pid_t pid);
    // "arbiter", "worker 2 (gthread)", "process".
    static std::string process_name(const ProcessInfo& p);
    // The arbiter first, then workers by age, then the rest as they appeared.
    std::int64_t sort_index(const ProcessInfo& p) const;
    // "main", or the thread's ThreadRole.
    static std::string thread_name(const ProcessInfo& p, pid_t tid);

private:
    void note(const Event& e, ProcessInfo& p, pid_t tid, std::unordered_map<pid_t, std::int64_t>& spawned_age,
              std::unordered_set<std::uint64_t>& accepted);
};

}  // namespace minicorn::trace::exporter
