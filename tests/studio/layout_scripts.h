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
    s.add(0, kMaster, ev::ArbiterStart{.workers = sh.workers});
    s.add(0, kMaster, ev::ListenerOpen{.fd = kListenFd, .port = 8000});
    for (int i = 0; i < sh.workers; ++i) {
        pid_t w = 1000 + 100 * i;
        s.add(1, kMaster, ev::WorkerSpawn{.pid = w, .age = i + 1});
        s.add(1, w, ev::WorkerBoot{.age = i + 1, .model = static_cast<std::int64_t>(sh.model)});
        s.add(2, w, ev::WorkerBooted{});
        s.add(2, w, ev::Heartbeat{.engine_ms = 2});
    }
    s.add(2, kMaster, ev::WorkerCount{.live = sh.workers, .wanted = sh.workers});
}

// The request steps of connection `c` up to its handler, on thread `tid`, greenlet `green`.
inline void up_to_handler(Script& s, double t, pid_t w, pid_t tid, std::uint32_t green, std::uint64_t c) {
    auto on_thread = [&](Event& e) {
        e.tid = tid;
        e.green = green;
    };
    on_thread(s.add(t, w, ev::ReadStart{.conn = c}));
    on_thread(s.add(t + 0.01, w, ev::ReadDone{.conn = c, .bytes = 78}));
    on_thread(s.add(t + 0.02, w, ev::Parsed{.conn = c, .req = c, .http = 11}));
    on_thread(s.add(t + 0.03, w, ev::HandlerStart{.conn = c, .req = c}));
}

