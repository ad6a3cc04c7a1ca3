// engine/trace/collector.h — drains every ring of a region into a Recording.
//
// Events from different threads reach their rings a little out of order, so
// drained events wait in a small reorder buffer and are committed to the
// Recording, in time order, once they are older than the holdback (100 ms by
// default). flush() commits everything. The collector also turns changes of
// the never-dropped per-process counters into Counter events, reports ring
// drops as RingDrops events, and frees the rings and counter slots of
// processes that have exited (after draining them), and writes the gate's
// closings and openings as GateClose / GateOpen events (gate.h GateWatcher).
//
// Thread affinity: one Collector per region, driven by one thread.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "engine/trace/gate.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"

namespace minicorn::trace {

class Collector {
public:
    explicit Collector(Region& region, std::chrono::milliseconds holdback = std::chrono::milliseconds(100));

    // Reads every ring; commits what is older than the holdback. Returns the
    // number of events read from the rings.
    std::size_t drain(Recording& rec);
    // Reads every ring and commits everything (the producers have stopped).
    std::size_t flush(Recording& rec);
    // The same, appending the committed events to `out` rather than to a
    // Recording (a reader that stores them itself: the studio's collector
    // thread hands them to its main thread).
    std::size_t drain(std::vector<Event>& out);
    std::size_t flush(std::vector<Event>& out);

    // Events that arrived later than the holdback allowed (their time was
    // clamped to keep the Recording ordered). Should stay 0.
    std::uint64_t late_events() const { return late_; }

private:
    std::size_t read_rings();
    void read_counters(std::uint64_t now);
    void reclaim_dead();
    using Sink = std::function<void(std::span<const Event>)>;
    std::size_t collect(bool everything, const Sink& sink);
    void commit(std::uint64_t cutoff, const Sink& sink);

    Region& region_;
    GateWatcher gate_;
    std::chrono::milliseconds holdback_;
    std::vector<Event> pending_;           // drained, not committed yet
    std::vector<std::size_t> runs_;        // ends of the sorted runs in pending_
    std::map<pid_t, std::array<std::uint64_t, static_cast<std::size_t>(CounterId::kCount)>> last_counters_;
    std::vector<std::uint64_t> last_dropped_;
    std::uint64_t committed_ns_ = 0;       // the time of the last event committed
    std::uint64_t late_ = 0;
};

}  // namespace minicorn::trace
