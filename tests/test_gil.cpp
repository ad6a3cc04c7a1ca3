// The simulated GIL as a learner would see it: computing threads take turns,
// a blocking call lets others run, and with --gil off threads run in parallel.
//
// Timing assertions are one-sided on purpose: this 2-core machine is shared,
// and load can only make a run slower. Where a test needs a run to be *fast*
// (GIL off) it takes the best of three runs.
#include <catch2/catch.hpp>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/wsgi/gil.h"
#include "engine/wsgi/thread_runtime.h"

namespace wsgi = minicorn::wsgi;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using wsgi::GilRelease;
using wsgi::OsThreadId;

namespace {

// Records what the GIL reports, as the trace will. Thread-safe.
class Recorder final : public wsgi::GilObserver {
public:
    enum class Kind { Wait, DropRequest, Acquire, Release };
    struct Event {
        Kind kind;
        OsThreadId thread;
        std::optional<GilRelease> reason;
        bool operator==(const Event&) const = default;
    };

    void on_wait(OsThreadId waiter, OsThreadId) override { add({Kind::Wait, waiter, {}}); }
    void on_drop_request(OsThreadId waiter, OsThreadId) override {
        add({Kind::DropRequest, waiter, {}});
    }
    void on_acquire(OsThreadId thread, std::chrono::nanoseconds) override {
        std::lock_guard lock(mutex_);
        events_.push_back({Kind::Acquire, thread, {}});
        acquired_at_[thread] = Clock::now();
        max_holders_ = std::max(max_holders_, ++holders_);
    }
    void on_release(OsThreadId thread, GilRelease reason) override {
        std::lock_guard lock(mutex_);
        events_.push_back({Kind::Release, thread, reason});
        if (reason == GilRelease::Forced) forced_holds_.push_back(Clock::now() - acquired_at_[thread]);
        --holders_;
    }

    std::vector<Event> events() const {
        std::lock_guard lock(mutex_);
        return events_;
    }
    // The most threads that ever held the GIL at the same time.
    int max_holders() const {
        std::lock_guard lock(mutex_);
        return max_holders_;
    }
    // How long each holder kept the GIL before a drop request took it away.
    std::vector<Clock::duration> forced_holds() const {
        std::lock_guard lock(mutex_);
        return forced_holds_;
    }

private:
    void add(Event event) {
        std::lock_guard lock(mutex_);
        events_.push_back(event);
    }

    mutable std::mutex mutex_;
    std::vector<Event> events_;
    std::map<OsThreadId, Clock::time_point> acquired_at_;
    std::vector<Clock::duration> forced_holds_;
    int holders_ = 0;
    int max_holders_ = 0;
};

// `n` threads each take the GIL, as a worker does around the app, and compute
// for `cpu_time`. Returns the wall time until all are done.
Clock::duration run_computing_threads(wsgi::Gil& gil, int n, wsgi::Millis cpu_time,
                                      std::vector<OsThreadId>* ids = nullptr) {
    std::vector<OsThreadId> thread_ids(static_cast<std::size_t>(n));
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < thread_ids.size(); ++i) {
        threads.emplace_back([&gil, &thread_ids, i, cpu_time] {
            thread_ids[i] = wsgi::current_thread_id();
            wsgi::ThreadRuntime runtime(gil, {});
            wsgi::Gil::Held held(gil);
            runtime.cpu(cpu_time);
        });
    }
    for (auto& t : threads) t.join();
    const auto wall = Clock::now() - start;
    if (ids) *ids = thread_ids;
    return wall;
}

