// tests/test_keyframes.cpp — [trace][keyframes] the Recording's event store
// (recording_store.h) and Keyframes (keyframes.h): events never move as a
// recording grows; the World at any event or instant, restored from a
// keyframe on another thread, equals the World folded from the start.
#include <catch2/catch.hpp>

#include <cstddef>
#include <span>
#include <vector>

#include "app/studio/synthetic.h"
#include "engine/trace/keyframes.h"
#include "engine/trace/model.h"
#include "engine/trace/recording.h"

using minicorn::trace::Event;
using minicorn::trace::Keyframes;
using minicorn::trace::Recording;
using minicorn::trace::TraceModel;
using minicorn::trace::World;

namespace {

Recording busy(std::size_t events) {
    minicorn::studio::SyntheticShape shape;
    shape.events = events;
    shape.connections = 60;
    shape.workers = 2;
    return minicorn::studio::synthetic_recording(shape);
}

// The reference: the first n events folded from nothing, at the time of the last.
World folded(const Recording& rec, std::size_t n) {
    World w = TraceModel::fold(rec.events().first(n));
    w.now_ns = n ? rec[n - 1].t_ns : 0;
    return w;
}

}  // namespace

TEST_CASE("a recording's events never move or get copied as it grows", "[trace][keyframes]") {
    const Recording source = busy(200'000);
    Recording rec;
    rec.append(source.events().first(1));
    const Event* first = &rec[0];
    for (std::size_t at = 1; at < source.size(); at += 3'000) {
        rec.append(source.events().subspan(at, std::min<std::size_t>(3'000, source.size() - at)));
        REQUIRE(&rec[0] == first);  // a growing vector would have moved them (and copied them all)
    }
    CHECK(rec.size() == source.size());
    CHECK(rec[rec.size() - 1].t_ns == source[source.size() - 1].t_ns);
    // Memory: 64 bytes an event, in whole steps of 4 MiB.
    CHECK(rec.store().committed_bytes() < rec.size() * sizeof(Event) + (std::size_t{4} << 20));
    const Recording copy = rec;  // a copy is whole and separate
    CHECK(copy.size() == rec.size());
    CHECK(&copy[0] != &rec[0]);
}

TEST_CASE("the World after any event, from a keyframe, equals the World folded from the start", "[trace][keyframes]") {
    const Recording rec = busy(50'000);
    Keyframes keys(rec, 1000);
    keys.wait_idle();
    CHECK(keys.folded() == rec.size());
    CHECK(keys.count() == rec.size() / 1000);
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{999}, std::size_t{1000}, std::size_t{1001},
                          std::size_t{17'345}, rec.size() - 1, rec.size()}) {
        INFO("n = " << n);
        std::size_t replayed = 0;
        CHECK(keys.world_after(n, &replayed) == folded(rec, n));
        CHECK(replayed < 1000);  // restored from a keyframe, not re-run
    }
    // At an instant: every event at or before it.
    const std::uint64_t t = rec[30'000].t_ns;
    World at = keys.world_at(t);
    World expected = folded(rec, rec.lower_bound(t + 1));
    expected.now_ns = t;
    CHECK(at == expected);
}

TEST_CASE("stepping back N events and forward N again gives the identical World", "[trace][keyframes]") {
    const Recording rec = busy(30'000);
    Keyframes keys(rec, 512);
    keys.wait_idle();
    const std::size_t here = 20'123;
    const World before = keys.world_after(here);
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{600}, std::size_t{5000}}) {
        INFO("N = " << n);
        const World back = keys.world_after(here - n);
        CHECK_FALSE(back == before);
        CHECK(keys.world_after(here) == before);
    }
}

TEST_CASE("keyframes are made on their own thread while the recording keeps growing", "[trace][keyframes]") {
    const Recording source = busy(40'000);
    Recording rec;
    Keyframes keys(rec, 700);
    for (std::size_t at = 0; at < source.size(); at += 2'500) {
        rec.append(source.events().subspan(at, std::min<std::size_t>(2'500, source.size() - at)));
        keys.poke();
        (void)keys.world_after(rec.size() / 2);  // the owner reads while the thread folds
    }
    keys.wait_idle();
    CHECK(keys.count() == source.size() / 700);
    CHECK(keys.world_after(rec.size()) == folded(rec, rec.size()));
}
