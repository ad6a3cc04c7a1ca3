// The World's event loops (LoopPhase, timers, ready callbacks) and the
// built-in client's connections, folded from hand-written scripts.
#include <catch2/catch.hpp>

#include "tests/support/trace_script.h"

using namespace minicorn::testing::trace_script;

TEST_CASE("a loop's phase, ready callbacks and timers are in the World", "[trace]") {
    Script s;
    const pid_t w = 101;
    s.add(1, w, K::WorkerBoot, 1, static_cast<std::int64_t>(ModelId::Tornado));
    s.add(2, w, K::TimerAdd, 1, 1000);   // the watchdog PeriodicCallback
    s.add(3, w, K::TimerAdd, 2, 5000);
    s.add(4, w, K::LoopPhase, static_cast<std::int64_t>(LoopPhaseId::Timers), 0);
    s.add(5, w, K::CallbackQueued, 1, static_cast<std::int64_t>(LoopCallback::Accept));
    s.add(6, w, K::CallbackQueued, 2, static_cast<std::int64_t>(LoopCallback::Request));
    s.add(7, w, K::LoopPhase, static_cast<std::int64_t>(LoopPhaseId::Callbacks), 2);
    s.conn(8, w, K::CallbackRun, 77, 0, 1, static_cast<std::int64_t>(LoopCallback::Request));
    World mid = TraceModel::fold(s.events);
    const LoopState& loop = mid.processes.at(w).loop;
    CHECK(loop.seen);
    CHECK(loop.phase == LoopPhaseId::Callbacks);
    CHECK(loop.phase_items == 2);
    CHECK(loop.ready_callbacks == 1);
    CHECK(loop.running == LoopCallback::Request);
    CHECK(loop.running_conn == 77);
    CHECK(loop.timers.size() == 2);
    CHECK(loop.iterations == 1);

    s.add(9, w, K::TimerFire, 1);
    s.add(10, w, K::TimerCancel, 2);
    s.add(11, w, K::LoopPhase, static_cast<std::int64_t>(LoopPhaseId::Poll), 3);
    World end = TraceModel::fold(s.events);
    const LoopState& l2 = end.processes.at(w).loop;
    CHECK(l2.timers.empty());
    CHECK(l2.timers_fired == 1);
    CHECK(l2.phase == LoopPhaseId::Poll);
    CHECK(describe(end).find("loop: poll (3)") != std::string::npos);
}

TEST_CASE("the client's connections join the server's by port and request id", "[trace]") {
    Script s;
    const pid_t w = 101, cl = 300;
    const std::uint64_t cc = make_id(cl, 1), creq = make_id(cl, 1);
    const std::uint64_t sc = make_id(w, 1), sreq = make_id(w, 1);
    s.add(0, cl, K::ClientStart, 10, 0);
    s.conn(1, cl, K::ClientConnectStart, cc, 0, 3, static_cast<std::int64_t>(ClientRole::Slowloris));
    s.conn(2, cl, K::ClientConnected, cc, 0, 53122, 7);
    s.conn(3, w, K::Accepted, sc, 0, 53122, kListenFd);
    s.conn(4, cl, K::ClientSendStart, cc, creq, 120, 1);
    World sending = TraceModel::fold(s.events);
    REQUIRE(sending.clients.size() == 1);
    const LoadConn& c = sending.clients.at(cc);
    CHECK(c.stage == ClientStage::Sending);
    CHECK(c.role == ClientRole::Slowloris);
    CHECK(c.vu == 3);
    REQUIRE(sending.server_side(c) != nullptr);
    CHECK(sending.server_side(c)->id == sc);
    CHECK(sending.client_side(sending.connections.at(sc))->id == cc);
    CHECK(sending.processes.at(cl).role == ProcessRole::Client);
    CHECK(sending.workers().size() == 1);  // the client is not a worker

    s.conn(5, cl, K::ClientSendEnd, cc, creq, 120);
    s.conn(6, w, K::Parsed, sc, sreq, 11, 0);
    s.conn(6.5, w, K::RequestTagged, sc, sreq, static_cast<std::int64_t>(creq));
    s.conn(7, cl, K::ClientFirstByte, cc, creq);
    s.conn(8, cl, K::ClientDone, cc, creq, 200, 4000);
    s.conn(9, cl, K::ClientError, 0, 0, static_cast<std::int64_t>(ClientErrorKind::Connect), 111);
    s.conn(10, cl, K::ClientClose, cc, 0, 1);
    World end = TraceModel::fold(s.events);
    CHECK(end.connections.at(sc).client_req == creq);
    CHECK(end.clients.empty());
    REQUIRE(end.clients_closed.size() == 1);
    CHECK(end.clients_closed.back().requests == 1);
    CHECK(end.clients_closed.back().last_latency_us == 4000);
    CHECK(end.client.done == 1);
    CHECK(end.client.by_status_class[2] == 1);
    CHECK(end.client.errors[static_cast<std::size_t>(ClientErrorKind::Connect)] == 1);
    CHECK(end.client.error_count() == 1);
}
