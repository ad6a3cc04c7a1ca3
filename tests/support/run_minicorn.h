// tests/support/run_minicorn.h — runs the real `minicorn` binary with
// arguments and collects its exit status and output (stdout and stderr).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace minicorn::testing {

struct Run {
    int status;          // exit status, -1 if it did not exit normally
    std::string output;  // stdout and stderr together
};

inline Run run_minicorn(const std::string& args) {
    std::string cmd = std::string(MINICORN_BIN) + " " + args + " 2>&1";
    Run r{-1, ""};
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    int status = ::pclose(p);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

}  // namespace minicorn::testing
