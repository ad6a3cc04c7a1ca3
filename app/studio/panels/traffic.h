// app/studio/panels/traffic.h — the Traffic panel: the built-in client's
// settings (`minicorn load`: virtual users or a fixed rate, keep-alive, the
// request mix, bad actors), start and stop, and what the traffic does: live
// requests a second, errors, and a latency histogram.
//
// Thread affinity: the main thread.
#pragma once

#include <string>
#include <vector>

#include "app/studio/panels/metrics.h"
#include "app/studio/panels/session_status.h"
#include "app/studio/panels/view.h"

namespace minicorn::studio {

struct TrafficState {
    enum class Mode { Users, Rate };
    Mode mode = Mode::Users;
    int users = 8;              // -c
    int rate = 50;              // --rate (requests a second)
    bool keep_alive = true;     // --keep-alive on|off
    std::string mix = "/io?ms=50:60,/cpu?ms=10:20,/:20";
    int slowloris = 0;          // --slowloris N
    int slowloris_ms = 500;     // --slowloris-ms
    int silent = 0;             // --silent N: connect and say nothing
    int slow_readers = 0;       // --slow-readers N
    int aborters = 0;           // --aborters N
    int timeout_s = 30;         // --timeout
    bool wanted = true;         // the learner wants traffic (started when the server listens)
    std::vector<std::string> applied;  // the load args the client runs with now
};

// `minicorn load` flags (without URL, --trace-fd, --quiet).
std::vector<std::string> load_args(const TrafficState& state);

void draw_traffic(const View& view, TrafficState& state, const Metrics& metrics, const SessionStatus& status,
                  Actions& actions);

// The latency histogram alone (also used by the Stats panel).
void draw_latency_histogram(const Metrics& metrics, float height);

}  // namespace minicorn::studio
