// models/green/green_pool.h — a pool of greenlet slots (gevent.pool.Pool,
// eventlet.GreenPool): at most `size` connections handled at once, per
// listener. A greenlet that needs a slot while the pool is full parks in the
// hub (a WaitQueue: traced as parked, and killable) until one frees.
//
// Thread affinity: greenlets of one hub (one OS thread).
#pragma once

#include <cstddef>
#include <limits>

#include "engine/hub/hub.h"

namespace minicorn::models {

class GreenPool {
public:
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    explicit GreenPool(std::size_t size) : size_(size) {}
    bool full() const { return used_ >= size_; }
    std::size_t used() const { return used_; }
    std::size_t size() const { return size_; }

    // Takes a slot, parking the calling greenlet while the pool is full.
    void acquire() {
        wait_slot();
        ++used_;
    }
    // Parks until a slot is free, without taking it (gevent stops accepting instead).
    void wait_slot() {
        while (full()) hub::Hub::current().wait_queue(freed_);
    }
    void release() {
        --used_;
        hub::Hub::current().wake_one(freed_);
    }

    // Gives a slot taken by acquire() back however the greenlet ends —
    // returned, raised or killed (a GreenletExit, a HubExit) — so a graceful
    // stop, which waits for used() to reach 0, never waits for a lost slot.
    struct Held {
        GreenPool& pool;
        explicit Held(GreenPool& p) : pool(p) {}
        Held(const Held&) = delete;
        Held& operator=(const Held&) = delete;
        ~Held() { pool.release(); }
    };

private:
    std::size_t size_;
    std::size_t used_ = 0;
    hub::WaitQueue freed_;
};

}  // namespace minicorn::models
