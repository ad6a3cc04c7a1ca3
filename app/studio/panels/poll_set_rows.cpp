// app/studio/panels/poll_set_rows.cpp — the Poll set panel's words: what
// each registered fd is, who waits on it, for what, and whether the last wait
// returned it ready. Pure functions of the World (see poll_set.h).
#include <sys/epoll.h>

#include <algorithm>

#include <fmt/format.h>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/panels/poll_set.h"

namespace minicorn::studio {

using trace::Connection;
using trace::GreenState;
using trace::ModelId;
using trace::Process;
using trace::World;

namespace {

std::string_view interest_words(std::int64_t events) {
    const bool in = (events & EPOLLIN) != 0;
    const bool out = (events & EPOLLOUT) != 0;
    return in && out ? "read or write" : out ? "write" : "read";
}

std::string ready_words(std::int64_t events) {
    std::string s;
    auto add = [&s](std::string_view w) { s += (s.empty() ? "" : " and ") + std::string(w); };
    if (events & EPOLLIN) add("ready to read");
    if (events & EPOLLOUT) add("ready to write");
    if (events & (EPOLLERR | EPOLLHUP)) add("an error or hang-up (the other end closed)");
    return s.empty() ? std::string("ready") : s;
}

std::int64_t listen_port(const World& world, std::int64_t fd) {
    for (const trace::ListenSocket& s : world.listener.sockets) {
        if (s.fd == fd) return s.port;
    }
    return 0;
}

// "the listening socket (port 8000)", "connection #34 /io?ms=200 from 127.0.0.1:53122".
std::string what_fd(const World& world, std::int64_t fd, std::uint64_t conn) {
    if (is_listen_fd(world, fd)) {
        const std::int64_t port = listen_port(world, fd);
        return port ? fmt::format("the listening socket (port {}): new connections arrive here", port)
                    : std::string("the listening socket: new connections arrive here");
    }
    if (conn) {
        if (const Connection* c = world.connection(conn)) {
            // The client's name when minicorn load traces ("slowloris 1"), and the request as the Topology names it.
            const trace::LoadConn* lc = world.client_side(*c);
            const std::string who = lc ? fmt::format("{} ({})", client_label(*lc), client_address(*c)) : client_address(*c);
            const std::string req = connection_label(world, *c);  // the client's current request, as the Topology's rows say
            return req.empty() || req[0] == ':' ? fmt::format("the connection from {}, no request yet", who)
                                                : fmt::format("the connection from {}, request {}", who, req);
        }
        return fmt::format("a socket of connection {} (closed since)", trace::format_id(conn));
    }
    return "a socket that is not a client's (the /db backend, a pipe)";
}

std::string green_name(const Process& proc, std::uint32_t green) {
    return fmt::format("{}#{}", proc.model == ModelId::Asyncio ? "task" : "g", green);
}

// "greenlet g#7 waits until it can read", "the main thread's poller: …".
std::string waiter_words(const World& world, const Process& proc, std::int64_t fd, const trace::PolledFd& reg) {
    const bool listener = is_listen_fd(world, fd);
    const std::string_view want = interest_words(reg.events);
    if (reg.green) {
        const std::string who = fmt::format("{} {}", proc.model == ModelId::Asyncio ? "task" : "greenlet",
                                            green_name(proc, reg.green));
        if (listener) return fmt::format("{}, the acceptor, waits for a new connection", who);
        return fmt::format("{} is parked until it can {}", who, want);
    }
    switch (proc.model) {
        case ModelId::Gthread:
            if (listener) return "the main thread's poller waits for a new connection to accept";
            return fmt::format("the main thread's poller: once it can {}, the connection goes to a pool thread", want);
        case ModelId::Tornado:
            return fmt::format("the IOLoop: once it can {}, its handler runs as a callback", want);
        default: return fmt::format("the poller, until it can {}", want);
    }
}

std::string now_words(const Process& proc, const std::string& call) {
    if (proc.poll_waiting) {
        if (proc.poll_timeout_ms < 0) return fmt::format("Now: asleep in {} with no time limit", call);
        return fmt::format("Now: asleep in {}, for at most {}", call,
                           format_duration(static_cast<std::uint64_t>(proc.poll_timeout_ms) * 1'000'000));
    }
    if (proc.poll_ready == 0 && proc.poll_ready_fds.empty()) {
        return fmt::format("Now: awake. Its last {} came back with nothing ready: its time limit ran out (a timer "
                           "was due)",
                           call);
    }
    return fmt::format("Now: awake, running what its last {} woke", call);
}

std::string timer_words(const Process& proc) {
    std::size_t sleeping = 0;
    for (const auto& [id, g] : proc.greenlets) sleeping += g.state == GreenState::Parked && g.fd < 0 ? 1 : 0;
    const std::size_t timers = sleeping + proc.loop.timers.size();
    if (timers == 0) return "";
    const std::string_view who = proc.model == ModelId::Asyncio ? "task" : "greenlet";
    if (sleeping) {
        return fmt::format("Also {} {}{} asleep on a timer (a patched sleep, /io): no fd, so not in this list; "
                           "the wait's time limit is the nearest timer.",
                           sleeping, who, sleeping == 1 ? "" : "s");
    }
    return fmt::format("Also {} timer{} pending in the IOLoop: no fd, so not in this list; the wait's time limit is "
                       "the nearest one.",
                       timers, timers == 1 ? "" : "s");
}

}  // namespace

const Process* poll_set_worker(const World& world, const PollSetState& state) {
    const std::vector<const Process*> workers = world.workers();
    for (const Process* p : workers) {
        if (p->pid == state.pid) return p;
    }
    return workers.empty() ? nullptr : workers.front();
}

PollSetSummary poll_set_rows(const World& world, const Process& proc, const GreenConnIndex* greens) {
    PollSetSummary s;
    s.polls = proc.model != ModelId::Sync;
    s.call = s.polls ? "epoll_wait" : "select()";
    if (!s.polls) {
        s.now = fmt::format("Now: {}", process_state_phrase(proc));
        return s;
    }
    s.ready_count = proc.poll_ready;
    s.ready_listed = proc.poll_ready_fds.size();
    for (const auto& [fd, reg] : proc.poll) {
        std::uint64_t conn = reg.conn;
        if (!conn && reg.green && greens) conn = greens->conn_of(proc.pid, reg.green);
        PollSetRow row{fd, what_fd(world, fd, conn), waiter_words(world, proc, fd, reg), false, ""};
        for (const trace::ReadyFd& r : proc.poll_ready_fds) {
            if (r.fd != fd) continue;
            row.ready = true;
            row.ready_for = ready_words(r.events);
        }
        s.rows.push_back(std::move(row));
    }
    for (const trace::ReadyFd& r : proc.poll_ready_fds) {
        if (proc.poll.count(r.fd)) continue;
        s.ready_gone.push_back(PollSetRow{r.fd, what_fd(world, r.fd, r.conn), "", true, ready_words(r.events)});
    }
    std::stable_partition(s.rows.begin(), s.rows.end(), [](const PollSetRow& r) { return r.ready; });
    s.now = now_words(proc, s.call);
    s.timers = timer_words(proc);
    return s;
}

}  // namespace minicorn::studio
