// engine/trace/region.h — the shared-memory region every traced process
// writes into: a header (the gate, engine time), a table of per-process
// counters, and one single-producer ring of events per producing thread.
//
// Ownership: the observer (the studio, `minicorn serve --trace`'s collector
// process, or a test) creates the region (memfd) and hands the fd to
// `minicorn serve --trace-fd N`; the master maps it and its forked workers
// inherit the mapping. Producers never block on the observer: a full ring
// drops the event and counts it — except in gated mode, where the producer
// waits for room, so nothing is lost.
//
// Concurrency: each ring has exactly one producer (the thread that claimed
// it) and one consumer (the collector). Slots are claimed with a CAS on the
// owner field; everything shared is a lock-free atomic.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/trace/event.h"

namespace minicorn::trace {

inline constexpr std::uint64_t kRegionMagic = 0x32304543524e494dULL;  // "MINRCE02"
inline constexpr std::uint32_t kDefaultRingCount = 128;
inline constexpr std::uint32_t kDefaultRingCapacity = 1u << 14;  // events; a power of two
inline constexpr std::uint32_t kProcessSlots = 256;

struct RegionHeader {
    std::uint64_t magic;
    std::uint32_t ring_count;
    std::uint32_t ring_capacity;
    std::uint32_t process_slots;
    std::uint32_t reserved;
    // The gate (gate.h).
    std::atomic<std::uint32_t> gated_mode;     // 1: gated decision points wait, full rings block
    std::atomic<std::uint32_t> gate_closed;    // 1: decision points need a token
    std::atomic<std::int64_t> gate_tokens;     // tokens not yet taken
    std::atomic<std::uint64_t> gated_passed;   // decision points that went through while gated
    std::atomic<std::uint32_t> shutting_down;  // the master is stopping: the gate lets everyone through
    std::atomic<std::uint32_t> time_seq;       // seqlock over engine time's fields below (odd: being written; gate_time.h)
    // Engine time = monotonic time minus the time spent with the gate closed.
    std::atomic<std::int64_t> paused_total_ns;
    std::atomic<std::int64_t> paused_since_ns;  // 0: not paused
    std::atomic<std::int64_t> last_open_ns;     // wall time the gate last opened (0: never)
    // A step opens the closed gate for one thread (gate.h): engine time runs
    // from the token until that thread reaches its next decision point, and at
    // most until step_until_ns (a thread that blocks on a frozen peer).
    std::atomic<std::int64_t> step_until_ns;    // 0: no step under way
    std::atomic<std::int32_t> step_owner_pid;   // the thread whose step keeps time running
    std::atomic<std::int32_t> step_owner_tid;
    // Step one of them (gate.h GateTarget): while one is set, only the decision
    // points of that process / thread / connection take tokens. 0: anyone.
    std::atomic<std::int32_t> target_pid;
    std::atomic<std::int32_t> target_tid;
    std::atomic<std::uint64_t> target_conn;
    // The last decision point that took a token, and who waits at the gate
    // (for "the next step belongs to someone else").
    std::atomic<std::int32_t> last_step_pid;
    std::atomic<std::int32_t> last_step_tid;
    std::atomic<std::uint32_t> last_step_kind;  // EventKind
    std::atomic<std::uint32_t> gate_waiting;    // threads waiting at the closed gate now
};

struct ProcessSlot {
    std::atomic<std::int32_t> pid;  // 0: free
    std::atomic<std::int32_t> role; // 0 arbiter, 1 worker
    std::atomic<std::uint64_t> counters[static_cast<std::size_t>(CounterId::kCount)];
    std::atomic<std::int64_t> heartbeat_engine_ns;  // the worker's last notify(), in engine time
};

struct RingHeader {
    std::atomic<std::int32_t> owner_pid;  // 0: free
    std::atomic<std::int32_t> owner_tid;
    std::atomic<std::uint64_t> head;      // next slot the producer writes (producer-owned)
    std::atomic<std::uint64_t> tail;      // next slot the consumer reads (consumer-owned)
    std::atomic<std::uint64_t> dropped;   // events lost to a full ring (producer increments)
    std::uint64_t pad[4];
};

// A mapped region. Movable, not copyable; unmaps on destruction (the fd is
// owned separately, see create()).
class Region {
public:
    // Creates a new region in a memfd. Returns an invalid Region and sets
    // *error on failure. The fd is close-on-exec; clear it to hand it to a child.
    static Region create(std::string* error, std::uint32_t rings = kDefaultRingCount,
                         std::uint32_t capacity = kDefaultRingCapacity);
    // Maps a region created elsewhere (fd passed by the observer).
    static Region attach(int fd, std::string* error);

    Region() = default;
    Region(Region&& other) noexcept;
    Region& operator=(Region&& other) noexcept;
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    ~Region();

    bool valid() const { return base_ != nullptr; }
    int fd() const { return fd_; }
    RegionHeader& header() const { return *static_cast<RegionHeader*>(base_); }
    ProcessSlot& process_slot(std::uint32_t i) const;
    RingHeader& ring(std::uint32_t i) const;
    Event* ring_slots(std::uint32_t i) const;
    std::uint32_t ring_count() const { return header().ring_count; }
    std::uint32_t ring_capacity() const { return header().ring_capacity; }

private:
    void* base_ = nullptr;
    std::size_t size_ = 0;
    int fd_ = -1;
    bool owns_fd_ = false;
};

// CLOCK_MONOTONIC in nanoseconds.
std::uint64_t now_ns();

}  // namespace minicorn::trace