// The same work as run_computing_threads, with no Gil or runtime involved: the
// machine's own parallelism at this moment.
Clock::duration run_plain_spinning_threads(int n, wsgi::Millis cpu_time) {
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([cpu_time] {
            const auto thread_cpu = [] {
                timespec ts{};
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
                return std::chrono::seconds{ts.tv_sec} + std::chrono::nanoseconds{ts.tv_nsec};
            };
            const auto begin = thread_cpu();
            volatile std::uint64_t sink = 1;
            std::uint64_t x = sink;
            while (thread_cpu() - begin < cpu_time) {
                for (int k = 0; k < 10000; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            }
            sink = x;
        });
    }
    for (auto& t : threads) t.join();
    return Clock::now() - start;
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

TEST_CASE("GIL on: four threads computing 50 ms each take turns, one at a time", "[gil]") {
    wsgi::Gil gil;
    REQUIRE(gil.switch_interval() == 5ms);  // CPython's sys.getswitchinterval()
    Recorder recorder;
    gil.set_observer(&recorder);

    // Watch holder() from outside while they run.
    std::atomic<bool> done{false};
    std::vector<std::optional<OsThreadId>> samples;
    std::thread sampler([&] {
        while (!done.load()) {
            samples.push_back(gil.holder());
            std::this_thread::sleep_for(1ms);
        }
    });
    std::vector<OsThreadId> ids;
    const auto wall = run_computing_threads(gil, 4, 50ms, &ids);
    done = true;
    sampler.join();
    gil.set_observer(nullptr);

    INFO("wall " << ms(wall) << " ms");
    // 4 × 50 ms of CPU time through one GIL: ≈ 200 ms, not the ≈ 100 ms two
    // cores could give without it.
    CHECK(wall >= 150ms);
    const wsgi::GilStats stats = gil.stats();
    INFO("acquisitions " << stats.acquisitions << ", switches " << stats.switches
                         << ", drop requests " << stats.drop_requests << ", forced drops "
                         << stats.forced_drops);
    CHECK(stats.forced_drops >= 1);      // nobody ran its 50 ms to the end unasked
    CHECK(stats.switches > 4);           // so the GIL changed hands more than once each
    CHECK(recorder.max_holders() == 1);  // never two holders
    CHECK(gil.holder() == std::nullopt); // everyone let go at the end

    const std::set<OsThreadId> workers(ids.begin(), ids.end());
    std::size_t held_samples = 0;
    for (const auto& sample : samples) {
        if (!sample) continue;
        ++held_samples;
        CHECK(workers.count(*sample) == 1);
    }
    CHECK(held_samples > 0);
}

TEST_CASE("GIL off: two threads computing 100 ms each run in parallel", "[gil]") {
    wsgi::Gil gil({wsgi::GilMode::Off, wsgi::kDefaultSwitchInterval});
    Recorder recorder;
    gil.set_observer(&recorder);

    // Load can only slow a run down, so one fast run proves the point. Beside
    // each run, two plain threads do the same spinning without any Gil code.
    // Until even they clearly run in parallel, the machine has no second core
    // free (it is shared with processes this test cannot see, and autogroup
    // scheduling then packs our threads onto one core) and there is nothing to
    // observe: after five such attempts we settle for "no slower than plain
    // threads", which a GIL that still serialised would fail whenever the
    // machine had any parallelism to give.
    constexpr auto kParallelBound = 180ms;    // with the GIL on this is ≥ 200 ms
    constexpr auto kClearlyParallel = 140ms;  // plain threads on two free cores: ≈ 100 ms
    Clock::duration best_off = Clock::duration::max();
    bool machine_was_parallel = false;
    double best_ratio = 1e9;  // off / plain, measured back to back
    for (int attempt = 0; attempt < 20 && best_off >= kParallelBound; ++attempt) {
        if (attempt == 5 && !machine_was_parallel) break;
        const auto plain = run_plain_spinning_threads(2, 100ms);
        const auto off = run_computing_threads(gil, 2, 100ms);
        machine_was_parallel = machine_was_parallel || plain < kClearlyParallel;
        best_off = std::min(best_off, off);
        best_ratio = std::min(best_ratio, ms(off) / ms(plain));
    }
    INFO("best wall with the GIL off " << ms(best_off) << " ms; best off/plain ratio "
                                       << best_ratio);
    CHECK(best_ratio < 1.5);
    if (best_off >= kParallelBound && !machine_was_parallel) {
        WARN("no second core was free: parallelism could not be observed");
    } else {
        CHECK(best_off < kParallelBound);
    }
    CHECK(gil.holder() == std::nullopt);
    CHECK(gil.stats().acquisitions == 0);
    CHECK(recorder.events().empty());
    gil.set_observer(nullptr);
}

TEST_CASE("a sleeping or blocked thread releases the GIL: another thread computes meanwhile",
          "[gil]") {
    const std::string call = GENERATE("sleep", "block");
    wsgi::Gil gil;
    std::atomic<bool> a_holds{false};
    Clock::time_point a_done, b_acquired;
    Clock::duration a_call_time{};

    std::thread a([&] {
        wsgi::ThreadRuntime runtime(gil, {});
        wsgi::Gil::Held held(gil);
        a_holds = true;
        const auto start = Clock::now();
        if (call == "sleep") {
            runtime.sleep(300ms);
        } else {
            runtime.block(300ms);
        }
        a_done = Clock::now();
        a_call_time = a_done - start;
    });
    std::thread b([&] {
        while (!a_holds.load()) std::this_thread::yield();
        wsgi::ThreadRuntime runtime(gil, {});
        wsgi::Gil::Held held(gil);
        b_acquired = Clock::now();
        runtime.cpu(30ms);
    });
    a.join();
    b.join();

    INFO(call);
    CHECK(b_acquired < a_done);     // b ran Python code while a was in its call
    CHECK(a_call_time >= 300ms);    // and a's call still took its full time
}

TEST_CASE("a waiter asks the holder to drop after one switch interval; the holder gives way "
          "and retakes the GIL only after the waiter had it",
          "[gil]") {
    wsgi::Gil gil({wsgi::GilMode::On, 10ms});
    Recorder recorder;
    gil.set_observer(&recorder);
    const OsThreadId main_id = wsgi::current_thread_id();

    gil.acquire();
    CHECK_FALSE(gil.drop_requested());
    CHECK_FALSE(gil.yield_if_requested());  // nobody waits: nothing happens

    std::atomic<OsThreadId> waiter_id{0};
    const auto start = Clock::now();
    std::thread waiter([&] {
        waiter_id = wsgi::current_thread_id();
        wsgi::Gil::Held held(gil);
        std::this_thread::sleep_for(20ms);  // holds it a while, like C code not releasing
    });

    // The main thread "runs bytecodes" and checks the flag between them.
    const auto deadline = start + 10s;
    while (!gil.drop_requested() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    REQUIRE(gil.drop_requested());
    CHECK(Clock::now() - start >= 10ms);  // not before a full switch interval

    CHECK(gil.yield_if_requested());
    CHECK(gil.holder() == main_id);
    waiter.join();
    gil.release();
    gil.set_observer(nullptr);

    // The hand-over, in the order the trace will show it.
    std::vector<Recorder::Event> handover;
    for (const auto& e : recorder.events()) {
        if (e.kind == Recorder::Kind::Acquire || e.kind == Recorder::Kind::Release) {
            handover.push_back(e);
        }
    }
    using K = Recorder::Kind;
    const OsThreadId w = waiter_id.load();
    CHECK(handover == std::vector<Recorder::Event>{
                          {K::Acquire, main_id, {}},
                          {K::Release, main_id, GilRelease::Forced},
                          {K::Acquire, w, {}},
                          {K::Release, w, GilRelease::Voluntary},
                          {K::Acquire, main_id, {}},
                          {K::Release, main_id, GilRelease::Voluntary},
                      });
    const auto events = recorder.events();
    CHECK(std::count(events.begin(), events.end(), Recorder::Event{K::Wait, w, {}}) == 1);
    CHECK(std::count(events.begin(), events.end(), Recorder::Event{K::DropRequest, w, {}}) == 1);
    const wsgi::GilStats stats = gil.stats();
    CHECK(stats.forced_drops == 1);
    CHECK(stats.acquisitions == 3);
    CHECK(stats.switches == 3);
}

TEST_CASE("a computing thread keeps the GIL for about one switch interval before it must "
          "give way",
          "[gil]") {
    wsgi::Gil gil({wsgi::GilMode::On, 20ms});
    Recorder recorder;
    gil.set_observer(&recorder);
    run_computing_threads(gil, 2, 100ms);
    gil.set_observer(nullptr);

    std::vector<Clock::duration> holds = recorder.forced_holds();
    REQUIRE(holds.size() >= 2);
    std::sort(holds.begin(), holds.end());
    const auto median = holds[holds.size() / 2];
    INFO(holds.size() << " forced holds, median " << ms(median) << " ms");
    // A waiter asks only after a full interval of waiting; the recorder's
    // timestamps are taken a little inside the real hold, hence 80 %.
    CHECK(median >= 16ms);
}

TEST_CASE("holder() names the thread holding the GIL, and a Released scope frees it", "[gil]") {
    wsgi::Gil gil;
    const OsThreadId self = wsgi::current_thread_id();
    CHECK(gil.holder() == std::nullopt);
    CHECK_FALSE(gil.held_by_current_thread());
    {
        wsgi::Gil::Held held(gil);
        CHECK(gil.holder() == self);
        CHECK(gil.held_by_current_thread());
        {
            wsgi::Gil::Released released(gil);
            CHECK(gil.holder() == std::nullopt);
            std::optional<OsThreadId> seen_by_other;
            std::thread other([&] {
                wsgi::Gil::Held other_held(gil);
                seen_by_other = gil.holder();
            });
            other.join();
            CHECK(seen_by_other != std::nullopt);
            CHECK(seen_by_other != self);
        }
        CHECK(gil.holder() == self);
    }
    CHECK(gil.holder() == std::nullopt);
}

TEST_CASE("GIL off: acquire, release and Released do nothing, every thread may run",
          "[gil]") {
    wsgi::Gil gil({wsgi::GilMode::Off, wsgi::kDefaultSwitchInterval});
    Recorder recorder;
    gil.set_observer(&recorder);
    CHECK(gil.mode() == wsgi::GilMode::Off);
    CHECK(gil.held_by_current_thread());
    {
        wsgi::Gil::Held held(gil);
        wsgi::Gil::Held held_again(gil);  // not a bug without a lock
        wsgi::Gil::Released released(gil);
        CHECK(gil.holder() == std::nullopt);
        CHECK_FALSE(gil.yield_if_requested());
    }
    wsgi::ThreadRuntime runtime(gil, {});
    runtime.sleep(1ms);  // no GIL taken, no abort
    CHECK(recorder.events().empty());
    const wsgi::GilStats stats = gil.stats();
    CHECK(stats.acquisitions == 0);
    CHECK(stats.forced_drops == 0);
    gil.set_observer(nullptr);
}

TEST_CASE("--gil takes on or off", "[gil]") {
    CHECK(wsgi::parse_gil_mode("on") == wsgi::GilMode::On);
    CHECK(wsgi::parse_gil_mode("off") == wsgi::GilMode::Off);
    CHECK(wsgi::parse_gil_mode("OFF") == std::nullopt);
    CHECK(wsgi::parse_gil_mode("") == std::nullopt);
    CHECK(wsgi::to_string(wsgi::GilMode::Off) == "off");
    CHECK(wsgi::Gil{}.mode() == wsgi::GilMode::On);
}
