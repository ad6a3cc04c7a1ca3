// engine/compare/proc_stats.h — what /proc says about a server: the CPU time
// of its processes and the memory of one worker.
//
// A server is a process group (the `minicorn serve` master is its leader; its
// workers and the /db backend are in it). Its CPU is utime + stime of every
// live member (its CPU clock, in nanoseconds), plus the master's cutime + cstime: the workers it has already
// reaped (a WORKER TIMEOUT, max_requests) still count.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace minicorn::compare {

// CPU seconds used so far by process group `pgid` (see above); 0 if it is gone.
double group_cpu_seconds(pid_t pgid);

// Resident memory of `pid` in bytes (VmRSS); 0 if it is gone.
std::uint64_t rss_bytes(pid_t pid);

}  // namespace minicorn::compare
