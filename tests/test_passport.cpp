// [passport] a request's passport while it is still under way, on
// hand-written events (trace_script.h): a request nobody has accepted yet
// says it is in the accept queue and why, so far; once a worker reads it, the
// passport follows it there.
#include <catch2/catch.hpp>

#include "engine/trace/passport.h"
#include "tests/support/trace_script.h"

using namespace minicorn::testing::trace_script;

namespace {

// Worker 101 (sync) reads a slowloris (client conn 1) from 2 ms on; the good
// client (conn 2) connects and sends at 10 ms, and waits in the accept queue.
Script slowloris_then_good() {
    Script s;
    const pid_t w = 101, cl = 300;
    s.add(0, kMaster, ev::ArbiterStart{.workers = 1});
    s.add(0.5, w, ev::WorkerBoot{.age = 1, .model = ModelId::Sync});
    s.add(1, cl, ev::ClientStart{.virtual_users = 1});
    s.add(1.1, cl, ev::ClientConnectStart{.conn = make_id(cl, 1), .role = ClientRole::Slowloris});
    s.add(1.2, cl, ev::ClientConnected{.conn = make_id(cl, 1), .local_port = 50001, .fd = 7});
    s.add(1.3, cl, ev::ClientSendStart{.conn = make_id(cl, 1), .req = make_id(cl, 1), .bytes = 90});
    s.add(2, w, ev::Accepted{.conn = make_id(w, 1), .peer_port = 50001, .listen_fd = kListenFd});
    s.add(2.1, w, ev::ReadStart{.conn = make_id(w, 1)});
    s.add(10, cl, ev::ClientConnectStart{.conn = make_id(cl, 2), .vu = 1});
    s.add(10.1, cl, ev::ClientConnected{.conn = make_id(cl, 2), .local_port = 50002, .fd = 8});
    s.add(10.2, cl, ev::ClientSendStart{.conn = make_id(cl, 2), .req = make_id(cl, 2), .bytes = 100});
    s.add(60, kMaster, ev::AcceptQueueSample{.length = 1, .backlog = kBacklog});
    return s;
}

World fold_at(const Recording& rec, std::uint64_t t) {
    World w;
    for (const Event& e : rec.events()) {
        if (e.t_ns <= t) TraceModel::apply(w, e);
    }
    w.now_ns = t;
    return w;
}

}  // namespace

TEST_CASE("a request still in the accept queue has a passport so far, with the reason it waits", "[passport]") {
    const Recording rec = slowloris_then_good().recording();
    auto ids = find_request(rec, make_id(300, 2));
    REQUIRE(ids.has_value());
    CHECK(ids->server_req == 0);
    CHECK(ids->server_conn == 0);  // nobody accepted it
    const Passport p = build_passport(rec, *ids, [&](std::uint64_t t) { return fold_at(rec, t); });
    REQUIRE(p.stages.size() == 2);
    CHECK_FALSE(p.complete);
    CHECK(p.stages[0].kind == StageKind::Connect);
    CHECK(p.stages[1].kind == StageKind::AcceptQueue);
    CHECK(p.stages[1].end_ns() == ms(60));  // so far: up to the last event recorded
    CHECK(p.latency_sum_ns() == p.latency_ns());
    CHECK(p.stages[1].reason.find("the only worker was busy — worker 1 reading a slow client (a slowloris") !=
          std::string::npos);
}

TEST_CASE("a request a worker is still reading is followed to it by its port", "[passport]") {
    const Recording rec = slowloris_then_good().recording();
    auto ids = find_request(rec, make_id(300, 1));  // the slowloris's own request
    REQUIRE(ids.has_value());
    CHECK(ids->server_conn == make_id(101, 1));
    const Passport p = build_passport(rec, *ids, [&](std::uint64_t t) { return fold_at(rec, t); });
    INFO(p.stages.size());
    REQUIRE(p.find(StageKind::Read) != nullptr);
    CHECK(p.find(StageKind::Accepted)->what.find("worker 1") != std::string::npos);
    CHECK(p.stages.back().kind == StageKind::Read);
    CHECK(p.find(StageKind::Read)->reason.find("slowloris") != std::string::npos);
}
