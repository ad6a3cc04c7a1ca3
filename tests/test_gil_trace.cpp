// What the GIL puts in the trace (engine/process/gil_trace.h): nothing while
// one thread alone takes it, every hand-off once a second thread wants it,
// with each thread's acquires and releases paired.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/process/gil_trace.h"
#include "engine/trace/collector.h"
#include "engine/trace/recording.h"
#include "engine/trace/region.h"
#include "engine/wsgi/gil.h"

namespace trace = minicorn::trace;
namespace wsgi = minicorn::wsgi;
using trace::EventKind;
using namespace std::chrono_literals;

namespace {

bool is_gil(EventKind k) { return k == EventKind::GilWait || k == EventKind::GilAcquire || k == EventKind::GilRelease; }

// This process's GIL events, in time order.
std::vector<trace::Event> gil_events(trace::Region& region) {
    trace::Recording rec;
    trace::Collector(region, 0ms).flush(rec);
    std::vector<trace::Event> out;
    for (const trace::Event& e : rec.events()) {
        if (e.pid == ::getpid() && is_gil(e.kind)) out.push_back(e);
    }
    return out;
}

}  // namespace

TEST_CASE("a GIL only one thread takes leaves no trace; a second thread's wait names the holder", "[gil][trace]") {
    std::string error;
    trace::Region region = trace::Region::create(&error, 8, 1u << 10);
    REQUIRE(region.valid());
    trace::attach(&region, 1);
    wsgi::Gil gil;
    minicorn::process::GilTracer tracer;
    gil.set_observer(&tracer);

    for (int i = 0; i < 3; ++i) {  // a single-threaded worker's requests
        wsgi::Gil::Held held(gil);
    }
    const wsgi::OsThreadId main_tid = wsgi::current_thread_id();
    std::atomic<wsgi::OsThreadId> other_tid{0};
    {
        gil.acquire();  // held (unreported) when the second thread comes
        std::thread other([&] {
            other_tid = wsgi::current_thread_id();
            wsgi::Gil::Held held(gil);
        });
        while (!gil.drop_requested()) std::this_thread::sleep_for(1ms);  // it waits: a switch interval passed
        gil.release();
        other.join();
    }
    { wsgi::Gil::Held held(gil); }  // from now on every hand-off shows
    gil.set_observer(nullptr);
    trace::attach(nullptr, 0);

    std::vector<trace::Event> ev = gil_events(region);
    std::vector<std::pair<EventKind, pid_t>> seen;
    for (const trace::Event& e : ev) seen.emplace_back(e.kind, e.tid);
    const std::vector<std::pair<EventKind, pid_t>> expected = {
        {EventKind::GilWait, other_tid.load()},     // the waiter names the holder...
        {EventKind::GilAcquire, other_tid.load()},  // ...whose unreported hold ends unreported
        {EventKind::GilRelease, other_tid.load()},
        {EventKind::GilAcquire, main_tid},
        {EventKind::GilRelease, main_tid},
    };
    CHECK(seen == expected);
    REQUIRE(!ev.empty());
    CHECK(ev.front().a0 == main_tid);  // GilWait's holder
}

TEST_CASE("a brief release shows only when it matters: the call waited, or another thread took the GIL",
          "[gil][trace]") {
    std::string error;
    trace::Region region = trace::Region::create(&error, 8, 1u << 10);
    REQUIRE(region.valid());
    trace::attach(&region, 1);
    wsgi::Gil gil;
    minicorn::process::GilTracer tracer;
    gil.set_observer(&tracer);
    const wsgi::OsThreadId main_tid = wsgi::current_thread_id();
    std::thread([&] { wsgi::Gil::Held held(gil); }).join();  // a second thread used the GIL: reported from now on
    const std::size_t before = gil_events(region).size();

    gil.acquire();
    {  // 1. the call returned at once and nobody took the GIL: no release, no second acquire
        wsgi::Gil::Released brief(gil, wsgi::Gil::Brief::Call);
        CHECK(brief.deferred());
    }
    std::uint64_t blocks_at = 0;
    std::uint64_t waited_until = 0;
    {  // 2. the call is about to wait: the release is written then, before the wait
        wsgi::Gil::Released brief(gil, wsgi::Gil::Brief::Call);
        brief.blocks();
        blocks_at = trace::now_ns();
        std::this_thread::sleep_for(2ms);
        waited_until = trace::now_ns();
    }
    std::uint64_t other_took_at = 0;
    std::atomic<wsgi::OsThreadId> third_tid{0};
    {  // 3. another thread takes the GIL meanwhile: it writes the release before its own acquire
        wsgi::Gil::Released brief(gil, wsgi::Gil::Brief::Call);
        std::thread([&] {
            third_tid = wsgi::current_thread_id();
            wsgi::Gil::Held held(gil);
            other_took_at = trace::now_ns();
        }).join();
    }
    gil.release();
    gil.set_observer(nullptr);
    trace::attach(nullptr, 0);

    std::vector<trace::Event> all = gil_events(region);
    REQUIRE(all.size() >= before);
    std::vector<trace::Event> ev(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
    std::vector<std::pair<EventKind, pid_t>> seen;
    std::string order;
    for (const trace::Event& e : ev) {
        seen.emplace_back(e.kind, e.tid);
        order += std::string(trace::to_string(e.kind)) + (e.tid == main_tid ? " main, " : " other, ");
    }
    INFO(order);
    const std::vector<std::pair<EventKind, pid_t>> expected = {
        {EventKind::GilAcquire, main_tid},         // gil.acquire()
        {EventKind::GilRelease, main_tid},         // 2: written by blocks()
        {EventKind::GilAcquire, main_tid},         // 2: taken back
        {EventKind::GilRelease, main_tid},         // 3: written by the other thread, as the main thread's
        {EventKind::GilAcquire, third_tid.load()},
        {EventKind::GilRelease, third_tid.load()},
        {EventKind::GilAcquire, main_tid},         // 3: taken back
        {EventKind::GilRelease, main_tid},         // gil.release()
    };
    CHECK(seen == expected);
    REQUIRE(ev.size() == expected.size());
    CHECK(ev[1].t_ns <= blocks_at);     // written before the wait, not after it
    CHECK(ev[2].t_ns >= waited_until);
    CHECK(ev[3].t_ns < ev[4].t_ns);     // the release before the other thread's acquire
    CHECK(ev[4].t_ns <= other_took_at);
}
