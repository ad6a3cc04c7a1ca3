// tests/test_recording_index.cpp — [trace][recording] the Recording's indexes
// (recording_index.h): a process's list of positions never moves as it grows
// to millions (a growing vector copied them all, in one frame of the studio),
// every position reads back in order across its blocks, and connection and
// request ids are found as before — including ids far apart, as a damaged
// file may carry.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/trace/ev.h"
#include "engine/trace/recording.h"

using namespace minicorn::trace;

TEST_CASE("a process's index never moves its positions as it grows, and reads them back in order",
          "[trace][recording]") {
    std::vector<Event> chunk(1'000);
    Recording rec;
    const std::uint32_t* first = nullptr;
    std::uint64_t t = 1;
    for (int round = 0; round < 400; ++round) {  // 400,000 events of one worker: blocks of 8 … 64 Ki, then 64 Ki each
        for (Event& e : chunk) e = ev::Heartbeat{.engine_ms = 1}.event(t++, 101, 101);
        rec.append(chunk);
        const Recording::Index* idx = rec.by_pid(101);
        REQUIRE(idx != nullptr);
        if (!first) first = &(*idx)[0];
        REQUIRE(&(*idx)[0] == first);  // a std::vector would have moved (and copied) every position by now
    }
    const Recording::Index& idx = *rec.by_pid(101);
    REQUIRE(idx.size() == 400'000);
    bool in_order = true;
    std::uint32_t expect = 0;
    for (std::uint32_t p : idx) in_order = in_order && p == expect++;
    CHECK(in_order);
    CHECK(idx.back() == 399'999);
    CHECK(*idx.rbegin() == 399'999);
    // Random access: a binary search lands where a vector's would.
    for (std::uint32_t probe : {0u, 7u, 8u, 131'063u, 131'064u, 200'000u, 399'999u}) {
        auto it = std::lower_bound(idx.begin(), idx.end(), probe);
        REQUIRE(it != idx.end());
        CHECK(*it == probe);
        CHECK(static_cast<std::uint32_t>(it - idx.begin()) == probe);
    }
    CHECK(std::lower_bound(idx.begin(), idx.end(), 400'000u) == idx.end());
}

TEST_CASE("connection and request ids are indexed by their events, near ids and far ones alike", "[trace][recording]") {
    Recording rec;
    std::vector<Event> events;
    std::uint64_t t = 1;
    const std::vector<std::uint64_t> conns = {make_id(101, 1), make_id(101, 2), make_id(202, 1),
                                              make_id(101, 4'000'000'000u),  // far past the others: a damaged file
                                              make_id(101, 3)};
    for (int round = 0; round < 3; ++round) {
        for (std::uint64_t c : conns) {
            Event e = ev::ReadStart{.conn = c}.event(t++, id_pid(c), id_pid(c));
            e.req = c + 7;
            events.push_back(e);
        }
    }
    rec.append(events);
    for (std::size_t i = 0; i < conns.size(); ++i) {
        const Recording::Index* idx = rec.by_conn(conns[i]);
        REQUIRE(idx != nullptr);
        CHECK(std::vector<std::uint32_t>(idx->begin(), idx->end()) ==
              std::vector<std::uint32_t>{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + conns.size()),
                                         static_cast<std::uint32_t>(i + 2 * conns.size())});
        REQUIRE(rec.by_req(conns[i] + 7) != nullptr);
        CHECK(rec.by_req(conns[i] + 7)->size() == 3);
    }
    CHECK(rec.by_conn(make_id(101, 5)) == nullptr);
    CHECK(rec.by_conn(make_id(303, 1)) == nullptr);
    CHECK(rec.conns() == conns);  // in order of first appearance
}

TEST_CASE("a moved-from PositionList is empty and takes pushes again", "[trace][recording]") {
    minicorn::trace::PositionList a;
    for (std::uint32_t i = 0; i < 20; ++i) a.push_back(i);  // three blocks
    minicorn::trace::PositionList b(std::move(a));
    CHECK(b.size() == 20);
    CHECK(b[19] == 19);
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the state a move leaves is the point
    for (std::uint32_t i = 0; i < 10; ++i) a.push_back(100 + i);  // wrote past an empty block list before
    CHECK(a.size() == 10);
    CHECK(a[9] == 109);
    minicorn::trace::PositionList c;
    c = std::move(b);
    CHECK(c.size() == 20);
    CHECK(b.empty());
    b.push_back(7);
    CHECK(b[0] == 7);
}
