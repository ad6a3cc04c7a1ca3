// engine/trace/keyframes.h — Keyframes: the World at any earlier instant of a
// Recording, quickly, with the folding done on a thread of its own.
//
// A thread folds the Recording's events as they are published (EventStore
// never moves them, so it reads them while the owner appends), keeps a copy
// of the folded World every `every` events, and publishes the newest World it
// has (latest()) each time it catches up: the studio's UI thread takes that
// instead of folding, so a flood of events never costs a frame.
// world_after(n) restores the last keyframe at or before event n and folds
// the rest on the calling thread — at most every - 1 events until 1,024
// keyframes are kept; then every other one is dropped and the next are spaced
// twice as far (a World is large). Stepping back, scrubbing, or opening a
// recording at any instant costs one World copy and a short fold, never a re-run.
//
// The fold is TraceModel::apply, the same pure step the live World is made
// with, so the World after n events here equals TraceModel::fold of the first n.
//
// Does not own the Recording: it must outlive the Keyframes (destroy this first).
// Thread affinity: the public methods on the Recording's owner's thread; the
// folding thread is private (it reads only published events and this object's
// keyframes, under its mutex).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "engine/trace/recording.h"
#include "engine/trace/world.h"

namespace minicorn::trace {

class Keyframes {
public:
    static constexpr std::size_t kDefaultEvery = 8192;

    explicit Keyframes(const Recording& rec, std::size_t every = kDefaultEvery);
    ~Keyframes();
    Keyframes(const Keyframes&) = delete;
    Keyframes& operator=(const Keyframes&) = delete;

    // Events were appended: fold them soon (the thread also looks every few ms).
    void poke();
    // Blocks until every event published so far is folded and keyframed (tests, benchmarks).
    void wait_idle();

    // The World after events [0, n) of the Recording (n ≤ its size), with
    // now_ns the time of event n - 1 (0 when n is 0). `replayed`, if given:
    // how many events were folded on this call. Copies the keyframe under
    // the lock (the folding thread may thin them out meanwhile).
    World world_after(std::size_t n, std::size_t* replayed = nullptr) const;
    // The World at t: every event with t_ns ≤ t folded, now_ns = t.
    World world_at(std::uint64_t t_ns, std::size_t* replayed = nullptr) const;

    // The newest World the thread has folded (never null; empty before the
    // first event). Shared, immutable: hold it as long as needed.
    std::shared_ptr<const World> latest() const;

    std::size_t every() const { return every_; }
    std::size_t count() const;   // keyframes kept
    std::size_t folded() const;  // events the thread has folded

private:
    struct Keyframe {
        std::size_t next;  // events [0, next) are folded into `world`
        World world;
    };
    void run();

    const Recording& rec_;
    const std::size_t every_;
    mutable std::mutex mu_;
    std::condition_variable wake_;    // the thread: new events, or stop
    std::condition_variable idle_;    // wait_idle(): the thread caught up
    std::deque<Keyframe> keyframes_;  // ascending next (a deque: growing never copies a World)
    std::size_t folded_ = 0;
    std::shared_ptr<const World> latest_;
    bool stop_ = false;
    bool poked_ = false;
    std::thread thread_;
};

}  // namespace minicorn::trace
