// tests/support/local_trace.h — tracing this test process itself (no
// server): a fresh region attached while the scenario runs, then its events
// in a form a test compares against an expected list.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/trace/collector.h"
#include "engine/trace/emit.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"

namespace minicorn::testing {

// Attaches this process to a fresh region while it lives (one per process at
// a time); collect() detaches and reads everything emitted.
class LocalTrace {
public:
    explicit LocalTrace(std::uint32_t ring_events = 1u << 12) {
        std::string error;
        region_ = trace::Region::create(&error, 4, ring_events);
        REQUIRE(region_.valid());
        trace::attach(&region_, 1);
    }
    ~LocalTrace() { trace::attach(nullptr, 0); }
    LocalTrace(const LocalTrace&) = delete;
    LocalTrace& operator=(const LocalTrace&) = delete;

    trace::Region& region() { return region_; }
    trace::Recording collect() {
        trace::attach(nullptr, 0);
        trace::Recording rec;
        trace::Collector(region_, std::chrono::milliseconds(0)).flush(rec);
        return rec;
    }

private:
    trace::Region region_;
};

// An event as a test states it.
struct Seen {
    trace::EventKind kind;
    std::uint32_t green;
    std::uint64_t conn;
    std::int64_t a0;
    std::int64_t a1;
    bool operator==(const Seen&) const = default;
};

// This process's events of `kinds`, in order.
inline std::vector<Seen> seen_of(const trace::Recording& rec, std::initializer_list<trace::EventKind> kinds) {
    std::vector<Seen> out;
    for (const trace::Event& e : rec.events()) {
        if (e.pid != ::getpid() || std::find(kinds.begin(), kinds.end(), e.kind) == kinds.end()) continue;
        out.push_back({e.kind, e.green, e.conn, e.a0, e.a1});
    }
    return out;
}

}  // namespace minicorn::testing
