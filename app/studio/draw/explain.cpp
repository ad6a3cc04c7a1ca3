// app/studio/draw/explain.cpp — see explain.h. The phrases follow gunicorn's
// vocabulary (arbiter, worker, age, heartbeat, accept queue, keep-alive) so a
// learner can look the same words up in gunicorn's docs and source.
#include "app/studio/draw/explain.h"

#include "app/studio/draw/loop_step.h"

#include <sys/epoll.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "app/studio/draw/request_label.h"

namespace minicorn::studio {

using trace::ConnStage;
using trace::Connection;
using trace::GreenState;
using trace::Greenlet;
using trace::ModelId;
using trace::Process;
using trace::ProcessState;
using trace::Thread;
using trace::ThreadActivity;
using trace::World;

namespace {

// In engine time: paused spans left out.
std::uint64_t since(const World& world, std::uint64_t t_ns) { return world.gate.engine_span(t_ns, world.now_ns); }

std::string_view activity_phrase(ThreadActivity a) {
    switch (a) {
        case ThreadActivity::Idle: return "idle";
        case ThreadActivity::Waiting: return "waiting in the poller for something to be ready";
        case ThreadActivity::Accepting: return "accepting a connection";
        case ThreadActivity::Reading: return "reading a request";
        case ThreadActivity::Handling: return "running the app's handler";
        case ThreadActivity::Writing: return "writing a response";
    }
    return "?";
}

std::string_view thread_role_phrase(trace::ThreadRole role) {
    switch (role) {
        case trace::ThreadRole::Main: return "the main thread";
        case trace::ThreadRole::Pool: return "a thread of the executor pool";
        case trace::ThreadRole::Hub: return "the hub's thread";
        case trace::ThreadRole::Sampler: return "the accept-queue sampler";
        case trace::ThreadRole::App: return "a thread the application started (its own thread pool)";
    }
    return "a thread";
}

const Connection* conn_on_fd(const World& world, const Process& proc, std::int64_t fd) {
    auto it = proc.poll.find(fd);
    if (it == proc.poll.end() || it->second.conn == 0) return nullptr;
    return world.connection(it->second.conn);
}

// "1st", "2nd", "3rd", "4th", "11th", "21st".
std::string ordinal(std::int64_t n) {
    std::int64_t tens = n % 100, ones = n % 10;
    const char* suffix = (tens >= 11 && tens <= 13) ? "th" : ones == 1 ? "st" : ones == 2 ? "nd" : ones == 3 ? "rd" : "th";
    return fmt::format("{}{}", n, suffix);
}

// What is happening to `c` now, in the words of the stage strip: the step of
// the thread serving it (its last event, so "the app returned 200 — next:
// write the response" after HandlerEnd, not "the handler is running"); the
// connection's stage where no thread serves it (queued, kept alive).
std::string connection_now(const World& world, const Connection& c) {
    const Process* p = world.process(c.owner);
    const bool no_thread = c.stage == ConnStage::Closed || c.stage == ConnStage::KeepAlive || c.stage == ConnStage::PoolQueued;
    if (!p || no_thread) return std::string(stage_phrase(c.stage));
    // The thread that served it last (gthread: the pool thread after the main thread's accept).
    const Thread* serving = nullptr;
    for (const auto& [tid, th] : p->threads) {
        const bool on_it = th.conn == c.id && (th.last_kind == trace::EventKind::Accepted ||
                                               thread_step(world, *p, th).phase >= 2);  // a connection's step
        if (on_it && (!serving || th.since_ns >= serving->since_ns)) serving = &th;
    }
    if (serving) return thread_step(world, *p, *serving).text;
    return std::string(stage_phrase(c.stage));
}

}  // namespace

bool is_listen_fd(const World& world, std::int64_t fd) {
    return std::any_of(world.listener.sockets.begin(), world.listener.sockets.end(),
                       [fd](const trace::ListenSocket& s) { return s.fd == fd; });
}

std::uint64_t greenlet_conn(const World& world, const Process& proc, const Greenlet& g, std::uint64_t known) {
    bool acceptor = g.state == GreenState::Parked && g.fd >= 0 && is_listen_fd(world, g.fd);
    if (acceptor) return 0;  // it named the connection it accepted last, and serves none
    if (known && world.connection(known)) return known;
    if (g.state == GreenState::Parked && g.fd >= 0) {
        auto it = proc.poll.find(g.fd);
        if (it != proc.poll.end() && it->second.conn) return it->second.conn;
    }
    if (g.conn) return g.conn;
    // The engine's connection phases carry no greenlet id; while one runs, its thread's connection is its own.
    if (g.state == GreenState::Running) {
        if (const Thread* th = proc.thread(proc.pid)) return th->conn;
    }
    return 0;
}

std::string format_duration(std::uint64_t ns) {
    double v = static_cast<double>(ns);
    if (ns < 1'000'000) return fmt::format("{:.0f} µs", v / 1e3);
    if (ns < 10'000'000) return fmt::format("{:.1f} ms", v / 1e6);
    if (ns < 1'000'000'000) return fmt::format("{:.0f} ms", v / 1e6);
    if (ns < 120'000'000'000) return fmt::format("{:.1f} s", v / 1e9);
    return fmt::format("{:.0f} min", v / 6e10);
}

std::string client_address(const Connection& conn) {
    return conn.peer_port ? fmt::format("127.0.0.1:{}", conn.peer_port) : std::string("an unknown client");
}

std::string worker_name(const Process& proc) {
    if (proc.role == trace::ProcessRole::Arbiter) return fmt::format("arbiter {}", proc.pid);
    if (proc.worker_age > 0) {
        if (proc.model != ModelId::Unknown) return fmt::format("worker {} ({})", proc.worker_age, to_string(proc.model));
        return fmt::format("worker {}", proc.worker_age);
    }
    return fmt::format("worker {}", proc.pid);
}

std::string client_label(const trace::LoadConn& client) {
    if (client.role == trace::ClientRole::Good) return fmt::format("vu{}", client.vu);
    return fmt::format("{} {}", trace::to_string(client.role), client.vu % 100'000 + 1);
}

std::string_view stage_phrase(ConnStage stage) {
    switch (stage) {
        case ConnStage::Accepted: return "just accepted; nothing read yet";
        case ConnStage::Reading: return "reading the request head";
        case ConnStage::Parsed: return "the request is parsed; the app is about to run";
        case ConnStage::ParseFailed: return "the request was malformed; an error page goes back, then it closes";
        case ConnStage::PoolQueued: return "waiting in the executor queue for a free thread";
        case ConnStage::Handling: return "the app's handler is running";
        case ConnStage::Writing: return "writing the response";
        case ConnStage::KeepAlive: return "idle between requests (keep-alive): waiting for the next one";
        case ConnStage::Closed: return "closed";
        case ConnStage::kCount: break;
    }
    return "?";
}

std::string_view stage_word(ConnStage stage) {
    switch (stage) {
        case ConnStage::Accepted: return "accepted";
        case ConnStage::Reading: return "reading";
        case ConnStage::Parsed: return "parsed";
        case ConnStage::ParseFailed: return "bad request";
        case ConnStage::PoolQueued: return "queued";
        case ConnStage::Handling: return "handling";
        case ConnStage::Writing: return "writing";
        case ConnStage::KeepAlive: return "keep-alive";
        case ConnStage::Closed: return "closed";
        case ConnStage::kCount: break;
    }
    return "?";
}

std::string_view client_stage_word(trace::ClientStage stage) {
    using trace::ClientStage;
    switch (stage) {
        case ClientStage::Connecting: return "connecting";
        case ClientStage::Connected: return "connected";
        case ClientStage::Sending: return "sending";
        case ClientStage::Waiting: return "waiting";
        case ClientStage::Receiving: return "receiving";
        case ClientStage::Idle: return "idle";
        case ClientStage::Closed: return "closed";
    }
    return "?";
}

std::string_view process_state_phrase(const Process& proc) {
    switch (proc.state) {
        case ProcessState::Spawned: return "just forked by the arbiter";
        case ProcessState::Booting: return "booting: loading the app (no heartbeat yet)";
        case ProcessState::Idle: return "in its loop between two waits, no request in hand";
        case ProcessState::Waiting:
            return proc.model == ModelId::Sync ? "waiting in select() for a connection"
                                               : "waiting in the poller until an fd is ready or a timer is due";
        case ProcessState::Accepting: return "accepting a connection";
        case ProcessState::Reading: return "reading a request";
        case ProcessState::Handling: return "running the app's handler";
        case ProcessState::Writing: return "writing a response";
        case ProcessState::TimedOut: return "timed out: the arbiter gave up on its heartbeat and is killing it";
        case ProcessState::Exited: return "exited; the arbiter has not reaped it yet";
        case ProcessState::Gone: return "reaped";
    }
    return "?";
}

std::string_view process_state_word(const Process& proc) {
    switch (proc.state) {
        case ProcessState::Spawned: return "forked";
        case ProcessState::Booting: return "booting";
        case ProcessState::Idle: return "in its loop";
        case ProcessState::Waiting: return proc.model == ModelId::Sync ? "in select()" : "polling";
        case ProcessState::Accepting: return "accepting";
        case ProcessState::Reading: return "reading";
        case ProcessState::Handling: return "handling";
        case ProcessState::Writing: return "writing";
        case ProcessState::TimedOut: return "timed out";
        case ProcessState::Exited: return "exited";
        case ProcessState::Gone: return "reaped";
    }
    return "?";
}

std::string_view model_design(ModelId model) {
    switch (model) {
        case ModelId::Sync:
            return "sync: one request at a time. The loop waits in select(), accepts one connection, reads, "
                   "runs the app, writes, closes; a slow client holds the whole worker.";
        case ModelId::Gthread:
            return "gthread: a main thread polls the listener and keep-alive connections; each ready "
                   "connection goes to the executor queue, and a pool thread serves it. Threads share one GIL.";
        case ModelId::Gevent:
            return "gevent: one OS thread, a hub that polls with epoll, and a greenlet per connection. Its "
                   "StreamServer puts a READ watcher on the listener: when it fires the hub itself accepts (one "
                   "connection per wake-up when there are several workers) and spawns a greenlet into "
                   "Pool(worker_connections). A greenlet that would block parks on its fd and the hub runs another.";
        case ModelId::Eventlet:
            return "eventlet: one OS thread, a hub that polls with epoll, and a greenthread per connection. An "
                   "acceptor greenthread waits in accept() on the listener and spawns each connection into "
                   "GreenPool(worker_connections); while the pool is full the acceptor waits, and connections stay "
                   "in the kernel's queue. A greenthread that would block parks on its fd and the hub runs another.";
        case ModelId::Tornado:
            return "tornado: one IOLoop thread runs phases (callbacks, timers, poll) and calls the app "
                   "on the loop thread; while the app runs, nothing else does.";
        case ModelId::Asyncio:
            return "asyncio: one event loop; each connection is a task on it. A task that awaits I/O "
                   "yields to the loop; one that computes holds everyone up.";
        case ModelId::Unknown: break;
    }
    return "a worker whose model is not known yet (it has not finished booting)";
}

std::string describe_fd(const World& world, const Process& proc, std::int64_t fd) {
    if (fd < 0) return "a timer (sleep or a deadline)";
    if (const Connection* c = conn_on_fd(world, proc, fd)) return fmt::format("fd {} (client {})", fd, client_address(*c));
    if (is_listen_fd(world, fd)) return fmt::format("fd {} (the listening socket)", fd);
    return fmt::format("fd {} (not a client: the /db backend, a pipe, ...)", fd);
}

std::string explain_connection(const World& world, const Connection& c) {
    std::string s = fmt::format("connection {} from client {}\n", trace::format_id(c.id), client_address(c));
    if (const Process* p = world.process(c.owner)) {
        s += fmt::format("accepted by {} {} ago\n", worker_name(*p), format_duration(since(world, c.entered(ConnStage::Accepted))));
    }
    s += fmt::format("now: {} (for {})\n", connection_now(world, c), format_duration(since(world, c.entered(c.stage))));
    // This request's steps so far, in order: on a kept-alive connection the
    // earlier rounds' entries are older than its last keep-alive park.
    std::uint64_t base = c.entered(ConnStage::Accepted);
    if (c.stage != ConnStage::KeepAlive) base = std::max(base, c.entered(ConnStage::KeepAlive));
    std::array<std::pair<std::uint64_t, ConnStage>, trace::kConnStageCount> steps{};
    std::size_t n = 0;
    for (std::size_t i = 0; i < trace::kConnStageCount; ++i) {
        auto st = static_cast<ConnStage>(i);
        std::uint64_t t = c.entered(st);
        if (t && t >= base && st != ConnStage::Closed) steps[n++] = {t, st};
    }
    std::sort(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(n));
    if (n > 1) {
        s += "steps:";
        for (std::size_t i = 0; i < n; ++i) {
            s += fmt::format(" {} +{}", stage_word(steps[i].second), format_duration(steps[i].first - steps[0].first));
            if (i + 1 < n) s += ",";
        }
        s += "\n";
    }
    if (c.req) s += fmt::format("request {}", request_label(c));
    if (c.requests > 1) s += fmt::format(", the {} on this keep-alive connection", ordinal(c.requests));
    if (c.req) s += fmt::format(" (server id {})", trace::format_id(c.req));
    if (c.req) s += "\n";
    if (c.bytes_read) s += fmt::format("read {} bytes", c.bytes_read);
    if (c.bytes_written) s += fmt::format(", wrote {} bytes", c.bytes_written);
    if (c.status) s += fmt::format(", status {}", c.status);
    const trace::LoadConn* client = world.client_side(c);
    if (client && client->mix_index >= 0) {
        s += fmt::format("\nvirtual user {} asked for path #{} of the traffic mix", client->vu, client->mix_index + 1);
    }
    s += "\nColour = its stage; the URL path is not in the server's trace (\"dots by: path\" uses the client's).";
    return s;
}

std::string explain_client(const World& world, const trace::LoadConn& c) {
    using trace::ClientStage;
    std::string_view doing = "?";
    switch (c.stage) {
        case ClientStage::Connecting: doing = "connecting (or connected and waiting in the accept queue for a worker)"; break;
        case ClientStage::Connected: doing = "connected, nothing sent yet"; break;
        case ClientStage::Sending: doing = "sending its request"; break;
        case ClientStage::Waiting: doing = "waiting for the response"; break;
        case ClientStage::Receiving: doing = "receiving the response"; break;
        case ClientStage::Idle: doing = "idle between requests (keep-alive)"; break;
        case ClientStage::Closed: doing = "closed"; break;
    }
    std::string s = fmt::format("virtual user {} ({}), local port {}: {} for {}", c.vu, trace::to_string(c.role),
                                c.local_port, doing, format_duration(since(world, c.since_ns)));
    if (c.req) s += fmt::format("\nrequest {}", request_label(c));
    if (c.req && c.mix_index >= 0) s += fmt::format(": path #{} of the traffic mix", c.mix_index + 1);
    s += fmt::format("\n{} requests done on this connection", c.requests);
    if (c.last_latency_us) s += fmt::format(", the last in {}", format_duration(static_cast<std::uint64_t>(c.last_latency_us) * 1000));
    if (c.errors) s += fmt::format(", {} errors", c.errors);
    if (const Connection* server = world.server_side(c)) {
        s += fmt::format("\nthe server's side: {}", stage_phrase(server->stage));
        if (const Process* p = world.process(server->owner)) s += fmt::format(" in {}", worker_name(*p));
    } else if (c.stage != ClientStage::Closed) {
        s += "\nno worker has accepted it yet";
    }
    return s;
}

std::string explain_listener(const World& world) {
    const trace::Listener& l = world.listener;
    std::string s = "The listening socket, owned by the kernel. Clients connect here; the kernel completes the "
                    "handshake and queues the connection until a worker calls accept().\n";
    if (l.sampled_ns) {
        s += fmt::format("accept queue: {} pending of a backlog of {} (TCP_INFO, sampled {} ago); peak {}\n", l.queue_len,
                         l.backlog, format_duration(since(world, l.sampled_ns)), l.peak_queue_len);
    } else {
        s += "accept queue: not sampled yet\n";
    }
    s += fmt::format("{} accepted; {} accept() calls found nothing (EAGAIN: another worker won the race, or nobody was waiting)",
                     l.accepts, l.eagains);
    return s;
}

std::string explain_pending(const World& world, std::size_t position) {
    std::string s = fmt::format("a connection the kernel has accepted but no worker has yet ({} of {} in the queue).\n"
                                "Its client is connected and waiting for a worker's accept().",
                                position + 1, world.listener.queue_len);
    // With minicorn load tracing, the connected clients no worker has are the ones in this queue.
    std::string who;
    std::size_t n = 0;
    for (const auto& [id, c] : world.clients) {
        if (c.local_port == 0 || c.stage == trace::ClientStage::Closed || world.server_side(c)) continue;
        if (n++ < 8) who += fmt::format("{}{} :{}", who.empty() ? "" : ", ", client_label(c), c.local_port);
    }
    if (n) {
        s += fmt::format("\nConnected clients no worker has accepted: {}{}", who, n > 8 ? fmt::format(" and {} more", n - 8) : "");
    } else {
        s += " Which client it is, the server's trace learns only at the accept.";
    }
    return s;
}

std::string explain_arbiter(const World& world) {
    const trace::Arbiter& a = world.arbiter;
    std::string s = fmt::format("The arbiter (gunicorn's master), pid {}. It never serves requests: it forks workers, "
                                "watches their heartbeats, and kills any that stay silent past the timeout.\n",
                                a.pid);
    s += fmt::format("workers: {} live, {} wanted; {} spawned, {} reaped, {} timed out", a.workers_live, a.workers_wanted,
                     a.spawns, a.reaps, a.timeouts);
    if (!a.signals.empty()) {
        const trace::SignalRecord& r = a.signals.back();
        s += fmt::format("\nlast signal: {} {} ago{}", trace::signal_name(r.signo), format_duration(since(world, r.received_ns)),
                         r.handled_ns ? "" : " (being handled)");
    }
    return s;
}

std::string explain_worker(const World& world, const Process& p) {
    std::string s = fmt::format("{}, pid {}: {}\n", worker_name(p), p.pid, model_design(p.model));
    s += fmt::format("now: {} (for {})\n", process_state_phrase(p),
                     format_duration(p.threads.empty() ? 0 : since(world, p.threads.begin()->second.since_ns)));
    if (p.worker_age > 0) {
        s += fmt::format("age {}: the {} worker the arbiter forked (gunicorn's worker.age; a replaced worker gets a new one)\n",
                         p.worker_age, ordinal(p.worker_age));
    }
    s += fmt::format("up {}, {} requests served", format_duration(p.uptime_ns(world.now_ns, &world.gate)),
                     p.counter(trace::CounterId::Requests));
    if (p.role == trace::ProcessRole::Worker) {
        s += fmt::format(", last heartbeat {} ago (the arbiter kills it after the timeout)",
                         format_duration(p.silence_ns(world.now_ns, &world.gate)));
    }
    if (p.drops) s += fmt::format("\n{} events dropped (full trace ring): the picture may miss steps", p.drops);
    return s;
}

std::string explain_thread(const World& world, const Process& p, const Thread& th) {
    std::string s = fmt::format("thread {} of {}: {}\n", th.tid, worker_name(p), thread_role_phrase(th.role));
    s += fmt::format("{} for {}", activity_phrase(th.activity), format_duration(since(world, th.since_ns)));
    if (th.conn) {
        if (const Connection* c = world.connection(th.conn)) s += fmt::format("\nserving client {}", client_address(*c));
    }
    if (p.loop.seen && th.tid == p.pid) {
        const trace::LoopState& L = p.loop;
        s += fmt::format("\nits event loop: in the {} phase ({} items) for {}; {} ready callbacks, {} timers pending; "
                         "{} iterations so far",
                         trace::to_string(L.phase), L.phase_items, format_duration(since(world, L.phase_since_ns)),
                         L.ready_callbacks, L.timers.size(), L.iterations);
        if (L.callbacks_run) s += fmt::format("; the last callback run: {}", trace::to_string(L.running));
    }
    if (p.gil.holder == th.tid) {
        s += "\nholds the GIL: it is the one thread of this process running Python code";
    } else if (std::find(p.gil.waiters.begin(), p.gil.waiters.end(), th.tid) != p.gil.waiters.end()) {
        s += "\nwaiting for the GIL: it cannot run Python code until the holder lets go";
    }
    return s;
}

std::string explain_greenlet(const World& world, const Process& p, const Greenlet& g, std::uint64_t known_conn) {
    std::string who = g.id == 0 ? std::string("the main greenlet (the worker's own loop)") : fmt::format("greenlet {}", g.id);
    bool acceptor = g.state == GreenState::Parked && is_listen_fd(world, g.fd);
    std::uint64_t conn = greenlet_conn(world, p, g, known_conn);
    const Connection* c = conn ? world.connection(conn) : nullptr;
    std::string s;
    switch (g.state) {
        case GreenState::Running:
            s = fmt::format("{}, RUNNING: it alone has this OS thread; every other greenlet and the hub wait "
                            "until it parks or yields ({} so far)", who, format_duration(since(world, g.since_ns)));
            break;
        case GreenState::Ready:
            s = fmt::format("{}, ready: it can run and waits for the hub to switch to it ({} so far)", who,
                            format_duration(since(world, g.since_ns)));
            break;
        case GreenState::Parked: {
            if (g.fd < 0) {
                s = fmt::format("{}, parked on a timer (sleeping, e.g. a patched time.sleep or /io)", who);
            } else {
                s = fmt::format("{}, parked on {}", who, describe_fd(world, p, g.fd));
                if (acceptor) {
                    s += ": the acceptor, waiting for a new connection";
                } else if (c && c->stage != ConnStage::Closed) {
                    if (g.fd_events & EPOLLOUT) {
                        s += ", waiting until the socket can take more of the response";
                    } else {
                        s += fmt::format(", waiting to {}",
                                         c->stage == ConnStage::KeepAlive ? "read the next request (keep-alive)"
                                                                          : "read the request head");
                    }
                } else {
                    s += (g.fd_events & EPOLLOUT) ? ", waiting until it can write" : ", waiting until it can read";
                }
            }
            s += fmt::format(" ({} so far)", format_duration(since(world, g.since_ns)));
            break;
        }
        case GreenState::Exited: s = fmt::format("{}, finished", who); break;
    }
    if (c) s += fmt::format("\nserves client {}: {}", client_address(*c), stage_phrase(c->stage));
    return s;
}

std::string explain_poll_fd(const World& world, const Process& p, std::int64_t fd) {
    auto it = p.poll.find(fd);
    std::string s = fmt::format("{} is in the poll list of {}", describe_fd(world, p, fd), worker_name(p));
    if (it != p.poll.end()) {
        bool in = (it->second.events & EPOLLIN) != 0;
        bool out = (it->second.events & EPOLLOUT) != 0;
        s += fmt::format(": the poller reports when it can be {} (registered {} ago)",
                         in && out ? "read or written" : out ? "written" : "read",
                         format_duration(since(world, it->second.since_ns)));
    }
    if (const Connection* c = conn_on_fd(world, p, fd)) s += fmt::format("\nthe connection: {}", stage_phrase(c->stage));
    return s;
}

std::string explain_pool_queue(const World&, const Process& p) {
    return fmt::format("the executor queue of {}: {} connection(s) ready to be served, waiting for a free pool "
                       "thread. With every thread busy (slow handlers, a held GIL) this queue grows.",
                       worker_name(p), p.pool_queue.size());
}

std::string explain_keepalive(const World& world, const Process& p) {
    std::size_t sleeping = 0;
    for (const auto& [id, g] : p.greenlets) sleeping += (g.state == GreenState::Parked && g.fd < 0) ? 1 : 0;
    std::string s = fmt::format("{} fd(s) in the poll list of {}: the poller wakes the worker when one of them is ready.",
                                p.poll.size(), worker_name(p));
    if (sleeping) s += fmt::format("\n{} greenlet(s) sleep on a timer (a patched sleep, /io, a deadline).", sleeping);
    s += fmt::format("\nkeep-alive: {} idle connection(s) kept open between requests; each is closed if no request "
                     "comes before its deadline (--keep-alive).",
                     p.keepalive.size());
    if (!p.keepalive.empty()) {
        const trace::KeepAliveEntry& oldest = p.keepalive.front();
        s += fmt::format(" The oldest has waited {}.", format_duration(since(world, oldest.parked_ns)));
    }
    return s;
}

std::string explain_gil(const World& world, const Process& p) {
    const trace::Gil& g = p.gil;
    std::string s = "The GIL (simulated, as in CPython): only the thread holding it runs Python code. ";
    if (g.holder) {
        s += fmt::format("Held by thread {} for {}.", g.holder, format_duration(since(world, g.held_since_ns)));
    } else {
        s += "Free right now.";
    }
    if (!g.waiters.empty()) s += fmt::format(" {} thread(s) wait for it.", g.waiters.size());
    s += fmt::format("\n{} acquisitions, {} forced drops (a waiter asked after the switch interval), {} waited in total",
                     g.acquisitions, g.forced_drops, format_duration(g.waited_ns));
    return s;
}

}  // namespace minicorn::studio
