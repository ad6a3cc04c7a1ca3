// engine/lesson/measures_memory.cpp — memory measures (RSS, PSS) and what a
// request's body said (/version). Memory is read live from
// /proc/PID/smaps_rollup of the processes the World lists: the lesson's
// engine runs on this machine, and the kernel is the only one who knows
// which pages a fork still shares.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/lesson/measures_internal.h"

namespace minicorn::lesson::detail {

namespace {

struct Memory {
    double rss_mib = 0;  // resident: every page it maps, shared or not
    double pss_mib = 0;  // proportional: each shared page divided among its sharers
};

bool read_memory(pid_t pid, Memory* out) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/smaps_rollup", static_cast<int>(pid));
    FILE* f = std::fopen(path, "re");
    if (f == nullptr) return false;
    char line[256];
    bool rss = false, pss = false;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, "Rss:", 4) == 0) rss = (out->rss_mib = std::strtod(line + 4, nullptr) / 1024.0, true);
        if (std::strncmp(line, "Pss:", 4) == 0) pss = (out->pss_mib = std::strtod(line + 4, nullptr) / 1024.0, true);
    }
    std::fclose(f);
    return rss && pss;
}

Measured worker_memory(const Context& ctx, const Arg& worker, bool proportional, std::string* why) {
    const trace::Process* p = worker_of(ctx, worker, why);
    if (p == nullptr) return std::nullopt;
    Memory m;
    if (p->reaped_ns != 0 || !read_memory(p->pid, &m)) {
        *why = "worker " + std::to_string(worker.n) + " is gone: its memory cannot be read";
        return std::nullopt;
    }
    return count(static_cast<std::int64_t>(proportional ? m.pss_mib : m.rss_mib));
}

}  // namespace

Measured m_rss(const Context& ctx, std::span<const Arg> args, std::string* why) {
    return worker_memory(ctx, args[0], false, why);
}

Measured m_pss(const Context& ctx, std::span<const Arg> args, std::string* why) {
    return worker_memory(ctx, args[0], true, why);
}

Measured m_pss_sum(const Context& ctx, std::span<const Arg>, std::string* why) {
    if (ctx.world.arbiter.pid == 0) {
        *why = "the master has not started";
        return std::nullopt;
    }
    Memory m;
    if (!read_memory(ctx.world.arbiter.pid, &m)) {
        *why = "the master's memory cannot be read";
        return std::nullopt;
    }
    double sum = m.pss_mib;
    for (const trace::Process* p : ctx.world.workers()) {
        Memory w;
        if (p->reaped_ns == 0 && read_memory(p->pid, &w)) sum += w.pss_mib;
    }
    return count(static_cast<std::int64_t>(sum));
}

Measured m_version(const Context& ctx, std::span<const Arg> args, std::string* why) {
    const RequestRecord* r = request_of(ctx, args[0]);
    if (r == nullptr || !r->complete) {
        *why = "request " + args[0].text + " has not finished";
        return std::nullopt;
    }
    const std::size_t at = r->body.find("version ");
    if (at == std::string::npos) {
        *why = "request " + args[0].text + "'s answer names no version (send it to /version)";
        return std::nullopt;
    }
    return count(std::strtoll(r->body.c_str() + at + 8, nullptr, 10));
}

}  // namespace minicorn::lesson::detail
