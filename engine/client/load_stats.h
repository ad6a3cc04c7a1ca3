// engine/client/load_stats.h — what one engine thread counted, and what the
// threads share while they run (the stop flag, id counters, progress).
//
// LoadStats: owned and written by one engine thread; read after it stops
// (merge() the threads' stats). SharedState: atomics, any thread.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "engine/client/histogram.h"
#include "engine/trace/event.h"

namespace minicorn::client {

inline constexpr std::size_t kErrorKinds = 7;  // index = trace::ClientErrorKind (0 unused)
inline constexpr std::size_t kRoles = 5;       // index = trace::ClientRole

// The bad actors, by role: what happened to their connections.
struct RoleStats {
    std::uint64_t connections = 0;  // connects that succeeded
    std::uint64_t responses = 0;    // complete responses they got
    std::uint64_t cut = 0;          // the server closed or reset them
};

struct LoadStats {
    // The virtual users' (good) requests.
    std::uint64_t attempts = 0;     // requests begun (connect included)
    std::uint64_t requests = 0;     // complete responses, any status
    std::uint64_t bytes_read = 0;   // response bytes (all connections)
    std::uint64_t bytes_written = 0;
    std::uint64_t connects = 0;     // connections made by virtual users
    std::array<std::uint64_t, kErrorKinds> errors{};  // by ClientErrorKind
    std::array<std::uint64_t, 6> status_class{};      // [1]=1xx … [5]=5xx, [0] other
    std::vector<std::uint64_t> per_mix;               // complete responses by mix index
    Histogram latency;                                 // microseconds
    std::uint64_t idle_closed = 0;       // keep-alive connections the server closed between requests
    std::uint64_t dropped_arrivals = 0;  // open loop: arrivals with no connection to take them (at the cap)
    std::array<RoleStats, kRoles> roles{};

    std::uint64_t error_count() const;
    std::uint64_t& error(trace::ClientErrorKind k) { return errors[static_cast<std::size_t>(k)]; }
    std::uint64_t error(trace::ClientErrorKind k) const { return errors[static_cast<std::size_t>(k)]; }
    void merge(const LoadStats& other);
};

struct SharedState {
    pid_t pid = 0;
    std::atomic<bool> stop{false};             // set by a signal, the clock, or the last request
    std::atomic<std::uint64_t> issued{0};      // requests claimed against -n
    std::atomic<std::uint32_t> conn_seq{0};    // client connection ids: make_id(pid, seq)
    std::atomic<std::uint32_t> req_seq{0};     // client request ids (X-Request-Id)
    std::atomic<int> bad_pending{0};           // bad actors not yet connected; good users wait for 0
    // For the progress line.
    std::atomic<std::uint64_t> done{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::int64_t> open{0};
};

}  // namespace minicorn::client
