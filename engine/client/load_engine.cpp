// engine/client/load_engine.cpp — the load client's loop: the six phases of
// load_engine.h, one function each. The per-connection transitions are in
// vuser.cpp.
#include "engine/client/load_engine.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

#include "engine/sys/fd.h"
#include "engine/trace/emit.h"

namespace minicorn::client {

namespace {

constexpr std::int64_t kMaxWaitNs = 50'000'000;    // the loop looks at the clock and stop flag at least this often
constexpr std::int64_t kScanEveryNs = 50'000'000;  // timeout scan period
constexpr std::int64_t kBadActorHeadStartNs = 1'000'000'000;  // good users wait at most this for the bad actors
constexpr int kMaxEvents = 512;
constexpr std::size_t kRecvBuffer = 64 * 1024;

}  // namespace

// Engine time: with a trace region it stops while the gate is closed, so a
// paused client's timeouts, latencies and -d run time do not move.
std::int64_t mono_ns() { return trace::engine_now_ns(); }

LoadEngine::LoadEngine(const LoadConfig& cfg, const Target& target, const EngineShare& share, SharedState& shared,
                       std::uint64_t seed)
    : cfg_(cfg),
      target_(target),
      share_(share),
      shared_(shared),
      templates_(cfg.url, cfg.mix, cfg.keep_alive),
      rng_(seed),
      mix_seed_(seed),
      buf_(kRecvBuffer) {
    for (const MixEntry& m : cfg.mix) {
        mix_total_ += m.weight;
        mix_cumulative_.push_back(static_cast<std::uint32_t>(mix_total_));
    }
    stats_.per_mix.assign(cfg.mix.size(), 0);
    tick_ns_ = static_cast<std::int64_t>(cfg.slowloris_ms) * 1'000'000;
    timeout_ns_ = static_cast<std::int64_t>(cfg.timeout_s * 1e9);
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) sys::die_bug("epoll_create1()");

