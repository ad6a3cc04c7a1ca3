// engine/lesson/host.h — what a lesson runner needs from whoever runs the
// engine: the same operator's hands the studio's Session has (start the
// client, signal the master, kill or stop a worker, the gate) and the
// events and log lines it collected. ChildEngine (child_engine.h) is the
// headless host `minicorn lesson` uses; the studio's lesson player wraps
// its Session in one, so a lesson runs the same way in both.
//
// Thread affinity: the runner calls every method from its one thread.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "engine/trace/gate.h"
#include "engine/trace/recording.h"

namespace minicorn::lesson {

class Host {
public:
    virtual ~Host() = default;
    // The server's port once it listens, 0 before.
    virtual int port() const = 0;
    // Appends the events collected since the last call to `rec`.
    virtual void update(trace::Recording& rec) = 0;
    // Everything the server has written to its error log so far.
    virtual std::string log() const = 0;
    // nullptr if the engine runs without a region.
    virtual trace::GateControl* gate() = 0;
    virtual bool signal_arbiter(int signo) = 0;
    // Sends `signo` to `pid` if it is one of the master's workers.
    virtual bool signal_worker(pid_t pid, int signo) = 0;
    // `minicorn load` against the server with these flags (traced into the same region).
    virtual bool start_load(const std::vector<std::string>& args, std::string* error) = 0;
    virtual void stop_load() = 0;
    // Stops the engine and starts a new one with these serve flags (a new
    // region: the events collected from then on are the new engine's).
    virtual bool restart(const std::vector<std::string>& serve_args, std::string* error) = 0;
};

}  // namespace minicorn::lesson
