#include "engine/trace/collector.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>

#include "engine/trace/ev.h"

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
            // At most two contiguous pieces (the ring may wrap): copied whole, not event by event.
            const std::uint64_t from = tail & (cap - 1);
            const std::uint64_t first = std::min(head - tail, cap - from);
            pending_.insert(pending_.end(), slots + from, slots + from + first);
            pending_.insert(pending_.end(), slots, slots + (head - tail - first));
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
            ev::RingDrops{.dropped = dropped - last_dropped_[i]}.fill(e);
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
            ev::Counter{.counter = c, .value = v}.fill(e);
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

// Merges the sorted runs of pending_ pairwise into one: O(n log runs). Only
// where two runs overlap in time do events move: a run that starts after
// everything before it (the usual case — each thread's new events come after
// those held back) costs two binary searches.
void Collector::merge_runs() {
    std::vector<std::size_t> bounds{pending_head_};
    for (std::size_t b : runs_) {
        if (b > bounds.back()) bounds.push_back(b);
    }
    if (bounds.back() != pending_.size()) bounds.push_back(pending_.size());
    const auto at = [this](std::size_t i) { return pending_.begin() + static_cast<std::ptrdiff_t>(i); };
    while (bounds.size() > 2) {
        std::vector<std::size_t> merged{bounds.front()};
        for (std::size_t i = 0; i + 2 < bounds.size(); i += 2) {
            auto middle = at(bounds[i + 1]);
            // Stable: events of the first run not later than the second's first stay first,
            // events of the second not earlier than the first's last stay last.
            auto first = std::upper_bound(at(bounds[i]), middle, *middle, earlier);
            auto last = std::lower_bound(middle, at(bounds[i + 2]), *(middle - 1), earlier);
            if (first != middle && middle != last) std::inplace_merge(first, middle, last, earlier);
            merged.push_back(bounds[i + 2]);
        }
        if (bounds.size() % 2 == 0) merged.push_back(bounds.back());
        bounds = std::move(merged);
    }
    runs_.clear();
}

void Collector::commit(EventSink& rec, std::uint64_t cutoff) {
    merge_runs();
    const auto begin = pending_.begin() + static_cast<std::ptrdiff_t>(pending_head_);
    const auto end = std::partition_point(begin, pending_.end(), [cutoff](const Event& e) { return e.t_ns < cutoff; });
    if (end != begin) {
        std::uint64_t floor = rec.last_time();
        for (auto it = begin; it != end; ++it) {
            if (it->t_ns < floor) {  // arrived after its neighbours were committed
                it->t_ns = floor;
                ++late_;
            }
        }
        rec.append(std::span<const Event>(&*begin, static_cast<std::size_t>(end - begin)));
        pending_head_ = static_cast<std::size_t>(end - pending_.begin());
    }
    // Committed events leave pending_ once they are the larger part, so each
    // event is moved about once, not once per drain while it is held back.
    if (pending_head_ == pending_.size()) {
        pending_.clear();
        pending_head_ = 0;
    } else if (pending_head_ > pending_.size() - pending_head_) {
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_head_));
        pending_head_ = 0;
    }
    if (pending_head_ != pending_.size()) runs_.push_back(pending_.size());  // what stays is one sorted run
}

std::size_t Collector::drain(EventSink& rec) {
    std::uint64_t now = now_ns();
    read_counters(now);
    std::size_t n = read_rings();
    reclaim_dead();
    auto hold = static_cast<std::uint64_t>(std::chrono::nanoseconds(holdback_).count());
    commit(rec, now > hold ? now - hold : 0);
    return n;
}

std::size_t Collector::flush(EventSink& rec) {
    std::uint64_t now = now_ns();
    read_counters(now);
    std::size_t n = read_rings();
    reclaim_dead();
    commit(rec, ~std::uint64_t{0});
    return n;
}

}  // namespace minicorn::trace
