// tests/support/studio_run.h — runs the real minicorn-studio binary under Xvfb
// with `--screenshot OUT.png` and `--then` scripts, and reads the sidecar it
// writes beside the PNG (OUT.png.json: panels, gate, snapshots).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/leak_check.h"

namespace minicorn::testing {

// The studio runs with leak detection off under ASan (Mesa llvmpipe's JIT
// leaves blocks LeakSanitizer cannot attribute; see test_studio_smoke.cpp).
inline std::string studio_asan_env() {
    const char* cur = std::getenv("ASAN_OPTIONS");
    return "ASAN_OPTIONS='" + std::string(cur && *cur ? std::string(cur) + ":" : "") + "detect_leaks=0' ";
}

// Runs `cmd` through the shell; its output, then "[exit N]".
inline std::string run_command(const std::string& cmd) {
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

// `minicorn-studio --screenshot PNG --frames 10 ARGS` at 1600×1000 under Xvfb.
// Returns the sidecar (null if the run failed); *output gets what it printed.
inline nlohmann::json run_studio(const std::string& png, const std::string& args, std::string* output) {
    std::string cmd = studio_asan_env() + "xvfb-run -a -s '-screen 0 1600x1000x24' " + std::string(MINICORN_STUDIO_BIN) +
                      " --screenshot " + png + " --frames 10 " + args;
    *output = cmd + "\n" + run_command(cmd);
    std::ifstream sidecar(png + ".json");
    if (!sidecar || output->find("[exit 0]") == std::string::npos) return nullptr;
    return nlohmann::json::parse(sidecar, nullptr, /*allow_exceptions=*/false);
}

// Xvfb and anything the studio left are re-parented to a subreaper: reap them.
inline void settle_studio_children() {
    for (int i = 0; i < 300 && live_children() > 0; ++i) {
        reap_children();
        ::usleep(10'000);
    }
}

}  // namespace minicorn::testing
