// app/studio/panels/metrics.h — the numbers the Traffic and Stats panels plot,
// folded incrementally from the Recording (only new events each frame) and
// sampled from the latest World.
//
// Requests, errors and latency come from the client's events when there are
// any (ClientDone: status and the latency the client measured, ClientError),
// else from the server's (Parsed → WriteDone is one request's server-side
// latency; HandlerEnd with status ≥ 500, or an app that raised, and
// ParseFailed are errors). Latencies are engine time: the time the gate was
// closed is left out, as in the lessons' latency(R). Both are kept; from_client() says which the
// accessors report. Per-worker
// series (requests, busy fraction, queue lengths) are sampled every
// kSampleEvery of trace time from the World.
//
// Thread affinity: the main thread (it reads the Recording).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::studio {

// Latency bins, upper edges in ms (the last bin is "more than the one before").
inline constexpr std::array<double, 16> kLatencyEdgesMs = {0.1, 0.2, 0.5, 1,   2,    5,    10,   20,
                                                           50,  100, 200, 500, 1000, 2000, 5000, 1e18};
inline constexpr std::size_t kLatencyBins = kLatencyEdgesMs.size();
// Bin i's upper edge as the histograms label it ("0.1" … "1s", ">5s").
const char* latency_bin_label(std::size_t i);
// A latency as the panels write it: "0.42 ms", "52 ms", "5.9 s".
std::string format_latency(double ms);

struct SecondBucket {
    std::int64_t second = 0;  // trace time / 1 s
    struct Side {
        std::uint32_t requests = 0;
        std::uint32_t errors = 0;
        std::array<std::uint32_t, kLatencyBins> latency{};
        // The smallest and largest latency seen in each bin (valid where
        // latency[i] > 0), so a percentile lands on what was measured: three
        // 2.0 s requests have p50 2.0 s, not 3.2 s from the 2–5 s bin's edges.
        std::array<float, kLatencyBins> lowest{};
        std::array<float, kLatencyBins> highest{};
        void add_latency(double ms);
    };
    Side server;  // from the server's events
    Side client;  // from the client's events
};

struct WorkerSeries {
    pid_t pid = 0;
    std::int64_t age = 0;
    std::deque<float> requests_per_s;  // per sample, from the Requests counter
    std::deque<float> busy;            // 0..1 per sample: busy threads / threads
    std::deque<float> pool_queue;      // gthread's executor queue
    std::deque<float> keepalive;       // parked keep-alive connections
    std::deque<float> poll_fds;        // registered fds
    std::deque<float> open_conns;      // connections it owns
    std::int64_t requests = 0;         // the counter at the last sample
    std::uint64_t last_sample_ns = 0;
    bool alive = true;
};

class Metrics {
public:
    static constexpr std::uint64_t kSampleEvery = 100'000'000;  // 100 ms of trace time
    static constexpr std::size_t kSamples = 300;                // 30 s of history
    static constexpr std::size_t kSeconds = 60;                 // per-second buckets kept

    // Folds the events appended since the last call, then samples `latest`.
    void update(const trace::Recording& rec, const trace::World& latest);

    // Requests completed per second over the last two full seconds.
    double requests_per_second() const;
    double errors_per_second() const;
    std::uint64_t total_requests() const { return from_client() ? client_requests_ : total_requests_; }
    std::uint64_t total_errors() const { return from_client() ? client_errors_ : total_errors_; }
    // The figures are the client's (its ClientDone/ClientError events exist).
    bool from_client() const { return client_requests_ + client_errors_ > 0; }
    // Latency histogram over the last `seconds` seconds, and a percentile from it (ms).
    std::array<std::uint32_t, kLatencyBins> latency_histogram(int seconds = 10) const;
    static double percentile_ms(const std::array<std::uint32_t, kLatencyBins>& hist, double p);
    // The p-th latency of the last `seconds`, between the latencies measured in its bin.
    double latency_percentile_ms(double p, int seconds = 10) const;
    // Requests per second, one value per second, oldest first.
    std::vector<float> rate_history() const;

    const std::map<pid_t, WorkerSeries>& workers() const { return workers_; }
    const std::deque<float>& accept_queue() const { return accept_queue_; }
    std::size_t folded() const { return folded_; }

private:
    SecondBucket& bucket(std::uint64_t t_ns);
    const SecondBucket::Side& side(const SecondBucket& b) const { return from_client() ? b.client : b.server; }
    void sample(const trace::World& world);

    std::size_t folded_ = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> parsed_at_;  // req → Parsed time
    trace::GateClock gate_;  // the gate's closed spans so far: latencies leave paused time out
    std::deque<SecondBucket> seconds_;
    std::uint64_t total_requests_ = 0;
    std::uint64_t total_errors_ = 0;
    std::uint64_t client_requests_ = 0;
    std::uint64_t client_errors_ = 0;
    std::uint64_t newest_ns_ = 0;
    std::map<pid_t, WorkerSeries> workers_;
    std::deque<float> accept_queue_;
    std::uint64_t next_sample_ns_ = 0;
};

}  // namespace minicorn::studio
