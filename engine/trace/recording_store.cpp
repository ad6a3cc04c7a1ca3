// engine/trace/recording_store.cpp — see recording_store.h.
#include "engine/trace/recording_store.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

namespace minicorn::trace {

namespace {
constexpr std::size_t kCommitStep = std::size_t{4} << 20;  // made usable 4 MiB (64 Ki events) at a time
}  // namespace

EventStore::~EventStore() { release(); }

EventStore::EventStore(const EventStore& other) { append(other.events()); }

EventStore& EventStore::operator=(const EventStore& other) {
    if (this != &other) {
        release();
        append(other.events());
    }
    return *this;
}

EventStore::EventStore(EventStore&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      committed_(std::exchange(other.committed_, 0)),
      published_(other.published_.exchange(0)) {}

EventStore& EventStore::operator=(EventStore&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
        committed_ = std::exchange(other.committed_, 0);
        published_.store(other.published_.exchange(0));
    }
    return *this;
}

void EventStore::release() {
    if (data_) ::munmap(data_, capacity_ * sizeof(Event));
    data_ = nullptr;
    size_ = capacity_ = committed_ = 0;
    published_.store(0);
}

// Address space only: PROT_NONE pages cost neither memory nor commit charge.
// A smaller reservation when the process's address space is limited (ulimit -v).
void EventStore::reserve_space() {
    for (std::size_t events = kMaxEvents; events >= (std::size_t{1} << 20); events /= 4) {
        void* p = ::mmap(nullptr, events * sizeof(Event), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            data_ = static_cast<Event*>(p);
            capacity_ = events;
            return;
        }
    }
    throw std::bad_alloc();
}

void EventStore::commit(std::size_t bytes) {
    const std::size_t want = std::min(capacity_ * sizeof(Event), (bytes + kCommitStep - 1) / kCommitStep * kCommitStep);
    if (::mprotect(reinterpret_cast<char*>(data_) + committed_, want - committed_, PROT_READ | PROT_WRITE) != 0) {
        throw std::bad_alloc();
    }
    committed_ = want;
}

void EventStore::append(std::span<const Event> events) {
    if (events.empty()) return;
    if (!data_) reserve_space();
    if (size_ + events.size() > capacity_) throw std::bad_alloc();  // a recording of a billion events
    const std::size_t need = (size_ + events.size()) * sizeof(Event);
    if (need > committed_) commit(need);
    std::memcpy(data_ + size_, events.data(), events.size_bytes());
    size_ += events.size();
    published_.store(size_, std::memory_order_release);
}

}  // namespace minicorn::trace
