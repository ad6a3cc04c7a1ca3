// engine/compare/model_run.h — one worker model through one scenario: start
// `minicorn serve -k MODEL` (its own loopback port, its own trace region),
// wait for its workers, hold the idle connections, drive it with the load
// client (in this process, with the seed every model shares), and measure:
// the client's figures, the server's CPU and memory from /proc, and from the
// trace the peak of concurrent handlers per worker and the WORKER TIMEOUTs.
//
// Every phase is bounded in time: boot ≤ 15 s, the load ≤ duration + the
// client's timeout + 5 s, the stop ≤ 5 s (then SIGKILL to the group).
//
// Thread affinity: run() blocks its caller; stop() and progress() may be
// called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/client/load_config.h"
#include "engine/client/load_stats.h"
#include "engine/compare/idle_conns.h"

namespace minicorn::compare {

struct RunPlan {
    std::string minicorn_bin;          // the executable that serves (`minicorn`)
    std::string model;                 // "gevent"
    std::vector<std::string> serve;    // every serve flag but -b/--trace-fd/-k
    int workers = 1;                   // -w, to know when the server is ready
    client::LoadConfig load;           // the traffic (url filled in by run())
    int idle = 0;                      // idle keep-alive connections to hold
    std::string requires_path;         // probed before the load; a 404 skips the run
    std::uint64_t seed = 1;            // the client's random numbers (arrivals, mix picks)
};

struct ModelResult {
    std::string model;
    enum class Outcome { Ran, Skipped, Failed, Stopped } outcome = Outcome::Failed;
    std::string note;                  // why it was skipped or failed
    client::LoadStats stats;           // the good requests, as `minicorn load` counts them
    double elapsed_s = 0;              // the measured load
    double cpu_s = 0;                  // server CPU (master + workers + backend) during the load
    std::uint64_t rss_per_worker = 0;  // bytes, the workers' mean (anon + file, the trace's shared memory left out)
    int workers_at_end = 0;
    int peak_handlers = 0;             // the most requests one worker had in its application at once
    int worker_timeouts = 0;           // the master's WORKER TIMEOUTs during the run
    std::uint64_t events_dropped = 0;  // trace events lost (a full ring): peak_handlers may be low
    IdleCount idle;

    // Complete responses that were not 4xx/5xx, a second.
    double good_per_s() const;
    // p99 of the good requests' latency, µs.
    double p99_us() const;
    // Server CPU per completed request, µs (0 if none).
    double cpu_per_request_us() const;
};

// What a run is doing, for the progress line.
struct RunProgress {
    std::atomic<int> phase{0};               // 0 waiting, 1 booting, 2 loading, 3 stopping, 4 done
    std::atomic<double> seconds_left{0};
    std::atomic<std::uint64_t> requests{0};
};

class ModelRun {
public:
    explicit ModelRun(RunPlan plan);
    ~ModelRun();
    ModelRun(const ModelRun&) = delete;
    ModelRun& operator=(const ModelRun&) = delete;

    ModelResult run();
    // Ends the run early (Ctrl-C): the load stops, the server is stopped.
    void stop();
    const RunProgress& progress() const { return progress_; }
    const std::string& model() const { return plan_.model; }

private:
    struct State;
    RunPlan plan_;
    RunProgress progress_;
    std::atomic<bool> stop_{false};
    std::unique_ptr<State> state_;
};

}  // namespace minicorn::compare
