// engine/compare/proc_stats.cpp — /proc/PID/stat, /proc/PID/status and the processes' CPU clocks, read.
#include "engine/compare/proc_stats.h"

#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace minicorn::compare {

namespace {

struct StatLine {
    pid_t pgrp = 0;
    double self_s = 0;      // utime + stime
    double children_s = 0;  // cutime + cstime (reaped children)
};

bool read_stat(pid_t pid, StatLine& out) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return false;
    auto close = line.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) return false;
    std::istringstream rest(line.substr(close + 2));
    // Fields from 3 (state) on: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    std::string state;
    long ppid = 0, pgrp = 0, session = 0, tty = 0, tpgid = 0;
    unsigned long flags = 0, minflt = 0, cminflt = 0, majflt = 0, cmajflt = 0, utime = 0, stime = 0;
    long cutime = 0, cstime = 0;
    rest >> state >> ppid >> pgrp >> session >> tty >> tpgid >> flags >> minflt >> cminflt >> majflt >> cmajflt >> utime >>
        stime >> cutime >> cstime;
    if (!rest) return false;
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    out.pgrp = static_cast<pid_t>(pgrp);
    out.self_s = static_cast<double>(utime + stime) / tick;
    out.children_s = static_cast<double>(cutime + cstime) / tick;
    return true;
}

// The process's CPU clock: every thread's user + system time, in nanoseconds
// (/proc/PID/stat has only clock ticks, 10 ms: too coarse for a quiet worker).
double cpu_clock_seconds(pid_t pid, double fallback) {
    clockid_t clock;
    timespec ts{};
    if (::clock_getcpuclockid(pid, &clock) != 0 || ::clock_gettime(clock, &ts) != 0) return fallback;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

double group_cpu_seconds(pid_t pgid) {
    double total = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name[0] < '1' || name[0] > '9') continue;
        StatLine st;
        const pid_t pid = std::atoi(name.c_str());
        if (!read_stat(pid, st) || st.pgrp != pgid) continue;
        total += cpu_clock_seconds(pid, st.self_s);
        if (pid == pgid) total += st.children_s;
    }
    return total;
}

std::uint64_t rss_bytes(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
    }
    return 0;
}

}  // namespace minicorn::compare
