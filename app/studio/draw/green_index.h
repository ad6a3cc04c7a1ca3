// app/studio/draw/green_index.h — which connection each live greenlet
// serves, learnt from the events as they arrive.
//
// Why: the engine's connection steps (ReadStart, HandlerStart, …) carry no
// greenlet id, only the hub's GreenSwitch says which greenlet runs; so the
// World cannot tell that greenlet 12, asleep in /io, serves :53122. A green
// worker spawns one greenlet per connection, so the first connection step
// after a switch to a greenlet names its connection for life; GreenExit ends
// the entry. The acceptor's Accepted does not count (it serves nobody).
//
// When a greenlet wakes from its fd, the hub may resume it without a
// GreenSwitch: the greenlet woken while none runs is taken to run next.
//
// Incremental: each update() reads only the events appended since the last
// one; a Recording that shrank (replaced) starts over. Not tied to an
// instant: a greenlet's connection does not change, so it holds in replay too.
//
// Thread affinity: the studio's main thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <unordered_map>

#include "engine/trace/recording.h"

namespace minicorn::studio {

class GreenConnIndex {
public:
    // Reads at most `budget` new events, so opening a long recording costs a
    // few frames a little each rather than one frame a lot.
    static constexpr std::size_t kDefaultBudget = 60'000;  // ~2 ms
    void update(const trace::Recording& rec, std::size_t budget = kDefaultBudget);
    bool caught_up(const trace::Recording& rec) const { return scanned_ == rec.size(); }
    // The connection greenlet `green` of process `pid` serves; 0 if unknown.
    std::uint64_t conn_of(pid_t pid, std::uint32_t green) const;
    static constexpr std::size_t kMaxRemembered = 1'000'000;
    // The greenlet that served connection `conn` (kept after it ends); 0 if unknown.
    std::uint32_t green_of(std::uint64_t conn) const;
    std::size_t size() const { return conns_.size(); }

private:
    static std::uint64_t key(pid_t pid, std::uint32_t green) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 32) | green;
    }
    std::size_t scanned_ = 0;
    std::unordered_map<std::uint64_t, std::uint64_t> conns_;  // (pid, green) → conn
    std::unordered_map<std::uint64_t, std::uint32_t> greens_; // conn → green
    std::unordered_map<pid_t, std::uint32_t> running_;         // thread → the greenlet it switched to last
};

}  // namespace minicorn::studio
