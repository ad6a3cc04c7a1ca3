// engine/lesson/child_engine.h — the headless Host: `minicorn serve
// --trace-fd N -b 127.0.0.1:0 FLAGS` as a child process in its own process
// group, a trace region this process collects, the server's log read on a
// thread. What `minicorn lesson run/check` starts, one per lesson.
//
// stop() (and the destructor) opens the gate, stops the client, sends TERM to
// the master, and SIGKILLs the group after a grace: no child outlives it.
//
// Thread affinity: one owner thread; the log reader thread is private.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/lesson/host.h"
#include "engine/trace/collector.h"
#include "engine/trace/region.h"

namespace minicorn::lesson {

class ChildEngine final : public Host {
public:
    // `minicorn_bin`: the minicorn executable.
    explicit ChildEngine(std::string minicorn_bin);
    ~ChildEngine() override;
    ChildEngine(const ChildEngine&) = delete;
    ChildEngine& operator=(const ChildEngine&) = delete;

    // Starts the server and waits (up to 10 s) until it listens.
    bool start(const std::vector<std::string>& serve_args, std::string* error);
    void stop();

    int port() const override { return port_.load(); }
    void update(trace::Recording& rec) override;
    // Drains the region into any sink (`minicorn compare` folds events as
    // they come instead of keeping them); `all`: the producers have stopped.
    void drain_into(trace::EventSink& sink, bool all);
    std::string log() const override;
    trace::GateControl* gate() override { return gate_.get(); }
    bool signal_arbiter(int signo) override;
    bool signal_worker(pid_t pid, int signo) override;
    bool start_load(const std::vector<std::string>& args, std::string* error) override;
    void stop_load() override;
    bool restart(const std::vector<std::string>& serve_args, std::string* error) override;

private:
    pid_t spawn(const std::vector<std::string>& argv, int* out_fd, std::string* error);
    void read_log(int fd);

    std::string bin_;
    std::unique_ptr<trace::Region> region_;
    std::unique_ptr<trace::GateControl> gate_;
    std::unique_ptr<trace::Collector> collector_;
    pid_t serve_pid_ = 0;
    pid_t load_pid_ = 0;
    std::atomic<int> port_{0};
    mutable std::mutex mu_;
    std::string log_;
    std::thread reader_;
    std::thread load_reader_;
};

// The running minicorn executable (/proc/self/exe).
std::string self_exe();

}  // namespace minicorn::lesson
