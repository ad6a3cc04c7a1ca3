#include "engine/wsgi/gil.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine/trace/emit.h"

namespace minicorn::wsgi {

namespace {

[[noreturn]] void misuse(OsThreadId self, const char* what) {
    std::fprintf(stderr, "minicorn: GIL misuse in thread %d: %s\n", static_cast<int>(self), what);
    std::abort();
}

}  // namespace

namespace {
// Bumped in every forked child: the thread that forked gets a new tid there.
std::atomic<unsigned> g_fork_generation{1};
[[maybe_unused]] const int g_atfork_registered = ::pthread_atfork(nullptr, nullptr, [] {
    g_fork_generation.fetch_add(1, std::memory_order_relaxed);
});
}  // namespace

OsThreadId current_thread_id() {
    // gettid() is a system call and the GIL asks on every acquire and
    // release, so each thread remembers its id until the next fork.
    thread_local OsThreadId cached = 0;
    thread_local unsigned generation = 0;
    unsigned now = g_fork_generation.load(std::memory_order_relaxed);
    if (generation != now) {
        cached = gettid();
        generation = now;
    }
    return cached;
}

// The holder's side of the step gate: let the GIL go while waiting there.
class GilAtGate final : public trace::GateWaitHook {
public:
    void hold(Gil* gil) {
        gil_ = gil;
        trace::set_gate_wait_hook(this);
    }
    void before_gate_wait() override {
        at_gate_ = gil_;
        at_gate_->drop(current_thread_id(), GilRelease::AtGate);
    }
    void after_gate_wait() override { at_gate_->acquire(); }

private:
    Gil* gil_ = nullptr;      // the GIL this thread holds
    Gil* at_gate_ = nullptr;  // the GIL it let go at the gate
};

namespace {
thread_local GilAtGate t_at_gate;
}  // namespace

std::optional<GilMode> parse_gil_mode(std::string_view text) {
    if (text == "on") return GilMode::On;
    if (text == "off") return GilMode::Off;
    return std::nullopt;
}

std::string_view to_string(GilMode mode) {
    switch (mode) {
        case GilMode::On: return "on";
        case GilMode::Off: return "off";
    }
    return "?";
}

Gil::Gil(GilConfig config) : config_(config) {}

void Gil::acquire() {
    if (!enabled()) return;
    const OsThreadId self = current_thread_id();
    std::unique_lock lock(mutex_);
    if (locked_ && holder_ == self) {
        misuse(self, "acquire() by the thread that already holds the GIL — acquired twice, "
                     "or a blocking call made without a Released scope?");
    }

    std::chrono::nanoseconds waited{0};
    if (locked_) {
        const auto wait_start = std::chrono::steady_clock::now();
        if (GilObserver* obs = observer()) {
            const OsThreadId seen_holder = holder_;
            lock.unlock();
            obs->on_wait(self, seen_holder);
            lock.lock();
        }
        const auto interval = std::max(config_.switch_interval, std::chrono::microseconds{1});
        while (locked_) {
            // As take_gil: a timeout only counts against the holder if nobody
            // took the GIL meanwhile — otherwise the new holder gets a full
            // interval of its own before anyone asks it to drop.
            const std::uint64_t saved_switch_number = stats_.acquisitions;
            const bool timed_out = released_.wait_for(lock, interval) == std::cv_status::timeout;
            if (timed_out && locked_ && stats_.acquisitions == saved_switch_number &&
                !drop_request_.load(std::memory_order_relaxed)) {
                drop_request_.store(true, std::memory_order_relaxed);
                ++stats_.drop_requests;
                if (GilObserver* obs = observer()) {
                    const OsThreadId asked = holder_;
                    lock.unlock();
                    obs->on_drop_request(self, asked);
                    lock.lock();
                }
            }
        }
        waited = std::chrono::steady_clock::now() - wait_start;
    }

    locked_ = true;
    holder_ = self;
    if (last_holder_ != self) ++stats_.switches;
    last_holder_ = self;
    ++stats_.acquisitions;
    // Whoever asked for the drop has been served (or this is a new holder):
    // a fresh holder starts with no pending request, as in take_gil.
    drop_request_.store(false, std::memory_order_relaxed);
    switched_.notify_all();
    lock.unlock();
    t_at_gate.hold(this);

    if (GilObserver* obs = observer()) obs->on_acquire(self, waited);
}

void Gil::release() {
    if (!enabled()) return;
    drop(current_thread_id(), GilRelease::Voluntary);
}

bool Gil::drop(OsThreadId self, GilRelease reason, bool brief) {
    {
        std::lock_guard lock(mutex_);
        if (!locked_ || holder_ != self) {
            misuse(self, "release by a thread that does not hold the GIL — did the worker "
                         "forget to acquire it before calling the application?");
        }
    }
    trace::set_gate_wait_hook(nullptr);
    // Reported (or held back) before the GIL is free, so no acquisition can be reported first.
    bool deferred = false;
    if (GilObserver* obs = observer()) {
        if (brief) {
            deferred = obs->on_brief_release(self);
        } else {
            obs->on_release(self, reason);
        }
    }
    {
        std::lock_guard lock(mutex_);
        locked_ = false;
        if (reason == GilRelease::Forced) ++stats_.forced_drops;
    }
    released_.notify_one();
    return deferred;
}

bool Gil::drop_requested() const {
    return enabled() && drop_request_.load(std::memory_order_relaxed);
}

bool Gil::yield_if_requested() {
    if (!drop_requested()) return false;
    const OsThreadId self = current_thread_id();
    // Only a take clears the request, and nobody can take while we hold the
    // GIL, so the request seen above is still pending here.
    drop(self, GilRelease::Forced);
    {
        // FORCE_SWITCHING: without this wait the yielding thread, already
        // running, would usually win the race to retake the GIL against the
        // waiter it just woke, and the drop request would change nothing.
        std::unique_lock lock(mutex_);
        switched_.wait(lock, [&] { return last_holder_ != self; });
    }
    acquire();
    return true;
}

std::optional<OsThreadId> Gil::holder() const {
    if (!enabled()) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (!locked_) return std::nullopt;
    return holder_;
}

bool Gil::held_by_current_thread() const {
    if (!enabled()) return true;
    const OsThreadId self = current_thread_id();
    std::lock_guard lock(mutex_);
    return locked_ && holder_ == self;
}

GilStats Gil::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void Gil::set_observer(GilObserver* observer) {
    observer_.store(observer, std::memory_order_release);
}

Gil::Held::Held(Gil& gil) : gil_(gil) { gil_.acquire(); }
Gil::Held::~Held() { gil_.release(); }

Gil::Released::Released(Gil& gil) : gil_(gil) { gil_.release(); }
Gil::Released::Released(Gil& gil, Brief) : gil_(gil) {
    if (gil_.enabled()) deferred_ = gil_.drop(current_thread_id(), GilRelease::Voluntary, /*brief=*/true);
}
Gil::Released::~Released() { gil_.acquire(); }

void Gil::Released::blocks() {
    if (!deferred_) return;
    deferred_ = false;
    if (GilObserver* obs = gil_.observer()) obs->on_blocks(current_thread_id());
}

}  // namespace minicorn::wsgi
