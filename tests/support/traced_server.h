// tests/support/traced_server.h — a `minicorn serve --trace-fd` child whose
// events this test process collects into a Recording, as the studio will.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/trace/collector.h"
#include "engine/trace/gate.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"
#include "tests/support/server_process.h"

namespace minicorn::testing {

class TracedServer {
public:
    // Creates the region; `before_start` may close the gate before the server runs.
    explicit TracedServer(std::vector<std::string> args,
                          const std::function<void(trace::GateControl&)>& before_start = {});
    ServerProcess& server() { return *server_; }
    trace::GateControl& gate() { return gate_; }
    trace::Recording& recording() { return rec_; }
    // The region's descriptor (close-on-exec), e.g. for a `minicorn load --trace-fd` child.
    int region_fd() const { return region_.fd(); }

    // Reads the rings into the recording (events younger than the holdback wait).
    void drain() { collector_.drain(rec_); }
    // Everything read so far, committed (call when the server is quiet or gone).
    void flush() { collector_.flush(rec_); }
    // Drains until `pred(recording)` holds or `timeout` passes.
    bool wait_until(const std::function<bool(const trace::Recording&)>& pred, Seconds timeout);

    // Stops the server with TERM and collects everything.
    void stop();

private:
    trace::Region region_;
    trace::GateControl gate_;
    trace::Collector collector_;
    trace::Recording rec_;
    std::unique_ptr<ServerProcess> server_;
};

// Events of `kind` in `rec` (optionally only from `pid`).
std::vector<trace::Event> events_of(const trace::Recording& rec, trace::EventKind kind, pid_t pid = 0);
std::size_t count_of(const trace::Recording& rec, trace::EventKind kind, pid_t pid = 0);

}  // namespace minicorn::testing
