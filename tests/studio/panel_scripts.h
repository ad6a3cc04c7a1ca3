// tests/studio/panel_scripts.h — event scripts shaped like the gthread, green
// (gevent) and tornado workers' traces, for the panel tests. The sync worker's
// come from tests/support/trace_script.h.
#pragma once

#include <sys/epoll.h>

#include "tests/support/trace_script.h"

namespace minicorn::testing::panel_scripts {

using namespace trace_script;

inline void boot_one(Script& s, pid_t w, ModelId model) {
    s.add(0, kMaster, ev::ArbiterStart{.workers = 1});
    s.add(0, kMaster, ev::ListenerOpen{.fd = kListenFd, .port = 8000});
    s.add(1, kMaster, ev::WorkerSpawn{.pid = w, .age = 1});
    s.add(1, w, ev::WorkerBoot{.age = 1, .model = static_cast<std::int64_t>(model)});
    s.add(2, w, ev::WorkerBooted{});
    s.add(2, w, ev::Heartbeat{.engine_ms = 2});
    s.add(2, kMaster, ev::WorkerCount{.live = 1, .wanted = 1});
}

// gthread worker 201 with pool threads 2011 and 2012. Three connections come
// in at once: 2011 serves :53122 and holds the GIL, 2012 serves :53123 and
// waits for the GIL, :53124 waits in the executor queue.
inline constexpr pid_t kGthread = 201;
inline Script gthread_busy() {
    Script s;
    const pid_t w = kGthread;
    boot_one(s, w, ModelId::Gthread);
    for (pid_t tid : {2011, 2012}) s.add(2, w, ev::ThreadStart{.role = static_cast<std::int64_t>(ThreadRole::Pool)}).tid = tid;
    s.add(3, w, ev::PollRegister{.fd = kListenFd, .events = EPOLLIN});
    s.add(3, w, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    s.add(5, w, ev::PollWake{.ready = 1});
    for (std::uint32_t i = 1; i <= 3; ++i) {
        s.add(5 + 0.1 * i, w, ev::Accepted{.conn = make_id(w, i), .peer_port = 53121 + i, .listen_fd = kListenFd});
        s.add(5 + 0.1 * i, w, ev::PoolSubmit{.conn = make_id(w, i), .queue = i});
    }
    s.add(5.5, w, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    auto on = [&s, w](double t, pid_t tid, const auto& event) { s.add(t, w, event).tid = tid; };
    const std::uint64_t c1 = make_id(w, 1), c2 = make_id(w, 2);  // each its request's id too
    on(6, 2011, ev::PoolStart{.conn = c1});
    on(6, 2011, ev::ReadStart{.conn = c1});
    on(6.2, 2011, ev::ReadDone{.conn = c1, .bytes = 78});
    on(6.3, 2011, ev::Parsed{.conn = c1, .req = c1, .http = 11});
    on(6.4, 2011, ev::HandlerStart{.conn = c1, .req = c1});
    s.add(6.4, w, ev::GilAcquire{}).tid = 2011;
    on(6.5, 2012, ev::PoolStart{.conn = c2});
    on(6.5, 2012, ev::ReadStart{.conn = c2});
    on(6.7, 2012, ev::ReadDone{.conn = c2, .bytes = 78});
    on(6.8, 2012, ev::Parsed{.conn = c2, .req = c2, .http = 11});
    on(6.9, 2012, ev::HandlerStart{.conn = c2, .req = c2});
    s.add(7, w, ev::GilWait{.holder = 2011}).tid = 2012;
    return s;
}

// gevent worker 301: the acceptor (greenlet 1) parked on the listener,
// greenlet 12 parked on fd 9 reading :53122's request head, greenlet 13
// running /cpu-like code for :53140.
inline constexpr pid_t kGevent = 301;
inline Script gevent_busy() {
    Script s;
    const pid_t w = kGevent;
    boot_one(s, w, ModelId::Gevent);
    // `green` for the kinds whose schema row has no greenlet (a connection's steps).
    auto g = [&s, w](double t, const auto& event, std::uint32_t green = 0) {
        Event& e = s.add(t, w, event);
        if (green) e.green = green;
        return &e;
    };
    g(3, ev::GreenSpawn{.green = 1});
    g(3, ev::GreenSwitch{.green = 1});
    g(3, ev::PollRegister{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    g(3, ev::GreenPark{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    s.add(3, w, ev::PollWait{.timeout_ms = -1, .fds = 1});
    s.add(5, w, ev::PollWake{.ready = 1});
    g(5, ev::GreenWake{.green = 1, .fd = kListenFd});
    g(5, ev::GreenSwitch{.green = 1});
    const std::uint64_t c1 = make_id(w, 1), c2 = make_id(w, 2);
    g(5.1, ev::Accepted{.conn = c1, .peer_port = 53122, .listen_fd = kListenFd}, 1);
    g(5.1, ev::GreenSpawn{.green = 12, .parent = 1});
    g(5.2, ev::Accepted{.conn = c2, .peer_port = 53140, .listen_fd = kListenFd}, 1);
    g(5.2, ev::GreenSpawn{.green = 13, .parent = 1});
    g(5.3, ev::GreenPark{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    g(5.4, ev::GreenSwitch{.green = 12, .from = 1});
    g(5.4, ev::ReadStart{.conn = c1}, 12);
    g(5.5, ev::PollRegister{.conn = c1, .green = 12, .fd = 9, .events = EPOLLIN});
    g(5.5, ev::GreenPark{.conn = c1, .green = 12, .fd = 9, .events = EPOLLIN});
    g(5.6, ev::GreenSwitch{.green = 13, .from = 12});
    g(5.6, ev::ReadStart{.conn = c2}, 13);
    g(5.7, ev::ReadDone{.conn = c2, .bytes = 80}, 13);
    s.add(5.8, w, ev::Parsed{.conn = c2, .req = make_id(w, 2), .http = 11}).green = 13;
    s.add(5.9, w, ev::HandlerStart{.conn = c2, .req = make_id(w, 2)}).green = 13;
    s.add(20, w, ev::Heartbeat{.engine_ms = 20});
    return s;
}

// tornado worker 401: the loop accepted :53122 and runs its handler.
inline constexpr pid_t kTornado = 401;
inline Script tornado_busy() {
    Script s;
    const pid_t w = kTornado;
    boot_one(s, w, ModelId::Tornado);
    s.add(3, w, ev::PollRegister{.fd = kListenFd, .events = EPOLLIN});
    s.add(3, w, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    s.add(5, w, ev::PollWake{.ready = 1});
    const std::uint64_t c1 = make_id(w, 1);
    s.add(5.1, w, ev::Accepted{.conn = c1, .peer_port = 53122, .listen_fd = kListenFd});
    s.add(5.2, w, ev::PollRegister{.conn = c1, .fd = 10, .events = EPOLLIN});
    s.add(5.3, w, ev::ReadStart{.conn = c1});
    s.add(5.4, w, ev::ReadDone{.conn = c1, .bytes = 78});
    s.add(5.5, w, ev::Parsed{.conn = c1, .req = make_id(w, 1), .http = 11});
    s.add(5.6, w, ev::HandlerStart{.conn = c1, .req = make_id(w, 1)});
    return s;
}

}  // namespace minicorn::testing::panel_scripts

namespace minicorn::testing::panel_scripts {

// gevent worker 311 as the real engine traces it: the connection steps carry
// no greenlet id (green 0), greenlet 2 is resumed from its fd without a
// GreenSwitch, then parks on a timer inside the handler (a patched sleep).
inline constexpr pid_t kGeventReal = 311;
inline Script gevent_as_traced() {
    Script s;
    const pid_t w = kGeventReal;
    boot_one(s, w, ModelId::Gevent);
    // `green` for the kinds whose schema row has no greenlet (a connection's steps).
    auto g = [&s, w](double t, const auto& event, std::uint32_t green = 0) {
        Event& e = s.add(t, w, event);
        if (green) e.green = green;
    };
    const std::uint64_t c1 = make_id(w, 1);
    g(3, ev::GreenSpawn{.green = 1});
    g(3, ev::GreenSwitch{.green = 1});
    g(3.1, ev::PollRegister{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    g(3.1, ev::GreenPark{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    s.add(3.2, w, ev::PollWait{.timeout_ms = -1, .fds = 1});
    s.add(5, w, ev::PollWake{.ready = 1});
    g(5, ev::PollUnregister{.green = 1, .fd = kListenFd});
    g(5, ev::GreenWake{.green = 1, .fd = kListenFd});
    g(5, ev::GreenSwitch{.green = 1});
    s.add(5.1, w, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(5.1, w, ev::Accepted{.conn = c1, .peer_port = 53122, .listen_fd = kListenFd});
    g(5.2, ev::GreenSpawn{.green = 2, .parent = 1});
    s.add(5.2, w, ev::AcceptAttempt{.listen_fd = kListenFd});
    s.add(5.2, w, ev::AcceptEagain{.error = EAGAIN});
    g(5.3, ev::PollRegister{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    g(5.3, ev::GreenPark{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    s.add(5.3, w, ev::PollWait{.fds = 1});
    s.add(5.3, w, ev::PollWake{});
    g(5.4, ev::GreenSwitch{.green = 2, .from = 1});
    s.add(5.4, w, ev::ReadStart{.conn = c1});
    g(5.5, ev::PollRegister{.green = 2, .fd = 11, .events = EPOLLIN});
    g(5.5, ev::GreenPark{.green = 2, .fd = 11, .events = EPOLLIN});
    s.add(5.5, w, ev::PollWait{.timeout_ms = 97, .fds = 2});
    s.add(6, w, ev::PollWake{.ready = 1});
    g(6, ev::PollUnregister{.green = 2, .fd = 11});
    g(6, ev::GreenWake{.green = 2, .fd = 11});
    s.add(6.1, w, ev::ReadDone{.conn = c1, .bytes = 87});
    s.add(6.1, w, ev::Parsed{.conn = c1, .req = make_id(w, 1), .http = 11});
    s.add(6.2, w, ev::HandlerStart{.conn = c1, .req = make_id(w, 1)});
    g(6.3, ev::GreenPark{.green = 2, .fd = -1});
    s.add(6.3, w, ev::PollWait{.timeout_ms = 30, .fds = 1});
    s.add(30, w, ev::Heartbeat{.engine_ms = 30});
    return s;
}

}  // namespace minicorn::testing::panel_scripts

namespace minicorn::testing::panel_scripts {

// gevent worker 321 with `n` greenlets, each reading a request and parking on
// a timer inside its handler, their steps carrying no greenlet id (as traced).
inline constexpr pid_t kGeventMany = 321;
inline Script gevent_many(std::uint32_t n) {
    Script s;
    const pid_t w = kGeventMany;
    boot_one(s, w, ModelId::Gevent);
    for (std::uint32_t i = 1; i <= n; ++i) {
        double t = 3 + i;
        const std::uint64_t c = make_id(w, i);
        s.add(t, w, ev::Accepted{.conn = c, .peer_port = 50000 + i, .listen_fd = kListenFd});
        s.add(t, w, ev::GreenSpawn{.parent = 1}).green = 1 + i;
        s.add(t + 0.1, w, ev::GreenSwitch{.from = 1}).green = 1 + i;
        s.add(t + 0.1, w, ev::ReadStart{.conn = c});
        s.add(t + 0.2, w, ev::ReadDone{.conn = c, .bytes = 80});
        s.add(t + 0.3, w, ev::Parsed{.conn = c, .req = make_id(w, i), .http = 11});
        s.add(t + 0.4, w, ev::HandlerStart{.conn = c, .req = make_id(w, i)});
        s.add(t + 0.5, w, ev::GreenPark{.fd = -1}).green = 1 + i;
    }
    s.add(4.0 + n, w, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    return s;
}

}  // namespace minicorn::testing::panel_scripts

namespace minicorn::testing::panel_scripts {

// 200 sync requests alternating between workers 101 and 102, one every 15 ms.
inline Script many_sync_requests() {
    Script s;
    boot_master_and_two_workers(s);
    for (std::uint32_t i = 0; i < 200; ++i) {
        pid_t w = i % 2 ? 102 : 101;
        sync_request(s, 10 + 15.0 * i, w, i + 1, 50000 + i);
    }
    return s;
}

// Master 100, sync workers 101 and 102, and minicorn load (pid 900): virtual
// user 0 sent a request (path #2 of the mix) that worker 101 now handles;
// virtual user 1, a slowloris, is still connecting; virtual user 2 is
// connected and waits in the kernel's accept queue.
inline Script with_load_client() {
    Script s;
    boot_master_and_two_workers(s);
    const pid_t client = 900;
    s.add(5, client, ev::ClientStart{.virtual_users = 2});
    const std::uint64_t a = trace::make_id(client, 1), b = trace::make_id(client, 2);
    s.add(6, client, ev::ClientConnectStart{.conn = a, .role = static_cast<std::int64_t>(trace::ClientRole::Good)});
    s.add(6.5, client, ev::ClientConnected{.conn = a, .local_port = 53122, .fd = 7});
    s.add(6.6, client, ev::ClientSendStart{.conn = a, .req = trace::make_id(client, 11), .bytes = 78, .mix_index = 1});
    s.add(6.7, client, ev::ClientSendEnd{.conn = a, .req = trace::make_id(client, 11), .bytes = 78});
    s.add(7, client, ev::ClientConnectStart{.conn = b, .vu = 1, .role = static_cast<std::int64_t>(trace::ClientRole::Slowloris)});
    const std::uint64_t c = trace::make_id(client, 3);  // connected, in the kernel's queue: no worker has it
    s.add(7.5, client, ev::ClientConnectStart{.conn = c, .vu = 2, .role = static_cast<std::int64_t>(trace::ClientRole::Good)});
    s.add(7.6, client, ev::ClientConnected{.conn = c, .local_port = 53140, .fd = 8});
    start_request(s, 10, 101, 1, 53122);  // the server accepts :53122 and runs its handler
    s.add(15.5, kMaster, ev::AcceptQueueSample{.length = 1, .backlog = kBacklog});  // :53140 is the one left in the queue
    return s;
}

}  // namespace minicorn::testing::panel_scripts