inline void gthread_worker(Script& s, pid_t w, int threads, int& port) {
    for (int i = 1; i <= threads; ++i) s.add(2.1, w, ev::ThreadStart{.role = static_cast<std::int64_t>(ThreadRole::Pool)}).tid = w + i;
    s.add(3, w, ev::PollRegister{.fd = kListenFd, .events = EPOLLIN});
    s.add(3, w, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    s.add(4, w, ev::PollWake{.ready = 1});
    const int conns = threads + 3;  // every thread busy, two in the queue, one parked
    for (int i = 1; i <= conns; ++i) {
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        s.add(4 + 0.01 * i, w, ev::Accepted{.conn = c, .peer_port = port++, .listen_fd = kListenFd});
        s.add(4 + 0.01 * i, w, ev::PoolSubmit{.conn = c, .queue = i});
    }
    for (int i = 1; i <= threads; ++i) {
        pid_t tid = w + i;
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        s.add(5 + 0.05 * i, w, ev::PoolStart{.conn = c}).tid = tid;
        up_to_handler(s, 5 + 0.05 * i, w, tid, 0, c);
        if (i == 1) {
            s.add(5.04, w, ev::GilAcquire{}).tid = tid;
        } else {
            s.add(5.04 + 0.05 * i, w, ev::GilWait{.holder = w + 1}).tid = tid;
        }
    }
    std::uint64_t parked = make_id(w, static_cast<std::uint32_t>(conns));
    s.add(7, w, ev::PoolStart{.conn = parked}).tid = w;  // served earlier, now between requests
    s.add(7.1, w, ev::KeepAlivePark{.conn = parked, .deadline_ms = 2000}).tid = w;
    s.add(7.1, w, ev::PollRegister{.conn = parked, .fd = 40, .events = EPOLLIN});
    s.add(7.2, w, ev::PollWait{.timeout_ms = 1000, .fds = 2});
}

inline void green_worker(Script& s, pid_t w, int conns, int& port) {
    // `green` for the kinds whose schema row has no greenlet (a connection's steps).
    auto g = [&s, w](double t, const auto& event, std::uint32_t green = 0) -> Event& {
        Event& e = s.add(t, w, event);
        if (green) e.green = green;
        return e;
    };
    g(3, ev::GreenSpawn{.green = 1});
    g(3, ev::GreenSwitch{.green = 1});
    g(3, ev::PollRegister{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    g(3, ev::GreenPark{.green = 1, .fd = kListenFd, .events = EPOLLIN});
    for (int i = 1; i <= conns; ++i) {
        auto green = static_cast<std::uint32_t>(1 + i);
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        double t = 4 + 0.1 * i;
        s.add(t, w, ev::Accepted{.conn = c, .peer_port = port++, .listen_fd = kListenFd}).green = 1;
        g(t, ev::GreenSpawn{.green = green, .parent = 1});
        g(t + 0.01, ev::GreenSwitch{.green = green, .from = 1});
        up_to_handler(s, t + 0.02, w, w, green, c);
        if (i < conns) {
            g(t + 0.08, ev::PollRegister{.green = green, .fd = 40 + i, .events = EPOLLIN}).conn = c;
            g(t + 0.08, ev::GreenPark{.green = green, .fd = 40 + i, .events = EPOLLIN});
        }
    }
}

inline void tornado_worker(Script& s, pid_t w, int conns, int& port) {
    s.add(3, w, ev::PollRegister{.fd = kListenFd, .events = EPOLLIN});
    s.add(3, w, ev::PollWait{.timeout_ms = 1000, .fds = 1});
    s.add(4, w, ev::PollWake{.ready = 1});
    for (int i = 1; i <= conns; ++i) {
        std::uint64_t c = make_id(w, static_cast<std::uint32_t>(i));
        double t = 4 + 0.1 * i;
        s.add(t, w, ev::Accepted{.conn = c, .peer_port = port++, .listen_fd = kListenFd});
        s.add(t, w, ev::PollRegister{.conn = c, .fd = 40 + i, .events = EPOLLIN});
        if (i == conns) up_to_handler(s, t + 0.01, w, w, 0, c);
    }
}

inline void sync_worker(Script& s, pid_t w, int& port) {
    s.add(3, w, ev::SelectWait{.timeout_ms = 1000});
    s.add(4, w, ev::SelectWake{.ready = 1});
    s.add(4, w, ev::AcceptAttempt{.listen_fd = kListenFd});
    std::uint64_t c = make_id(w, 1);
    s.add(4.01, w, ev::Accepted{.conn = c, .peer_port = port++, .listen_fd = kListenFd});
    up_to_handler(s, 4.02, w, w, 0, c);
}

// minicorn load (pid 900): `users` virtual users, each connected from one of
// the server's peer ports (first..) and sending its request.
inline void load_client(Script& s, int users, int first_port) {
    const pid_t client = 900;
    s.add(3, client, ev::ClientStart{.virtual_users = users});
    for (int i = 0; i < users; ++i) {
        std::uint64_t a = trace::make_id(client, static_cast<std::uint32_t>(i + 1));
        s.add(3.5, client, ev::ClientConnectStart{.conn = a, .vu = i, .role = static_cast<std::int64_t>(trace::ClientRole::Good)});
        s.add(3.6, client, ev::ClientConnected{.conn = a, .local_port = first_port + i, .fd = 7 + i});
        s.add(3.7, client, ev::ClientSendStart{.conn = a, .req = trace::make_id(client, static_cast<std::uint32_t>(100 + i)), .bytes = 78, .mix_index = i % 4});
        s.add(3.8, client, ev::ClientSendEnd{.conn = a, .req = trace::make_id(client, static_cast<std::uint32_t>(100 + i)), .bytes = 78});
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
    s.add(8, kMaster, ev::AcceptQueueSample{.length = 3, .backlog = kBacklog});
    for (int i = 0; i < sh.workers; ++i) s.add(9, 1000 + 100 * i, ev::Heartbeat{.engine_ms = 9});
    std::stable_sort(s.events.begin(), s.events.end(), [](const Event& a, const Event& b) { return a.t_ns < b.t_ns; });
    return s;
}

}  // namespace minicorn::testing::layout_scripts
