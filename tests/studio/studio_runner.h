// tests/studio/studio_runner.h — running the real minicorn-studio under
// Xvfb from a test: its command's output and exit, the ASan options it runs
// with, and reaping what it leaves to us as a subreaper.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/leak_check.h"
#include "tests/support/server_process.h"

namespace minicorn::testing {

// Under `make asan-test` the studio itself runs with leak detection off: Mesa's
// llvmpipe leaves two 56-byte blocks from its JIT-compiled code at exit, in
// memory LeakSanitizer cannot attribute to any module, so no suppression can
// name them. The panels' own allocations are leak-checked in the headless
// [panels] tests; the engine, in every other [process] test.
inline std::string studio_asan_options() {
    const char* cur = std::getenv("ASAN_OPTIONS");
    return std::string(cur && *cur ? std::string(cur) + ":" : "") + "detect_leaks=0";
}

inline std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return "popen failed";
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int status = ::pclose(p);
    out += "\n[exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "]";
    return out;
}

// Xvfb and anything the studio left would be re-parented to us (a subreaper):
// give them a moment to finish exiting, reaping as they do.
inline void settle_children() {
    for (int i = 0; i < 300 && live_children() > 0; ++i) {
        reap_children();
        ::usleep(10'000);
    }
}

// Runs a studio command that takes a screenshot to `png` and returns its
// sidecar (every text, token and fault of that frame); both files are removed.
inline nlohmann::json shoot(const std::string& cmd, const std::string& png) {
    const std::string output = run(cmd);
    INFO(cmd << "\n" << output);
    REQUIRE(output.find("[exit 0]") != std::string::npos);
    std::ifstream in(png + ".json");
    REQUIRE(in);
    nlohmann::json sidecar = nlohmann::json::parse(in);
    ::unlink(png.c_str());
    ::unlink((png + ".json").c_str());
    settle_children();
    return sidecar;
}

}  // namespace minicorn::testing
