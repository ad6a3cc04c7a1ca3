// engine/trace/recording_store.h — where a Recording keeps its events: one
// contiguous run of memory that never moves and is never copied as it grows.
//
// A std::vector<Event> doubles and copies itself as a recording grows (at 3 M
// events, 190 MB copied in one frame, and the old and new blocks both
// resident meanwhile). EventStore instead reserves address space for up to
// kMaxEvents once (PROT_NONE: no memory, no commit charge) and makes it
// usable, a step of whole pages at a time, as events arrive. Pages are backed
// only when written, so memory is 64 bytes per event and nothing else.
//
// Because events never move, another thread may read events [0, published())
// while the owner appends: published() is a release/acquire pair with the
// writes before it (the keyframer, keyframes.h, relies on it).
//
// Thread affinity: one writer; readers of published() events on any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>

#include "engine/trace/event.h"

namespace minicorn::trace {

class EventStore {
public:
    // 2^30 events (64 GiB of address space, reserved, not used).
    static constexpr std::size_t kMaxEvents = std::size_t{1} << 30;

    EventStore() = default;
    ~EventStore();
    EventStore(const EventStore& other);
    EventStore& operator=(const EventStore& other);
    EventStore(EventStore&& other) noexcept;
    EventStore& operator=(EventStore&& other) noexcept;

    // Appends `events` and then publishes the new size. Throws std::bad_alloc
    // when no address space can be reserved or the reservation is full.
    void append(std::span<const Event> events);

    std::span<const Event> events() const { return {data_, size_}; }
    std::size_t size() const { return size_; }
    // How many events another thread may read (all of them, once append() returned).
    std::size_t published() const { return published_.load(std::memory_order_acquire); }
    const Event* data() const { return data_; }
    // Bytes of memory made usable so far (whole pages; the figure docs/studio.md reports).
    std::size_t committed_bytes() const { return committed_; }

private:
    void reserve_space();
    void commit(std::size_t bytes);
    void release();

    Event* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;   // events the reservation holds
    std::size_t committed_ = 0;  // bytes usable (PROT_READ|PROT_WRITE) from data_
    std::atomic<std::size_t> published_{0};
};

}  // namespace minicorn::trace
