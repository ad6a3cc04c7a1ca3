#include "engine/trace/collector.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <iterator>

namespace minicorn::trace {

namespace {
bool process_gone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }
bool earlier(const Event& a, const Event& b) { return a.t_ns < b.t_ns; }
}  // namespace

Collector::Collector(Region& region, std::chrono::milliseconds holdback)
    : region_(region), gate_(region), holdback_(holdback), last_dropped_(region.ring_count(), 0) {}

std::size_t Collector::read_rings() {
    std::size_t read = 0;
    const std::uint64_t cap = region_.ring_capacity();
    for (std::uint32_t i = 0; i < region_.ring_count(); ++i) {
        RingHeader& ring = region_.ring(i);
        std::uint64_t head = ring.head.load(std::memory_order_acquire);
        std::uint64_t tail = ring.tail.load(std::memory_order_relaxed);
        if (head != tail) {
            const Event* slots = region_.ring_slots(i);
            std::size_t run_start = pending_.size();
            for (std::uint64_t p = tail; p != head; ++p) pending_.push_back(slots[p & (cap - 1)]);
            ring.tail.store(head, std::memory_order_release);
            read += head - tail;
            // One thread's events are in time order already, almost always:
            // keep them as a run for the merge.
            if (!std::is_sorted(pending_.begin() + static_cast<std::ptrdiff_t>(run_start), pending_.end(), earlier)) {
                std::stable_sort(pending_.begin() + static_cast<std::ptrdiff_t>(run_start), pending_.end(), earlier);
            }
            runs_.push_back(pending_.size());
        }
        std::uint64_t dropped = ring.dropped.load(std::memory_order_relaxed);
        if (dropped != last_dropped_[i]) {
            Event e{};
            e.t_ns = now_ns();
            e.pid = ring.owner_pid.load(std::memory_order_relaxed);
            e.tid = ring.owner_tid.load(std::memory_order_relaxed);
            e.kind = EventKind::RingDrops;
            e.a0 = static_cast<std::int64_t>(dropped - last_dropped_[i]);
            pending_.push_back(e);
            runs_.push_back(pending_.size());
            last_dropped_[i] = dropped;
        }
    }
    return read;
}

void Collector::read_counters(std::uint64_t now) {
    RegionHeader& h = region_.header();
    for (std::uint32_t i = 0; i < h.process_slots; ++i) {
        ProcessSlot& s = region_.process_slot(i);
        pid_t pid = s.pid.load(std::memory_order_acquire);
        if (pid == 0) continue;
        auto& last = last_counters_[pid];
        for (std::size_t c = 0; c < last.size(); ++c) {
            std::uint64_t v = s.counters[c].load(std::memory_order_relaxed);
            if (v == last[c]) continue;
            last[c] = v;
            Event e{};
            e.t_ns = now;
            e.pid = pid;
            e.tid = pid;
            e.kind = EventKind::Counter;
            e.a0 = static_cast<std::int64_t>(c);
            e.a1 = static_cast<std::int64_t>(v);
            pending_.push_back(e);
        }
    }
    runs_.push_back(pending_.size());  // all stamped `now`: one sorted run
    std::size_t gate_start = pending_.size();
    gate_.poll(pending_);  // GateClose / GateOpen, in time order: one run
    if (pending_.size() != gate_start) runs_.push_back(pending_.size());
}

// Rings and counter slots of processes that are gone go back to the pool,
// once everything they wrote has been read.
void Collector::reclaim_dead() {
    for (std::uint32_t i = 0; i < region_.ring_count(); ++i) {
        RingHeader& ring = region_.ring(i);
        pid_t owner = ring.owner_pid.load(std::memory_order_acquire);
        if (owner == 0 || !process_gone(owner)) continue;
        if (ring.head.load(std::memory_order_acquire) != ring.tail.load(std::memory_order_relaxed)) continue;
        ring.owner_pid.compare_exchange_strong(owner, 0, std::memory_order_acq_rel);
    }
    RegionHeader& h = region_.header();
    for (std::uint32_t i = 0; i < h.process_slots; ++i) {
        ProcessSlot& s = region_.process_slot(i);
        pid_t pid = s.pid.load(std::memory_order_acquire);
        if (pid == 0 || !process_gone(pid)) continue;
        s.pid.compare_exchange_strong(pid, 0, std::memory_order_acq_rel);
        last_counters_.erase(pid);
    }
}

void Collector::commit(std::uint64_t cutoff, const Sink& sink) {
    // Merge the sorted runs pairwise (what stayed pending last time is the
    // first run): O(n log runs) rather than a full sort.
    std::vector<std::size_t> bounds{0};
    for (std::size_t b : runs_) {
        if (b > bounds.back()) bounds.push_back(b);
    }
    if (bounds.back() != pending_.size()) bounds.push_back(pending_.size());
    while (bounds.size() > 2) {
        std::vector<std::size_t> merged{0};
        for (std::size_t i = 0; i + 2 < bounds.size(); i += 2) {
            auto first = pending_.begin() + static_cast<std::ptrdiff_t>(bounds[i]);
            std::inplace_merge(first, pending_.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]),
                               pending_.begin() + static_cast<std::ptrdiff_t>(bounds[i + 2]), earlier);
            merged.push_back(bounds[i + 2]);
        }
        if (bounds.size() % 2 == 0) merged.push_back(bounds.back());
        bounds = std::move(merged);
    }
    runs_.clear();
    auto end = std::partition_point(pending_.begin(), pending_.end(),
                                    [cutoff](const Event& e) { return e.t_ns < cutoff; });
    if (end == pending_.begin()) return;
    for (auto it = pending_.begin(); it != end; ++it) {
        if (it->t_ns < committed_ns_) {  // arrived after its neighbours were committed
            it->t_ns = committed_ns_;
            ++late_;
        }
    }
    committed_ns_ = std::prev(end)->t_ns;
    sink(std::span<const Event>(pending_.data(), static_cast<std::size_t>(end - pending_.begin())));
    pending_.erase(pending_.begin(), end);
    if (!pending_.empty()) runs_.push_back(pending_.size());  // what stays is one sorted run
}

std::size_t Collector::collect(bool everything, const Sink& sink) {
    std::uint64_t now = now_ns();
    read_counters(now);
    std::size_t n = read_rings();
    reclaim_dead();
    auto hold = static_cast<std::uint64_t>(std::chrono::nanoseconds(holdback_).count());
    commit(everything ? ~std::uint64_t{0} : now > hold ? now - hold : 0, sink);
    return n;
}

std::size_t Collector::drain(Recording& rec) {
    return collect(false, [&rec](std::span<const Event> events) { rec.append(events); });
}

std::size_t Collector::flush(Recording& rec) {
    return collect(true, [&rec](std::span<const Event> events) { rec.append(events); });
}

std::size_t Collector::drain(std::vector<Event>& out) {
    return collect(false, [&out](std::span<const Event> events) { out.insert(out.end(), events.begin(), events.end()); });
}

std::size_t Collector::flush(std::vector<Event>& out) {
    return collect(true, [&out](std::span<const Event> events) { out.insert(out.end(), events.begin(), events.end()); });
}

}  // namespace minicorn::trace
