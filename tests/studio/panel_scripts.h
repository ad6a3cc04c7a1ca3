// tests/studio/panel_scripts.h — event scripts shaped like the gthread, green
// (gevent) and tornado workers' traces, for the panel tests. The sync worker's
// come from tests/support/trace_script.h.
#pragma once

#include <sys/epoll.h>

#include "tests/support/trace_script.h"

namespace minicorn::testing::panel_scripts {

using namespace trace_script;

inline void boot_one(Script& s, pid_t w, ModelId model) {
    s.add(0, kMaster, K::ArbiterStart, 1);
    s.add(0, kMaster, K::ListenerOpen, kListenFd, 8000);
    s.add(1, kMaster, K::WorkerSpawn, w, 1);
    s.add(1, w, K::WorkerBoot, 1, static_cast<std::int64_t>(model));
    s.add(2, w, K::WorkerBooted);
    s.add(2, w, K::Heartbeat, 2);
    s.add(2, kMaster, K::WorkerCount, 1, 1);
}

// gthread worker 201 with pool threads 2011 and 2012. Three connections come
// in at once: 2011 serves :53122 and holds the GIL, 2012 serves :53123 and
// waits for the GIL, :53124 waits in the executor queue.
inline constexpr pid_t kGthread = 201;
inline Script gthread_busy() {
    Script s;
    const pid_t w = kGthread;
    boot_one(s, w, ModelId::Gthread);
    for (pid_t tid : {2011, 2012}) s.add(2, w, K::ThreadStart, static_cast<std::int64_t>(ThreadRole::Pool)).tid = tid;
    s.add(3, w, K::PollRegister, kListenFd, EPOLLIN);
    s.add(3, w, K::PollWait, 1000, 1);
    s.add(5, w, K::PollWake, 1);
    for (std::uint32_t i = 1; i <= 3; ++i) {
        s.conn(5 + 0.1 * i, w, K::Accepted, make_id(w, i), 0, 53121 + i, kListenFd);
        s.conn(5 + 0.1 * i, w, K::PoolSubmit, make_id(w, i), 0, i);
    }
    s.add(5.5, w, K::PollWait, 1000, 1);
    auto on = [&s, w](double t, pid_t tid, K kind, std::uint32_t seq, bool req, std::int64_t a0 = 0) {
        s.conn(t, w, kind, make_id(w, seq), req ? make_id(w, seq) : 0, a0).tid = tid;
    };
    on(6, 2011, K::PoolStart, 1, false);
    on(6, 2011, K::ReadStart, 1, false);
    on(6.2, 2011, K::ReadDone, 1, false, 78);
    on(6.3, 2011, K::Parsed, 1, true, 11);
    on(6.4, 2011, K::HandlerStart, 1, true);
    s.add(6.4, w, K::GilAcquire, 0).tid = 2011;
    on(6.5, 2012, K::PoolStart, 2, false);
    on(6.5, 2012, K::ReadStart, 2, false);
    on(6.7, 2012, K::ReadDone, 2, false, 78);
    on(6.8, 2012, K::Parsed, 2, true, 11);
    on(6.9, 2012, K::HandlerStart, 2, true);
    s.add(7, w, K::GilWait, 2011).tid = 2012;
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
    auto g = [&s, w](double t, K kind, std::uint32_t green, std::uint64_t conn = 0, std::int64_t a0 = 0, std::int64_t a1 = 0) {
        Event& e = s.conn(t, w, kind, conn, 0, a0, a1);
        e.green = green;
        return &e;
    };
    g(3, K::GreenSpawn, 1, 0, 0);
    g(3, K::GreenSwitch, 1, 0, 0);
    g(3, K::PollRegister, 1, 0, kListenFd, EPOLLIN);
    g(3, K::GreenPark, 1, 0, kListenFd, EPOLLIN);
    s.add(3, w, K::PollWait, -1, 1);
    s.add(5, w, K::PollWake, 1);
    g(5, K::GreenWake, 1, 0, kListenFd, 0);
    g(5, K::GreenSwitch, 1, 0, 0);
    const std::uint64_t c1 = make_id(w, 1), c2 = make_id(w, 2);
    g(5.1, K::Accepted, 1, c1, 53122, kListenFd);
    g(5.1, K::GreenSpawn, 12, 0, 1);
    g(5.2, K::Accepted, 1, c2, 53140, kListenFd);
    g(5.2, K::GreenSpawn, 13, 0, 1);
    g(5.3, K::GreenPark, 1, 0, kListenFd, EPOLLIN);
    g(5.4, K::GreenSwitch, 12, 0, 1);
    g(5.4, K::ReadStart, 12, c1);
    g(5.5, K::PollRegister, 12, c1, 9, EPOLLIN);
    g(5.5, K::GreenPark, 12, c1, 9, EPOLLIN);
    g(5.6, K::GreenSwitch, 13, 0, 12);
    g(5.6, K::ReadStart, 13, c2);
    g(5.7, K::ReadDone, 13, c2, 80);
    s.conn(5.8, w, K::Parsed, c2, make_id(w, 2), 11).green = 13;
    s.conn(5.9, w, K::HandlerStart, c2, make_id(w, 2)).green = 13;
    s.add(20, w, K::Heartbeat, 20);
    return s;
}

// tornado worker 401: the loop accepted :53122 and runs its handler.
inline constexpr pid_t kTornado = 401;
inline Script tornado_busy() {
    Script s;
    const pid_t w = kTornado;
    boot_one(s, w, ModelId::Tornado);
    s.add(3, w, K::PollRegister, kListenFd, EPOLLIN);
    s.add(3, w, K::PollWait, 1000, 1);
    s.add(5, w, K::PollWake, 1);
    const std::uint64_t c1 = make_id(w, 1);
    s.conn(5.1, w, K::Accepted, c1, 0, 53122, kListenFd);
    s.conn(5.2, w, K::PollRegister, c1, 0, 10, EPOLLIN);
    s.conn(5.3, w, K::ReadStart, c1);
    s.conn(5.4, w, K::ReadDone, c1, 0, 78);
    s.conn(5.5, w, K::Parsed, c1, make_id(w, 1), 11);
    s.conn(5.6, w, K::HandlerStart, c1, make_id(w, 1));
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
    auto g = [&s, w](double t, K kind, std::uint32_t green, std::int64_t a0 = 0, std::int64_t a1 = 0) {
        s.add(t, w, kind, a0, a1).green = green;
    };
    const std::uint64_t c1 = make_id(w, 1);
    g(3, K::GreenSpawn, 1, 0);
    g(3, K::GreenSwitch, 1, 0);
    g(3.1, K::PollRegister, 1, kListenFd, EPOLLIN);
    g(3.1, K::GreenPark, 1, kListenFd, EPOLLIN);
    s.add(3.2, w, K::PollWait, -1, 1);
    s.add(5, w, K::PollWake, 1);
    g(5, K::PollUnregister, 1, kListenFd);
    g(5, K::GreenWake, 1, kListenFd);
    g(5, K::GreenSwitch, 1, 0);
    s.add(5.1, w, K::AcceptAttempt, kListenFd);
    s.conn(5.1, w, K::Accepted, c1, 0, 53122, kListenFd);
    g(5.2, K::GreenSpawn, 2, 1);
    s.add(5.2, w, K::AcceptAttempt, kListenFd);
    s.add(5.2, w, K::AcceptEagain, EAGAIN);
    g(5.3, K::PollRegister, 1, kListenFd, EPOLLIN);
    g(5.3, K::GreenPark, 1, kListenFd, EPOLLIN);
    s.add(5.3, w, K::PollWait, 0, 1);
    s.add(5.3, w, K::PollWake, 0);
    g(5.4, K::GreenSwitch, 2, 1);
    s.conn(5.4, w, K::ReadStart, c1);
    g(5.5, K::PollRegister, 2, 11, EPOLLIN);
    g(5.5, K::GreenPark, 2, 11, EPOLLIN);
    s.add(5.5, w, K::PollWait, 97, 2);
    s.add(6, w, K::PollWake, 1);
    g(6, K::PollUnregister, 2, 11);
    g(6, K::GreenWake, 2, 11);
    s.conn(6.1, w, K::ReadDone, c1, 0, 87);
    s.conn(6.1, w, K::Parsed, c1, make_id(w, 1), 11);
    s.conn(6.2, w, K::HandlerStart, c1, make_id(w, 1));
    g(6.3, K::GreenPark, 2, -1, 0);
    s.add(6.3, w, K::PollWait, 30, 1);
    s.add(30, w, K::Heartbeat, 30);
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
        s.conn(t, w, K::Accepted, c, 0, 50000 + i, kListenFd);
        s.add(t, w, K::GreenSpawn, 1).green = 1 + i;
        s.add(t + 0.1, w, K::GreenSwitch, 1).green = 1 + i;
        s.conn(t + 0.1, w, K::ReadStart, c);
        s.conn(t + 0.2, w, K::ReadDone, c, 0, 80);
        s.conn(t + 0.3, w, K::Parsed, c, make_id(w, i), 11);
        s.conn(t + 0.4, w, K::HandlerStart, c, make_id(w, i));
        s.add(t + 0.5, w, K::GreenPark, -1, 0).green = 1 + i;
    }
    s.add(4.0 + n, w, K::PollWait, 1000, 1);
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
    s.add(5, client, K::ClientStart, 2, 0);
    const std::uint64_t a = trace::make_id(client, 1), b = trace::make_id(client, 2);
    s.conn(6, client, K::ClientConnectStart, a, 0, 0, static_cast<std::int64_t>(trace::ClientRole::Good));
    s.conn(6.5, client, K::ClientConnected, a, 0, 53122, 7);
    s.conn(6.6, client, K::ClientSendStart, a, trace::make_id(client, 11), 78, 1);
    s.conn(6.7, client, K::ClientSendEnd, a, trace::make_id(client, 11), 78);
    s.conn(7, client, K::ClientConnectStart, b, 0, 1, static_cast<std::int64_t>(trace::ClientRole::Slowloris));
    const std::uint64_t c = trace::make_id(client, 3);  // connected, in the kernel's queue: no worker has it
    s.conn(7.5, client, K::ClientConnectStart, c, 0, 2, static_cast<std::int64_t>(trace::ClientRole::Good));
    s.conn(7.6, client, K::ClientConnected, c, 0, 53140, 8);
    start_request(s, 10, 101, 1, 53122);  // the server accepts :53122 and runs its handler
    s.add(15.5, kMaster, K::AcceptQueueSample, 1, kBacklog);  // :53140 is the one left in the queue
    return s;
}

}  // namespace minicorn::testing::panel_scripts
