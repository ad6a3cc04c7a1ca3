#include "engine/trace/region.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <utility>

namespace minicorn::trace {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free && std::atomic<std::int64_t>::is_always_lock_free &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the region's atomics are shared across processes: they must be lock-free");
static_assert(sizeof(RingHeader) == 64, "a ring header is one cache line");

namespace {

std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) / a * a; }

struct Layout {
    std::size_t slots_offset;
    std::size_t rings_offset;
    std::size_t ring_stride;
    std::size_t total;
};

Layout layout_for(std::uint32_t rings, std::uint32_t capacity, std::uint32_t slots) {
    Layout l{};
    l.slots_offset = align_up(sizeof(RegionHeader), 64);
    l.rings_offset = align_up(l.slots_offset + slots * sizeof(ProcessSlot), 4096);
    l.ring_stride = align_up(sizeof(RingHeader) + std::size_t{capacity} * sizeof(Event), 4096);
    l.total = l.rings_offset + rings * l.ring_stride;
    return l;
}

}  // namespace

Region Region::create(std::string* error, std::uint32_t rings, std::uint32_t capacity) {
    Region r;
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) {
        if (error) *error = "ring capacity must be a power of two";
        return r;
    }
    Layout l = layout_for(rings, capacity, kProcessSlots);
    int fd = ::memfd_create("minicorn-trace", MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(l.total)) != 0) {
        if (error) *error = std::string("memfd for the trace: ") + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return r;
    }
    void* base = ::mmap(nullptr, l.total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        if (error) *error = std::string("mmap of the trace region: ") + std::strerror(errno);
        ::close(fd);
        return r;
    }
    // A fresh memfd is zero-filled: every atomic starts at 0, every ring free.
    auto* h = new (base) RegionHeader{};
    h->ring_count = rings;
    h->ring_capacity = capacity;
    h->process_slots = kProcessSlots;
    h->magic = kRegionMagic;
    r.base_ = base;
    r.size_ = l.total;
    r.fd_ = fd;
    r.owns_fd_ = true;
    return r;
}

Region Region::attach(int fd, std::string* error) {
    Region r;
    struct stat st{};
    if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(RegionHeader))) {
        if (error) *error = "--trace-fd " + std::to_string(fd) + " is not a minicorn trace region";
        return r;
    }
    auto size = static_cast<std::size_t>(st.st_size);
    void* base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) {
        if (error) *error = std::string("mmap of the trace region: ") + std::strerror(errno);
        return r;
    }
    auto* h = static_cast<RegionHeader*>(base);
    Layout l = layout_for(h->ring_count, h->ring_capacity, h->process_slots);
    if (h->magic != kRegionMagic || l.total != size) {
        ::munmap(base, size);
        if (error) *error = "--trace-fd " + std::to_string(fd) + " is not a minicorn trace region (bad header)";
        return r;
    }
    r.base_ = base;
    r.size_ = size;
    r.fd_ = fd;
    r.owns_fd_ = false;
    return r;
}

Region::Region(Region&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      fd_(std::exchange(other.fd_, -1)),
      owns_fd_(std::exchange(other.owns_fd_, false)) {}

Region& Region::operator=(Region&& other) noexcept {
    if (this != &other) {
        this->~Region();
        new (this) Region(std::move(other));
    }
    return *this;
}

Region::~Region() {
    if (base_) ::munmap(base_, size_);
    if (owns_fd_ && fd_ >= 0) ::close(fd_);
    base_ = nullptr;
}

ProcessSlot& Region::process_slot(std::uint32_t i) const {
    Layout l = layout_for(header().ring_count, header().ring_capacity, header().process_slots);
    return reinterpret_cast<ProcessSlot*>(static_cast<char*>(base_) + l.slots_offset)[i];
}

RingHeader& Region::ring(std::uint32_t i) const {
    Layout l = layout_for(header().ring_count, header().ring_capacity, header().process_slots);
    return *reinterpret_cast<RingHeader*>(static_cast<char*>(base_) + l.rings_offset + i * l.ring_stride);
}

Event* Region::ring_slots(std::uint32_t i) const {
    return reinterpret_cast<Event*>(reinterpret_cast<char*>(&ring(i)) + sizeof(RingHeader));
}

std::uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace minicorn::trace
