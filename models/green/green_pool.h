// models/green/green_pool.h — a pool of greenlet slots (gevent.pool.Pool,
// eventlet.GreenPool): at most `size` connections handled at once, per
// listener. A greenlet that needs a slot while the pool is full parks until
// one frees.
//
// Thread affinity: greenlets of one hub (one OS thread).
#pragma once

#include <boost/fiber/condition_variable.hpp>
#include <boost/fiber/mutex.hpp>
#include <cstddef>

namespace minicorn::models {

class GreenPool {
public:
    explicit GreenPool(std::size_t size) : size_(size) {}
    bool full() const { return used_ >= size_; }
    std::size_t used() const { return used_; }
    std::size_t size() const { return size_; }

    // Takes a slot, parking the calling greenlet while the pool is full.
    void acquire() {
        std::unique_lock lock(mu_);
        freed_.wait(lock, [this] { return used_ < size_; });
        ++used_;
    }
    // Parks until a slot is free, without taking it (gevent stops accepting instead).
    void wait_slot() {
        std::unique_lock lock(mu_);
        freed_.wait(lock, [this] { return used_ < size_; });
    }
    void release() {
        {
            std::unique_lock lock(mu_);
            --used_;
        }
        freed_.notify_all();
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
    boost::fibers::mutex mu_;
    boost::fibers::condition_variable freed_;
};

}  // namespace minicorn::models
