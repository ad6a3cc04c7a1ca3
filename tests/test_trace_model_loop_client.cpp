// The World's event loops (LoopPhase, timers, ready callbacks) and the
// built-in client's connections, folded from hand-written scripts.
#include <catch2/catch.hpp>

#include "tests/support/trace_script.h"

using namespace minicorn::testing::trace_script;

TEST_CASE("a loop's phase, ready callbacks and timers are in the World", "[trace]") {
    Script s;
    const pid_t w = 101;
    s.add(1, w, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(ModelId::Tornado)});
    s.add(2, w, ev::TimerAdd{.timer = 1, .deadline_ms = 1000});   // the watchdog PeriodicCallback
    s.add(3, w, ev::TimerAdd{.timer = 2, .deadline_ms = 5000});
    s.add(4, w, ev::LoopPhase{.phase = static_cast<std::int64_t>(LoopPhaseId::Timers)});
    s.add(5, w, ev::CallbackQueued{.ready = 1, .callback = static_cast<std::int64_t>(LoopCallback::Accept)});
    s.add(6, w, ev::CallbackQueued{.ready = 2, .callback = static_cast<std::int64_t>(LoopCallback::Request)});
    s.add(7, w, ev::LoopPhase{.phase = static_cast<std::int64_t>(LoopPhaseId::Callbacks), .items = 2});
    s.add(8, w, ev::CallbackRun{.conn = 77, .ready = 1, .callback = static_cast<std::int64_t>(LoopCallback::Request)});
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

    s.add(9, w, ev::TimerFire{.timer = 1});
    s.add(10, w, ev::TimerCancel{.timer = 2});
    s.add(11, w, ev::LoopPhase{.phase = static_cast<std::int64_t>(LoopPhaseId::Poll), .items = 3});
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
    s.add(0, cl, ev::ClientStart{.virtual_users = 10});
    s.add(1, cl, ev::ClientConnectStart{.conn = cc, .vu = 3, .role = static_cast<std::int64_t>(ClientRole::Slowloris)});
    s.add(2, cl, ev::ClientConnected{.conn = cc, .local_port = 53122, .fd = 7});
    s.add(3, w, ev::Accepted{.conn = sc, .peer_port = 53122, .listen_fd = kListenFd});
    s.add(4, cl, ev::ClientSendStart{.conn = cc, .req = creq, .bytes = 120, .mix_index = 1});
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

    s.add(5, cl, ev::ClientSendEnd{.conn = cc, .req = creq, .bytes = 120});
    s.add(6, w, ev::Parsed{.conn = sc, .req = sreq, .http = 11});
    s.add(6.5, w, ev::RequestTagged{.conn = sc, .req = sreq, .client_req = static_cast<std::int64_t>(creq)});
    s.add(7, cl, ev::ClientFirstByte{.conn = cc, .req = creq});
    s.add(8, cl, ev::ClientDone{.conn = cc, .req = creq, .status = 200, .latency_us = 4000});
    s.add(9, cl, ev::ClientError{.kind = static_cast<std::int64_t>(ClientErrorKind::Connect), .error = 111});
    s.add(10, cl, ev::ClientClose{.conn = cc, .requests = 1});
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
