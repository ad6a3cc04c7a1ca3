// tests/support/load_process.h — runs `minicorn load` as a real child
// process for [process][load] tests, optionally attached to a trace region
// (the TracedServer's, so the client's lanes join the server's), and
// collects its exit status, stdout and stderr.
//
// The destructor SIGKILLs a client still running and reaps it.
#pragma once

#include <sys/types.h>

#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/server_process.h"

namespace minicorn::testing {

class LoadProcess {
public:
    // Starts `minicorn load ARGS`; with region_fd >= 0 adds --trace-fd and lets the child inherit it.
    explicit LoadProcess(std::vector<std::string> args, int region_fd = -1);
    ~LoadProcess();
    LoadProcess(const LoadProcess&) = delete;
    LoadProcess& operator=(const LoadProcess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // Waits for the exit; its status (WEXITSTATUS, or 128+signal), nullopt on timeout.
    std::optional<int> wait_exit(Seconds timeout);
    // After the exit: everything it printed.
    std::string out() const;
    std::string err() const;
    // stdout parsed as JSON (run it with --json); a null json if it does not parse.
    nlohmann::json json() const;

private:
    pid_t pid_ = -1;
    bool exited_ = false;
    int status_ = 0;
    mutable std::mutex mu_;
    std::string out_;
    std::string err_;
    std::thread out_reader_;
    std::thread err_reader_;
};

// Runs `minicorn load ARGS --json --quiet` to its end (SIGKILL after `timeout`)
// and returns its JSON results (null if it did not finish or print them).
nlohmann::json run_load_json(std::vector<std::string> args, int region_fd = -1, Seconds timeout = 30s);

}  // namespace minicorn::testing