    auto add = [&](trace::ClientRole role, int count, std::int64_t first_number) {
        for (int i = 0; i < count; ++i) {
            VUser vu;
            vu.index = static_cast<std::uint32_t>(vus_.size());
            vu.number = first_number + i;
            vu.role = role;
            vus_.push_back(std::move(vu));
        }
    };
    // Bad actors first (numbered after the good users' range, so the two never clash in the trace).
    const std::int64_t bad_base = 1'000'000;
    add(trace::ClientRole::Slowloris, share.slowloris, bad_base);
    add(trace::ClientRole::Silent, share.silent, bad_base + 100'000);
    add(trace::ClientRole::SlowReader, share.slow_readers, bad_base + 200'000);
    add(trace::ClientRole::Aborter, share.aborters, bad_base + 300'000);
    add(trace::ClientRole::Good, share.virtual_users, share.first_user);
    vus_.reserve(vus_.size() + static_cast<std::size_t>(cfg.open_loop() ? std::min(share.max_connections, 4096) : 0));
}

LoadEngine::~LoadEngine() {
    for (VUser& vu : vus_) {
        if (vu.fd >= 0) ::close(vu.fd);
    }
    if (epfd_ >= 0) ::close(epfd_);
}

bool LoadEngine::claim_request() {
    if (stopping_) return false;
    if (cfg_.requests == 0) return true;
    return shared_.issued.fetch_add(1, std::memory_order_relaxed) < cfg_.requests;
}

// The path of request number `seq` depends only on the seed and `seq` (a
// splitmix64 hash), not on the order in which sends and arrivals happen to
// interleave: with one seed, request N takes the same path against any server
// (`minicorn compare` relies on it).
std::uint32_t LoadEngine::pick_mix(std::uint32_t seq) const {
    if (mix_cumulative_.size() == 1) return 0;
    std::uint64_t z = mix_seed_ + 0x9e3779b97f4a7c15ULL * (std::uint64_t{seq} + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    std::uint64_t r = (z ^ (z >> 31)) % mix_total_;
    auto it = std::upper_bound(mix_cumulative_.begin(), mix_cumulative_.end(), r);
    return static_cast<std::uint32_t>(it - mix_cumulative_.begin());
}

void LoadEngine::schedule(VUser& vu, std::int64_t when_ns) {
    timers_.push(Timer{when_ns, vu.index, ++vu.timer_ticket});
}

// ============================================================================
// The loop
// ============================================================================

void LoadEngine::run() {
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);  // this thread's timed waits end on time (default slack: 50 µs)
    start_ns_ = mono_ns();
    end_ns_ = cfg_.requests == 0 ? start_ns_ + static_cast<std::int64_t>(cfg_.duration_s * 1e9) : 0;
    next_scan_ns_ = start_ns_ + kScanEveryNs;
    next_arrival_ns_ = start_ns_;
    for (VUser& vu : vus_) {
        if (!is_good(vu)) begin(vu);  // the bad actors take their places first
    }
    epoll_event events[kMaxEvents];
    while (true) {
        std::int64_t now = mono_ns();
        if (!users_started_ && (shared_.bad_pending.load(std::memory_order_relaxed) <= 0 ||
                                now - start_ns_ >= kBadActorHeadStartNs)) {
            start_users();
        }
        if (finished(now)) break;
        // 1. wait
        int n = wait(events, kMaxEvents, wait_timeout_ns(now));
        // 2. dispatch
        for (int i = 0; i < n; ++i) dispatch(events[i].data.u64, events[i].events);
        now = mono_ns();
        // 3. timers
        run_timers(now);
        // 4. arrivals
        if (cfg_.open_loop() && users_started_) run_arrivals(now);
        // 5. timeouts
        if (now >= next_scan_ns_) {
            scan_timeouts(now);
            next_scan_ns_ = now + kScanEveryNs;
        }
    }
    // 6. finish: whatever is still in flight is dropped, as wrk does.
    elapsed_s_ = static_cast<double>(mono_ns() - start_ns_) / 1e9;
    close_all();
}

void LoadEngine::start_users() {
    users_started_ = true;
    start_ns_ = mono_ns();  // the measured run begins with the good users
    if (cfg_.requests == 0) end_ns_ = start_ns_ + static_cast<std::int64_t>(cfg_.duration_s * 1e9);
    next_arrival_ns_ = start_ns_;
    for (VUser& vu : vus_) {
        if (is_good(vu)) begin(vu);
    }
}

std::int64_t LoadEngine::wait_timeout_ns(std::int64_t now) const {
    std::int64_t until = now + kMaxWaitNs;
    if (!timers_.empty()) until = std::min(until, timers_.top().when_ns);
    if (cfg_.open_loop() && users_started_) until = std::min(until, next_arrival_ns_);
    if (end_ns_ > 0) until = std::min(until, end_ns_);
    return std::max<std::int64_t>(0, until - now);
}

// epoll_pwait2 takes nanoseconds: an open-loop arrival is sent when it is due,
// not up to a millisecond later (which epoll_wait's milliseconds would add to
// every latency). Falls back to epoll_wait on kernels before 5.11.
int LoadEngine::wait(epoll_event* events, int max, std::int64_t timeout_ns) {
    int n = -1;
    if (have_pwait2_) {
        timespec ts{static_cast<time_t>(timeout_ns / 1'000'000'000), static_cast<long>(timeout_ns % 1'000'000'000)};
        n = ::epoll_pwait2(epfd_, events, max, &ts, nullptr);
        if (n < 0 && errno == ENOSYS) have_pwait2_ = false;
    }
    if (!have_pwait2_) n = ::epoll_wait(epfd_, events, max, static_cast<int>((timeout_ns + 999'999) / 1'000'000));
    if (n < 0) {
        if (errno != EINTR) sys::die_bug("epoll_wait()");
        n = 0;
    }
    return n;
}

void LoadEngine::dispatch(std::uint64_t data, std::uint32_t events) {
    const auto index = static_cast<std::uint32_t>(data & 0xffffffffu);
    const auto gen = static_cast<std::uint32_t>(data >> 32);
    if (index >= vus_.size()) return;
    VUser& vu = vus_[index];
    if (vu.gen != gen || vu.fd < 0) return;  // an event for a socket closed earlier in this batch
    if (vu.state == VuState::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(vu.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            fail(vu, trace::ClientErrorKind::Connect, err);
            return;
        }
        on_connected(vu);
        return;
    }
    if (vu.state == VuState::SlowReading) {
        // Its reads happen on its tick; only a reset (HUP/ERR) is news now.
        if (events & (EPOLLHUP | EPOLLERR)) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(vu.fd, SOL_SOCKET, SO_ERROR, &err, &len);
            cut(vu, err);
        }
        return;
    }
    if ((events & EPOLLOUT) && vu.state == VuState::Sending) {
        try_send(vu);
        if (vu.gen != gen || vu.fd < 0) return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) on_readable(vu);
}

void LoadEngine::run_timers(std::int64_t now) {
    while (!timers_.empty() && timers_.top().when_ns <= now) {
        Timer t = timers_.top();
        timers_.pop();
        VUser& vu = vus_[t.vu];
        if (t.ticket != vu.timer_ticket) continue;  // superseded
        on_tick(vu);
    }
}

void LoadEngine::run_arrivals(std::int64_t now) {
    const double mean_gap_ns = 1e9 / share_.rate;
    std::exponential_distribution<double> gap(1.0);
    while (next_arrival_ns_ <= now && !stopping_) {
        const std::int64_t arrival = next_arrival_ns_;
        next_arrival_ns_ += std::max<std::int64_t>(1, static_cast<std::int64_t>(gap(rng_) * mean_gap_ns));
        if (!claim_request()) {
            next_arrival_ns_ = now + kMaxWaitNs;  // -n reached: nothing more will arrive
            return;
        }
        ++stats_.attempts;
        ++in_flight_;
        // A parked keep-alive connection takes it, else a new connection.
        VUser* vu = nullptr;
        while (!parked_.empty() && !vu) {
            VUser& p = vus_[parked_.back()];
            parked_.pop_back();
            if (p.state == VuState::Parked && p.fd >= 0) vu = &p;
        }
        if (!vu && !free_slots_.empty()) {
            vu = &vus_[free_slots_.back()];
            free_slots_.pop_back();
        }
        if (!vu && vus_.size() < static_cast<std::size_t>(share_.max_connections)) {
            VUser fresh;
            fresh.index = static_cast<std::uint32_t>(vus_.size());
            fresh.number = share_.first_user + static_cast<std::int64_t>(fresh.index);
            vus_.push_back(std::move(fresh));
            vu = &vus_.back();
        }
        if (!vu) {  // every connection is busy and the cap is reached
            ++stats_.dropped_arrivals;
            --in_flight_;
            --stats_.attempts;
            continue;
        }
        vu->counts = true;
        vu->arrival_ns = arrival;
        vu->start_ns = arrival;
        vu->deadline_ns = arrival + timeout_ns_;
        if (vu->fd >= 0) send_request(*vu);
        else open_connection(*vu);
    }
}

void LoadEngine::scan_timeouts(std::int64_t now) {
    for (VUser& vu : vus_) {
        if (vu.deadline_ns != 0 && vu.counts && now >= vu.deadline_ns) {
            if (vu.fd < 0) continue;
            fail(vu, trace::ClientErrorKind::Timeout, ETIMEDOUT);
        }
    }
}

bool LoadEngine::finished(std::int64_t now) const {
    if (shared_.stop.load(std::memory_order_relaxed)) return true;
    if (!users_started_) return false;
    if (end_ns_ > 0) return now >= end_ns_;
    // -n: every request claimed and none in flight.
    return shared_.issued.load(std::memory_order_relaxed) >= cfg_.requests && in_flight_ == 0;
}

void LoadEngine::close_all() {
    stopping_ = true;
    for (VUser& vu : vus_) {
        if (vu.fd >= 0) close_conn(vu);
        vu.state = VuState::Finished;
    }
}

}  // namespace minicorn::client
