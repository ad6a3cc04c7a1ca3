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
#include <map>
#include <span>
#include <vector>

#include "engine/trace/gate.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"

namespace minicorn::trace {

// A sink for a reader that stores the events itself (the studio's collector
// thread hands them to its main thread): events() holds what was committed
// since the reader last cleared it; last_time() outlives the clearing.
class EventBuffer final : public EventSink {
public:
    void append(std::span<const Event> sorted) override {
        events_.insert(events_.end(), sorted.begin(), sorted.end());
        if (!sorted.empty()) last_ = sorted.back().t_ns;
    }
    std::uint64_t last_time() const override { return last_; }
    std::vector<Event>& events() { return events_; }

private:
    std::vector<Event> events_;
    std::uint64_t last_ = 0;
};

class Collector {
public:
    explicit Collector(Region& region, std::chrono::milliseconds holdback = std::chrono::milliseconds(100));

    // Reads every ring; commits what is older than the holdback. Returns the
    // number of events read from the rings.
    std::size_t drain(EventSink& rec);
    // Reads every ring and commits everything (the producers have stopped).
    std::size_t flush(EventSink& rec);

    // Events that arrived later than the holdback allowed (their time was
    // clamped to keep the Recording ordered). Should stay 0.
    std::uint64_t late_events() const { return late_; }

private:
    std::size_t read_rings();
    void read_counters(std::uint64_t now);
    void reclaim_dead();
    void commit(EventSink& rec, std::uint64_t cutoff);
    void merge_runs();

    Region& region_;
    GateWatcher gate_;
    std::chrono::milliseconds holdback_;
    std::vector<Event> pending_;           // [pending_head_, end): drained, not committed yet
    std::size_t pending_head_ = 0;         // committed events before it wait to be compacted away
    std::vector<std::size_t> runs_;        // ends of the sorted runs in pending_
    std::map<pid_t, std::array<std::uint64_t, static_cast<std::size_t>(CounterId::kCount)>> last_counters_;
    std::vector<std::uint64_t> last_dropped_;
    std::uint64_t late_ = 0;
};

}  // namespace minicorn::trace
