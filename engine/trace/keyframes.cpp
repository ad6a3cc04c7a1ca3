// engine/trace/keyframes.cpp — see keyframes.h.
#include "engine/trace/keyframes.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "engine/trace/model.h"

namespace minicorn::trace {

namespace {
// Keyframes kept at most; past it they are thinned out (run()). Memory for
// them stays under ~kMaxKeyframes Worlds, and a restore folds at most
// size / (kMaxKeyframes / 2) events.
constexpr std::size_t kMaxKeyframes = 1024;
}  // namespace

Keyframes::Keyframes(const Recording& rec, std::size_t every)
    : rec_(rec), every_(std::max<std::size_t>(1, every)), latest_(std::make_shared<const World>()),
      thread_([this] { run(); }) {}

Keyframes::~Keyframes() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void Keyframes::poke() {
    {
        std::lock_guard lock(mu_);
        poked_ = true;
    }
    wake_.notify_one();
}

void Keyframes::wait_idle() {
    const std::size_t target = rec_.store().published();
    poke();
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return folded_ >= target || stop_; });
}

std::size_t Keyframes::count() const {
    std::lock_guard lock(mu_);
    return keyframes_.size();
}

std::shared_ptr<const World> Keyframes::latest() const {
    std::lock_guard lock(mu_);
    return latest_;
}

std::size_t Keyframes::folded() const {
    std::lock_guard lock(mu_);
    return folded_;
}

// The folding thread: its own World, advanced over the published events; a
// copy kept every `every_` events, and one published as latest_ whenever it
// has caught up. Worlds are copied outside the lock; only the push into the
// deque (a move) and the swap of latest_ hold it.
void Keyframes::run() {
    World world;
    std::size_t done = 0;
    std::size_t published = 0;
    std::size_t spacing = every_;  // doubles each time the keyframes are thinned out
    while (true) {
        std::shared_ptr<const World> fresh;
        if (done != published) {
            fresh = std::make_shared<const World>(world);
            published = done;
        }
        {
            std::unique_lock lock(mu_);
            if (fresh) latest_.swap(fresh);
            folded_ = done;
            idle_.notify_all();
            wake_.wait_for(lock, std::chrono::milliseconds(5),
                           [&] { return stop_ || poked_ || rec_.store().published() > done; });
            poked_ = false;
            if (stop_) return;
        }
        const std::size_t end = rec_.store().published();
        if (end <= done) continue;
        // Read the store's address only once published() said there is something:
        // the acquire orders it after the append that reserved it (TSan saw this
        // read race the first append when nothing had been published yet).
        const Event* events = rec_.store().data();
        while (done < end) {
            TraceModel::apply(world, events[done]);
            ++done;
            if (done % spacing == 0) {
                Keyframe k{done, world};
                std::lock_guard lock(mu_);
                keyframes_.push_back(std::move(k));
                if (keyframes_.size() > kMaxKeyframes) {
                    // A World is large (about 1.6 MB with 1,000 connections): past
                    // kMaxKeyframes, keep every other one and space the next ones twice as far.
                    std::deque<Keyframe> kept;
                    for (std::size_t i = 1; i < keyframes_.size(); i += 2) kept.push_back(std::move(keyframes_[i]));
                    keyframes_.swap(kept);
                    spacing *= 2;
                }
                folded_ = done;
                if (stop_) return;
            }
        }
    }
}

World Keyframes::world_after(std::size_t n, std::size_t* replayed) const {
    n = std::min(n, rec_.size());
    World w;
    std::size_t from = 0;
    {
        // Copied under the lock: the folding thread thins the keyframes out (below).
        std::lock_guard lock(mu_);
        auto it = std::upper_bound(keyframes_.begin(), keyframes_.end(), n,
                                   [](std::size_t pos, const Keyframe& k) { return pos < k.next; });
        if (it != keyframes_.begin()) {
            w = std::prev(it)->world;
            from = std::prev(it)->next;
        }
    }
    const Event* events = rec_.store().data();
    for (std::size_t i = from; i < n; ++i) TraceModel::apply(w, events[i]);
    if (replayed) *replayed = n - from;
    w.now_ns = n > 0 ? events[n - 1].t_ns : 0;
    return w;
}

World Keyframes::world_at(std::uint64_t t_ns, std::size_t* replayed) const {
    const std::size_t n = t_ns == UINT64_MAX ? rec_.size() : rec_.lower_bound(t_ns + 1);
    World w = world_after(n, replayed);
    w.now_ns = t_ns;
    return w;
}

}  // namespace minicorn::trace
