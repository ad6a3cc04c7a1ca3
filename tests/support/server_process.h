// tests/support/server_process.h — runs `minicorn serve` as a real child
// process for [process] tests, and talks to it over loopback.
//
// The server runs in its own process group; the destructor SIGKILLs the group
// and reaps it, so a failing test leaves no process behind. The test runner
// makes itself a child subreaper, so workers orphaned by a killed master are
// re-parented to it and can be reaped too.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace minicorn::testing {

using namespace std::chrono_literals;
using Seconds = std::chrono::duration<double>;

class ServerProcess {
public:
    // Starts `minicorn serve ARGS` (add -b 127.0.0.1:0 yourself, or use start()).
    explicit ServerProcess(std::vector<std::string> args);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Starts a server on a kernel-chosen loopback port and waits until it listens.
    static std::unique_ptr<ServerProcess> start(std::vector<std::string> args);

    pid_t pid() const { return pid_; }
    // The port from "Listening at: http://127.0.0.1:PORT"; waits up to 10 s. 0 if never seen.
    int port();

    // Everything the server wrote to stderr (the error log) and stdout (access log).
    std::string log() const;
    std::string stdout_text() const;
    // Waits until the error log contains `needle` `count` times.
    bool wait_for_log(std::string_view needle, Seconds timeout, int count = 1) const;
    int count_in_log(std::string_view needle) const;

    // The master's live children (read from /proc): its workers, and nothing
    // else, as in gunicorn (the /db backend is no child of the master).
    std::vector<pid_t> worker_pids() const;
    // Waits until exactly `n` workers are alive and each has logged its
    // "Booting worker with pid: N" line (on stderr, or in --error-logfile FILE).
    bool wait_for_workers(std::size_t n, Seconds timeout) const;
    // True once `worker` has logged "Booting worker with pid: <worker>".
    bool has_booted(pid_t worker) const;

    void signal(int sig) const;
    // Waits for the master to exit; its exit status (WEXITSTATUS, or 128+signal), nullopt on timeout.
    std::optional<int> wait_exit(Seconds timeout);
    bool running() const { return !exited_; }

private:

    pid_t pid_ = -1;
    bool exited_ = false;
    int exit_status_ = 0;
    int port_ = 0;
    std::string error_logfile_;  // --error-logfile FILE (not "-"): where "Booting worker" lines go
    mutable std::mutex mu_;
    std::string err_;
    std::string out_;
    std::thread err_reader_;
    std::thread out_reader_;
};

struct HttpReply {
    bool got_response = false;  // any bytes at all came back
    int status = 0;
    std::string head;           // status line + headers
    std::string body;           // raw body bytes as received (chunked framing left in)
    std::string raw;
    double seconds = 0;         // from connect to EOF
};

// Sends `request` as-is to 127.0.0.1:port and reads until the server closes
// (or `timeout`). The connection is closed on return.
HttpReply send_raw(int port, std::string_view request, Seconds timeout = 10s);
HttpReply http_get(int port, std::string_view path, Seconds timeout = 10s);

// A loopback port that was free a moment ago (bind to 0, read it, close).
// Reads a child's pipe until EOF, appending to *sink under `mu`, then closes
// it: the body of every output-reader thread of ServerProcess and LoadProcess.
void read_pipe_into(int fd, std::string* sink, std::mutex& mu);

int free_loopback_port();

// A connected client socket that stays open (e.g. a client that says nothing).
int connect_loopback(int port);

// Descriptors open in this process, to check that a test leaked none.
std::size_t open_fd_count();
// True when `pid` has exited (gone, or a zombie nobody has reaped yet).
bool process_gone(pid_t pid);
// Children of this process (zombies included) that still exist.
std::size_t live_children();
// Reaps every exited child of this process, without blocking.
void reap_children();

}  // namespace minicorn::testing
