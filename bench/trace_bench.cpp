// bench/trace_bench.cpp — what the trace costs: nanoseconds per emit, and how
// fast the collector drains rings into a Recording. Prints figures; asserts
// nothing (this machine is shared and noisy: run it twice).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine/trace/collector.h"
#include "engine/trace/emit.h"
#include "engine/trace/region.h"

using namespace minicorn::trace;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Emit cost: one producer thread, a collector draining concurrently so the
// ring never fills (nothing is dropped).
void bench_emit() {
    std::string error;
    Region region = Region::create(&error, 8, 1u << 16);
    attach(&region, 0);
    Collector collector(region, std::chrono::milliseconds(0));
    std::atomic<bool> done{false};
    std::uint64_t drained = 0;
    std::thread drainer([&] {
        Recording sink;
        while (!done.load()) {
            drained += collector.drain(sink);
            if (sink.size() > 4'000'000) sink = Recording{};
        }
        drained += collector.flush(sink);
    });
    constexpr std::uint64_t kEvents = 5'000'000;
    auto start = Clock::now();
    for (std::uint64_t i = 0; i < kEvents; ++i) emit(EventKind::Heartbeat, i, i, 1, 2);
    double secs = seconds_since(start);
    done = true;
    drainer.join();
    std::uint64_t dropped = region.ring(0).dropped.load();
    std::printf("emit:   %.1f ns per emit with a collector draining alongside (%llu of %llu dropped: the "
                "producer outran the collector)\n",
                secs * 1e9 / kEvents, static_cast<unsigned long long>(dropped),
                static_cast<unsigned long long>(kEvents));

    // Every emit lands: a ring big enough for all of them, no collector. A
    // first pass touches the ring's pages; the timed second pass writes the
    // same (already mapped) memory again, as a long-running server does.
    constexpr std::uint64_t kFit = 1u << 20;
    Region big = Region::create(&error, 2, static_cast<std::uint32_t>(kFit));
    attach(&big, 0);
    for (std::uint64_t i = 0; i < kFit; ++i) emit(EventKind::Heartbeat, i, i, 1, 2);
    {
        Collector empty_it(big, std::chrono::milliseconds(0));
        Recording sink;
        empty_it.flush(sink);
    }
    start = Clock::now();
    for (std::uint64_t i = 0; i < kFit; ++i) emit(EventKind::Heartbeat, i, i, 1, 2);
    secs = seconds_since(start);
    std::printf("emit:   %.1f ns per emit, every one written (%llu events, dropped: %llu)\n",
                secs * 1e9 / static_cast<double>(kFit), static_cast<unsigned long long>(kFit),
                static_cast<unsigned long long>(big.ring(0).dropped.load()));
    attach(nullptr, 0);
    start = Clock::now();
    for (std::uint64_t i = 0; i < kEvents; ++i) emit(EventKind::Heartbeat, i, i, 1, 2);
    secs = seconds_since(start);
    std::printf("emit:   %.2f ns per emit with tracing off (no region attached)\n", secs * 1e9 / kEvents);
}

// Drain rate: fill every ring (as many producer threads as rings), then time
// the collector reading them all and committing them to a Recording.
void bench_drain() {
    constexpr std::uint32_t kRings = 16;
    constexpr std::uint32_t kCapacity = 1u << 16;
    std::string error;
    Region region = Region::create(&error, kRings, kCapacity);
    attach(&region, 0);
    std::vector<std::thread> producers;
    for (std::uint32_t r = 0; r < kRings; ++r) {
        producers.emplace_back([] {
            for (std::uint32_t i = 0; i < kCapacity; ++i) {
                emit(EventKind::ReadDone, i % 64 + 1, i, i, 0);
            }
        });
    }
    for (auto& t : producers) t.join();
    Collector collector(region, std::chrono::milliseconds(0));
    Recording rec;
    auto start = Clock::now();
    std::size_t n = collector.flush(rec);
    double secs = seconds_since(start);
    std::printf("drain:  %zu events from %u rings into a Recording in %.3f s = %.1f M events/s "
                "(read, merge in time order, index)\n",
                n, kRings, secs, static_cast<double>(n) / secs / 1e6);
    attach(nullptr, 0);
}

}  // namespace

int main() {
    bench_emit();
    bench_drain();
    return 0;
}
