// tests/studio/layout_scripts.h — a busy server of any model, any number of
// workers and threads (or greenlets), with minicorn load's virtual users, for
// the layout tests: every worker has all its threads (greenlets) serving a
// connection, more waiting (gthread's executor queue), one keep-alive
// connection parked, the GIL held and wanted.
#pragma once

#include <sys/epoll.h>

#include <algorithm>

#include "tests/support/trace_script.h"

namespace minicorn::testing::layout_scripts {

using namespace trace_script;

struct Shape {
    ModelId model = ModelId::Gthread;
    int workers = 3;
    int per_worker = 4;  // pool threads (gthread) or connections (the others)
    int users = 16;      // minicorn load's virtual users
};

namespace detail {

inline void boot(Script& s, const Shape& sh) {
    s.add(0, kMaster, K::ArbiterStart, sh.workers);
    s.add(0, kMaster, K::ListenerOpen, kListenFd, 8000);
    for (int i = 0; i < sh.workers; ++i) {
        pid_t w = 1000 + 100 * i;
        s.add(1, kMaster, K::WorkerSpawn, w, i + 1);
        s.add(1, w, K::WorkerBoot, i + 1, static_cast<std::int64_t>(sh.model));
        s.add(2, w, K::WorkerBooted);
        s.add(2, w, K::Heartbeat, 2);
    }
    s.add(2, kMaster, K::WorkerCount, sh.workers, sh.workers);
}

// The request steps of connection `c` up to its handler, on thread `tid`, greenlet `green`.
inline void up_to_handler(Script& s, double t, pid_t w, pid_t tid, std::uint32_t green, std::uint64_t c) {
    for (K kind : {K::ReadStart, K::ReadDone, K::Parsed, K::HandlerStart}) {
        Event& e = s.conn(t, w, kind, c, kind == K::Parsed || kind == K::HandlerStart ? c : 0, kind == K::ReadDone ? 78 : 11);
        e.tid = tid;
        e.green = green;
        t += 0.01;
    }
}

inline void gthread_worker(Script& s, pid_t w, int threads, int& port) {
    for (int i = 1; i <= threads; ++i) s.add(2.1, w, K::ThreadStart, static_cast<std::int64_t>(ThreadRole::Pool)).tid = w + i;
    s.add(3, w, K::PollRegister, kListenFd, EPOLLIN);
    s.add(3, w, K::PollWait, 1000, 1);
    s.add(4, w, K::PollWake, 1);
    const int conns = threads + 3;  // every thread busy, two in the queue, one parked
    for (int i = 1; i <= conns; ++i) {
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        s.conn(4 + 0.01 * i, w, K::Accepted, c, 0, port++, kListenFd);
        s.conn(4 + 0.01 * i, w, K::PoolSubmit, c, 0, i);
    }
    for (int i = 1; i <= threads; ++i) {
        pid_t tid = w + i;
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        s.conn(5 + 0.05 * i, w, K::PoolStart, c).tid = tid;
        up_to_handler(s, 5 + 0.05 * i, w, tid, 0, c);
        if (i == 1) {
            s.add(5.04, w, K::GilAcquire, 0).tid = tid;
        } else {
            s.add(5.04 + 0.05 * i, w, K::GilWait, w + 1).tid = tid;
        }
    }
    std::uint64_t parked = make_id(w, static_cast<std::uint32_t>(conns));
    s.conn(7, w, K::PoolStart, parked).tid = w;  // served earlier, now between requests
    s.conn(7.1, w, K::KeepAlivePark, parked, 0, 2000).tid = w;
    s.conn(7.1, w, K::PollRegister, parked, 0, 40, EPOLLIN);
    s.add(7.2, w, K::PollWait, 1000, 2);
}

inline void green_worker(Script& s, pid_t w, int conns, int& port) {
    auto g = [&s, w](double t, K kind, std::uint32_t green, std::int64_t a0 = 0, std::int64_t a1 = 0) -> Event& {
        Event& e = s.add(t, w, kind, a0, a1);
        e.green = green;
        return e;
    };
    g(3, K::GreenSpawn, 1);
    g(3, K::GreenSwitch, 1);
    g(3, K::PollRegister, 1, kListenFd, EPOLLIN);
    g(3, K::GreenPark, 1, kListenFd, EPOLLIN);
    for (int i = 1; i <= conns; ++i) {
        auto green = static_cast<std::uint32_t>(1 + i);
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        double t = 4 + 0.1 * i;
        s.conn(t, w, K::Accepted, c, 0, port++, kListenFd).green = 1;
        g(t, K::GreenSpawn, green, 1);
        g(t + 0.01, K::GreenSwitch, green, 1);
        up_to_handler(s, t + 0.02, w, w, green, c);
        if (i < conns) {
            g(t + 0.08, K::PollRegister, green, 40 + i, EPOLLIN).conn = c;
            g(t + 0.08, K::GreenPark, green, 40 + i, EPOLLIN);
        }
    }
}

inline void tornado_worker(Script& s, pid_t w, int conns, int& port) {
    s.add(3, w, K::PollRegister, kListenFd, EPOLLIN);
    s.add(3, w, K::PollWait, 1000, 1);
    s.add(4, w, K::PollWake, 1);
    for (int i = 1; i <= conns; ++i) {
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        double t = 4 + 0.1 * i;
        s.conn(t, w, K::Accepted, c, 0, port++, kListenFd);
        s.conn(t, w, K::PollRegister, c, 0, 40 + i, EPOLLIN);
        if (i == conns) up_to_handler(s, t + 0.01, w, w, 0, c);
    }
}

inline void sync_worker(Script& s, pid_t w, int& port) {
    s.add(3, w, K::SelectWait, 1000);
    s.add(4, w, K::SelectWake, 1);
    s.add(4, w, K::AcceptAttempt, kListenFd);
    std::uint64_t c = make_id(w, 1);
    s.conn(4.01, w, K::Accepted, c, 0, port++, kListenFd);
    up_to_handler(s, 4.02, w, w, 0, c);
}

// minicorn load (pid 900): `users` virtual users, each connected from one of
// the server's peer ports (first..) and sending its request.
inline void load_client(Script& s, int users, int first_port) {
    const pid_t client = 900;
    s.add(3, client, K::ClientStart, users, 0);
    for (int i = 0; i < users; ++i) {
        std::uint64_t a = trace::make_id(client, static_cast<std::uint32_t>(i + 1));
        s.conn(3.5, client, K::ClientConnectStart, a, 0, i, static_cast<std::int64_t>(trace::ClientRole::Good));
        s.conn(3.6, client, K::ClientConnected, a, 0, first_port + i, 7 + i);
        s.conn(3.7, client, K::ClientSendStart, a, trace::make_id(client, static_cast<std::uint32_t>(100 + i)), 78, i % 4);
        s.conn(3.8, client, K::ClientSendEnd, a, trace::make_id(client, static_cast<std::uint32_t>(100 + i)), 78);
    }
}

}  // namespace detail

inline Script busy_server(const Shape& sh) {
    Script s;
    detail::boot(s, sh);
    const int first_port = 50000;
    int port = first_port;
    for (int i = 0; i < sh.workers; ++i) {
        pid_t w = 1000 + 100 * i;
        switch (sh.model) {
            case ModelId::Gthread: detail::gthread_worker(s, w, sh.per_worker, port); break;
            case ModelId::Gevent:
            case ModelId::Eventlet:
            case ModelId::Asyncio: detail::green_worker(s, w, sh.per_worker, port); break;
            case ModelId::Tornado: detail::tornado_worker(s, w, sh.per_worker, port); break;
            default: detail::sync_worker(s, w, port); break;
        }
    }
    detail::load_client(s, sh.users, first_port);
    s.add(8, kMaster, K::AcceptQueueSample, 3, kBacklog);
    for (int i = 0; i < sh.workers; ++i) s.add(9, 1000 + 100 * i, K::Heartbeat, 9);
    std::stable_sort(s.events.begin(), s.events.end(), [](const Event& a, const Event& b) { return a.t_ns < b.t_ns; });
    return s;
}

}  // namespace minicorn::testing::layout_scripts
