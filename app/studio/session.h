// app/studio/session.h — the studio's engine session: the trace region, the
// child processes (`minicorn serve`, `minicorn load`), and the collector
// thread that drains the region.
//
// Data flow: the collector thread drains the region (trace::Collector, into a
// plain vector) and hands each batch of time-ordered events to the main
// thread, which appends them to the studio's Recording in update(). So the Recording
// and the TraceModel stay single-threaded (main thread), and the collector
// never waits for a frame to be drawn.
//
// Children: each is forked into its own process group, gets
// PR_SET_PDEATHSIG(SIGTERM) (so a studio killed with -9 still stops them; the
// serve master passes TERM on to its workers), and has stdout+stderr on a pipe
// the collector thread reads (the Event log shows the lines). stop() sends
// TERM, waits, then SIGKILLs the whole group: no child outlives a Session.
//
// Thread affinity: every public method on the main thread; the collector
// thread is private.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/trace/event.h"
#include "engine/trace/gate.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"

namespace minicorn::studio {

enum class ChildState {
    NotStarted,   // never started, or stopped on purpose
    Running,
    Exited,       // exited by itself (see exit_text)
};

struct ChildInfo {
    ChildState state = ChildState::NotStarted;
    pid_t pid = 0;
    std::string command;    // the command line, for the UI
    std::string exit_text;  // "exit 2", "killed by SIGKILL", …
};

// One line of a child's output, with a sequence number the Event log scrolls by.
struct LogLine {
    std::uint64_t seq;
    bool from_client;  // false: serve
    std::string text;
};

class Session {
public:
    // `minicorn_bin`: the `minicorn` executable.
    explicit Session(std::string minicorn_bin);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Creates a fresh region and starts `minicorn serve -b 127.0.0.1:0
    // --trace-fd N serve_args…` and the collector thread. Stops a running one first.
    bool start_serve(const std::vector<std::string>& serve_args, std::string* error);
    // Starts the client against the server's port (known once it listens):
    // `minicorn load URL load_args… --trace-fd N --quiet`.
    bool start_load(const std::vector<std::string>& load_args, std::string* error);
    void stop_load();
    // Stops the client, then the server (TERM, up to `grace`, then SIGKILL to
    // its process group), joins the collector and hands over the last events.
    void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

    // Once a frame: reaps exited children and appends the events collected since the last call to `rec`
    // — at most `max_events`, oldest first, so one frame never folds a flood;
    // the rest wait for the next frames (backlog()). Returns the number appended.
    std::size_t update(trace::Recording& rec, std::size_t max_events = kMaxEventsPerFrame);
    // Events collected but not yet handed to the Recording.
    std::size_t backlog() const;
    static constexpr std::size_t kMaxEventsPerFrame = 20'000;

    // The listening port, once serve said "Listening at: …" (0 until then).
    int port() const { return port_.load(); }
    const ChildInfo& serve() const { return serve_; }
    const ChildInfo& load() const { return load_; }
    bool running() const { return serve_.state == ChildState::Running; }

    // --- operator actions (what a person at a terminal could do) ---
    bool signal_arbiter(int signo);
    // SIGKILLs `pid` if it is a child of the serve master (a worker).
    bool kill_worker(pid_t pid);
    // Sends `signo` (SIGSTOP, SIGCONT, …) to `pid` if it is a child of the serve master.
    bool signal_worker(pid_t pid, int signo);
    // The gate (nullptr when no region exists).
    trace::GateControl* gate() { return gate_.get(); }
    const trace::GateControl* gate() const { return gate_.get(); }

    // Lines the children wrote, newest last (at most kMaxLogLines).
    std::vector<LogLine> log_lines(std::uint64_t after_seq) const;
    std::uint64_t last_log_seq() const;
    static constexpr std::size_t kMaxLogLines = 400;

private:
    struct Pipe {
        int fd = -1;           // read end of a child's stdout+stderr pipe
        bool from_client = false;
        std::string partial;   // an unfinished line
    };

    pid_t spawn(const std::vector<std::string>& argv, int* out_fd, std::string* error);
    // spawn(), then `info` says Running and the collector reads its output.
    bool launch(ChildInfo& info, const std::vector<std::string>& argv, bool from_client, std::string* error);
    void reap(ChildInfo& info, int wstatus);
    void stop_child(ChildInfo& info, std::chrono::milliseconds grace, bool whole_group);
    void collector_loop();
    bool read_output(Pipe& pipe);  // false at EOF
    void add_line(bool from_client, std::string text);

    std::string minicorn_bin_;
    std::unique_ptr<trace::Region> region_;
    std::unique_ptr<trace::GateControl> gate_;

    ChildInfo serve_;
    ChildInfo load_;
    std::atomic<int> port_{0};

    // Shared with the collector thread, under mu_.
    mutable std::mutex mu_;
    std::vector<trace::Event> batch_;     // collected; [batch_taken_, size) not yet taken by the main thread
    std::size_t batch_taken_ = 0;
    std::deque<LogLine> lines_;
    std::uint64_t line_seq_ = 0;
    std::vector<Pipe> new_pipes_;         // handed to the collector thread, which owns and closes them
    std::atomic<bool> collecting_{false};
    std::thread collector_;
};

// Where `minicorn` is: beside this executable if it is there, else the build's.
std::string find_minicorn_bin();

}  // namespace minicorn::studio
