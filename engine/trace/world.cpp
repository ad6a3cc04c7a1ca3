// engine/trace/world.cpp — names of the World's states, its lookups, and
// describe(): the text dump tests and the CLI print.
#include "engine/trace/world.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <sstream>

namespace minicorn::trace {

std::string_view to_string(ProcessState state) {
    switch (state) {
        case ProcessState::Spawned: return "Spawned";
        case ProcessState::Booting: return "Booting";
        case ProcessState::Idle: return "Idle";
        case ProcessState::Waiting: return "Waiting";
        case ProcessState::Accepting: return "Accepting";
        case ProcessState::Reading: return "Reading";
        case ProcessState::Handling: return "Handling";
        case ProcessState::Writing: return "Writing";
        case ProcessState::TimedOut: return "TimedOut";
        case ProcessState::Exited: return "Exited";
        case ProcessState::Gone: return "Gone";
    }
    return "?";
}

std::string_view to_string(ProcessRole role) {
    switch (role) {
        case ProcessRole::Arbiter: return "arbiter";
        case ProcessRole::Worker: return "worker";
        case ProcessRole::Client: return "client";
    }
    return "?";
}

std::string_view to_string(ThreadActivity activity) {
    switch (activity) {
        case ThreadActivity::Idle: return "Idle";
        case ThreadActivity::Waiting: return "Waiting";
        case ThreadActivity::Accepting: return "Accepting";
        case ThreadActivity::Reading: return "Reading";
        case ThreadActivity::Handling: return "Handling";
        case ThreadActivity::Writing: return "Writing";
    }
    return "?";
}

std::string_view to_string(GreenState state) {
    switch (state) {
        case GreenState::Ready: return "ready";
        case GreenState::Running: return "RUNNING";
        case GreenState::Parked: return "parked";
        case GreenState::Exited: return "exited";
    }
    return "?";
}

std::string_view to_string(ConnStage stage) {
    switch (stage) {
        case ConnStage::Accepted: return "Accepted";
        case ConnStage::Reading: return "Reading";
        case ConnStage::Parsed: return "Parsed";
        case ConnStage::ParseFailed: return "ParseFailed";
        case ConnStage::PoolQueued: return "PoolQueued";
        case ConnStage::Handling: return "Handling";
        case ConnStage::Writing: return "Writing";
        case ConnStage::KeepAlive: return "KeepAlive";
        case ConnStage::Closed: return "Closed";
        case ConnStage::kCount: break;
    }
    return "?";
}

namespace {
std::string_view thread_role_name(ThreadRole role) {
    switch (role) {
        case ThreadRole::Main: return "main";
        case ThreadRole::Pool: return "pool";
        case ThreadRole::Hub: return "hub";
        case ThreadRole::Sampler: return "sampler";
        case ThreadRole::App: return "app";
    }
    return "?";
}
}  // namespace

std::uint64_t Process::uptime_ns(std::uint64_t now_ns, const GateClock* gate) const {
    std::uint64_t end = now_ns;
    if (reaped_ns) end = reaped_ns;
    else if (exit_ns) end = exit_ns;
    if (gate) return gate->engine_span(spawn_ns, end);
    return end > spawn_ns ? end - spawn_ns : 0;
}

std::uint64_t Process::silence_ns(std::uint64_t now_ns, const GateClock* gate) const {
    if (role == ProcessRole::Arbiter) return 0;
    std::uint64_t from = last_heartbeat_ns ? last_heartbeat_ns : (boot_ns ? boot_ns : spawn_ns);
    if (gate) return gate->engine_span(from, now_ns);
    return now_ns > from ? now_ns - from : 0;
}

const Thread* Process::thread(pid_t tid) const {
    auto it = threads.find(tid);
    return it == threads.end() ? nullptr : &it->second;
}

void GateClock::add_close(std::uint64_t t_ns) {
    spans.push_back(Span{t_ns, 0});
    if (spans.size() <= kMaxSpans) return;
    const Span& old = spans.front();
    if (folded_paused_ns == 0) folded_from_ns = old.closed_ns;
    folded_to_ns = old.opened_ns;
    folded_paused_ns += old.opened_ns > old.closed_ns ? old.opened_ns - old.closed_ns : 0;
    spans.pop_front();
}

std::uint64_t GateClock::paused_between(std::uint64_t from, std::uint64_t to) const {
    // The folded spans count whole for a duration that covers them all (their detail is gone).
    std::uint64_t paused = folded_paused_ns && from <= folded_from_ns && to >= folded_to_ns ? folded_paused_ns : 0;
    for (const Span& s : spans) {
        const std::uint64_t end = s.opened_ns ? s.opened_ns : to;
        const std::uint64_t a = std::max(from, s.closed_ns);
        const std::uint64_t b = std::min(to, end);
        if (b > a) paused += b - a;
    }
    return paused;
}

std::uint64_t GateClock::engine_span(std::uint64_t from, std::uint64_t to) const {
    if (to <= from) return 0;
    return to - from - paused_between(from, to);
}

const Process* World::process(pid_t pid) const {
    if (auto it = processes.find(pid); it != processes.end()) return &it->second;
    for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
        if (it->pid == pid) return &*it;
    }
    return nullptr;
}

const Connection* World::connection(std::uint64_t id) const {
    if (auto it = connections.find(id); it != connections.end()) return &it->second;
    for (auto it = closed.rbegin(); it != closed.rend(); ++it) {
        if (it->id == id) return &*it;
    }
    return nullptr;
}

std::vector<const Process*> World::workers() const {
    std::vector<const Process*> out;
    for (const auto& [pid, p] : processes) {
        if (p.role == ProcessRole::Worker) out.push_back(&p);
    }
    return out;
}

const Connection* World::server_side(const LoadConn& c) const {
    if (c.local_port <= 0) return nullptr;
    for (const auto& [id, conn] : connections) {
        if (conn.peer_port == c.local_port) return &conn;
    }
    return nullptr;
}

const LoadConn* World::client_side(const Connection& c) const {
    if (c.peer_port <= 0) return nullptr;
    for (const auto& [id, cc] : clients) {
        if (cc.local_port == c.peer_port) return &cc;
    }
    return nullptr;
}

std::uint64_t ClientTotals::error_count() const {
    std::uint64_t n = 0;
    for (std::uint64_t e : errors) n += e;
    return n;
}

std::string_view to_string(ClientStage stage) {
    switch (stage) {
        case ClientStage::Connecting: return "Connecting";
        case ClientStage::Connected: return "Connected";
        case ClientStage::Sending: return "Sending";
        case ClientStage::Waiting: return "Waiting";
        case ClientStage::Receiving: return "Receiving";
        case ClientStage::Idle: return "Idle";
        case ClientStage::Closed: return "Closed";
    }
    return "?";
}

std::string format_id(std::uint64_t id) {
    if (id == 0) return "-";
    return std::to_string(id_pid(id)) + ":" + std::to_string(id & 0xffffffffu);
}

std::string signal_name(std::int64_t signo) {
    switch (signo) {
        case SIGHUP: return "SIGHUP";
        case SIGINT: return "SIGINT";
        case SIGQUIT: return "SIGQUIT";
        case SIGABRT: return "SIGABRT";
        case SIGKILL: return "SIGKILL";
        case SIGUSR1: return "SIGUSR1";
        case SIGUSR2: return "SIGUSR2";
        case SIGPIPE: return "SIGPIPE";
        case SIGTERM: return "SIGTERM";
        case SIGCHLD: return "SIGCHLD";
        case SIGTTIN: return "SIGTTIN";
        case SIGTTOU: return "SIGTTOU";
        case SIGWINCH: return "SIGWINCH";
        default: return "signal " + std::to_string(signo);
    }
}

// ----------------------------------------------------------------------------
// describe
// ----------------------------------------------------------------------------
namespace {

// "1.234567s" — a duration or a time, in seconds with µs.
std::string secs(std::uint64_t ns) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6fs", static_cast<double>(ns) / 1e9);
    return buf;
}

std::string exit_text(std::int64_t status) {
    return status < 0 ? "killed by " + signal_name(-status) : "exit " + std::to_string(status);
}

void describe_worker_line(std::ostream& out, const Process& p, std::uint64_t now) {
    out << "worker " << p.pid << "  age " << p.worker_age << "  " << to_string(p.model) << "  " << to_string(p.state);
    if (p.current_conn) {
        out << " conn " << format_id(p.current_conn);
        if (const Thread* main = p.thread(p.pid); main && main->req) out << " req " << format_id(main->req);
    }
    out << "  up " << secs(p.uptime_ns(now));
    if (p.state != ProcessState::Gone) {
        if (p.last_heartbeat_ns) {
            out << "  heartbeat " << secs(p.silence_ns(now)) << " ago";
        } else {
            out << "  no heartbeat yet";
        }
    }
    out << "  reqs " << p.counter(CounterId::Requests);
    if (p.exit_code) out << "  exited(" << *p.exit_code << ")";
    if (p.reap_status) out << "  reaped: " << exit_text(*p.reap_status);
    for (const SignalMark& k : p.kills) out << "  <- " << signal_name(k.signo);
    out << '\n';
}

void describe_process_details(std::ostream& out, const Process& p) {
    for (const auto& [tid, th] : p.threads) {
        if (p.threads.size() == 1 && tid == p.pid) continue;  // a lone main thread: the process line says it
        out << "    thread " << tid << ' ' << thread_role_name(th.role) << ' ' << to_string(th.activity);
        if (th.conn) out << " conn " << format_id(th.conn);
        if (th.req) out << " req " << format_id(th.req);
        out << '\n';
    }
    if (p.gil.holder || !p.gil.waiters.empty()) {
        out << "    GIL: ";
        if (p.gil.holder) {
            out << "held by " << p.gil.holder;
        } else {
            out << "free";
        }
        if (!p.gil.waiters.empty()) {
            out << "; waiting:";
            for (pid_t w : p.gil.waiters) out << ' ' << w;
        }
        out << '\n';
    }
    if (!p.greenlets.empty()) {
        out << "    greenlets:";
        for (const auto& [id, g] : p.greenlets) {
            out << "  g#" << id << ' ' << to_string(g.state);
            if (g.state == GreenState::Parked && g.fd >= 0) out << " fd " << g.fd;
        }
        out << '\n';
    }
    if (!p.poll.empty()) {
        out << "    poll" << (p.poll_waiting ? " (waiting)" : "") << ':';
        for (const auto& [fd, pe] : p.poll) {
            out << "  fd " << fd;
            if (pe.conn) out << " conn " << format_id(pe.conn);
        }
        out << '\n';
    }
    if (!p.keepalive.empty()) {
        out << "    keep-alive:";
        for (const KeepAliveEntry& k : p.keepalive) out << "  " << format_id(k.conn);
        out << '\n';
    }
    if (p.loop.seen) {
        out << "    loop: " << to_string(p.loop.phase) << " (" << p.loop.phase_items << ")  ready callbacks "
            << p.loop.ready_callbacks << "  timers " << p.loop.timers.size() << "  iterations " << p.loop.iterations
            << '\n';
    }
    if (!p.pool_queue.empty()) {
        out << "    pool queue:";
        for (std::uint64_t c : p.pool_queue) out << "  " << format_id(c);
        out << '\n';
    }
}

// The arbiter's header line is describe()'s; this prints its details only.
void describe_process(std::ostream& out, const Process& p, std::uint64_t now) {
    if (p.role == ProcessRole::Worker) describe_worker_line(out, p, now);
    describe_process_details(out, p);
}

void describe_connection(std::ostream& out, const Connection& c) {
    out << "  " << format_id(c.id) << "  worker " << c.owner;
    if (c.peer_port > 0) out << "  :" << c.peer_port;
    out << "  " << to_string(c.stage);
    if (c.req) out << "  req " << format_id(c.req);
    out << "  reqs " << c.requests;
    if (c.status) out << "  status " << c.status;
    if (c.aborted) out << "  (aborted: its worker died)";
    out << '\n';
}

}  // namespace

std::string describe(const World& w) {
    std::ostringstream out;
    out << "t=" << secs(w.now_ns) << "  events " << w.totals.events << "  drops " << w.totals.drops << '\n';

    const Arbiter& a = w.arbiter;
    if (a.pid) {
        const Process* ap = w.process(a.pid);
        out << "arbiter " << a.pid;
        if (ap) out << "  " << to_string(ap->state) << "  up " << secs(ap->uptime_ns(w.now_ns));
        out << "  workers " << a.workers_live << '/' << a.workers_wanted;
        if (!a.signals.empty()) {
            const SignalRecord& s = a.signals.back();
            out << "  last signal " << signal_name(s.signo) << (s.handled_ns ? " (handled)" : " (handling)");
        }
        if (a.stopped) out << "  STOPPED (" << a.exit_status << ')';
        out << '\n';
        if (ap) describe_process_details(out, *ap);
    }

    const Listener& l = w.listener;
    out << "listener";
    for (const ListenSocket& s : l.sockets) out << "  fd " << s.fd << " :" << s.port;
    if (l.sampled_ns) {
        out << "  accept queue " << l.queue_len << '/' << l.backlog;
    } else {
        out << "  accept queue not sampled";
    }
    out << "  accepts " << l.accepts << "  eagain " << l.eagains;
    if (l.last_accept_pid) out << "  last accept: " << l.last_accept_pid;
    out << '\n';

    for (const auto& [pid, p] : w.processes) {
        if (pid != a.pid) describe_process(out, p, w.now_ns);
    }

    out << "connections: " << w.connections.size() << " open\n";
    for (const auto& [id, c] : w.connections) describe_connection(out, c);
    if (!w.closed.empty()) {
        out << "recently closed:\n";
        for (const Connection& c : w.closed) describe_connection(out, c);
    }
    if (w.client.pid) {
        const ClientTotals& ct = w.client;
        out << "client " << ct.pid << "  open " << w.clients.size() << "  sent " << ct.sent << "  done " << ct.done
            << "  errors " << ct.error_count() << '\n';
        for (const auto& [id, c] : w.clients) {
            out << "  " << format_id(c.id) << "  vu " << c.vu << ' ' << to_string(c.role) << "  " << to_string(c.stage);
            if (c.local_port) out << "  :" << c.local_port;
            if (c.req) out << "  req " << format_id(c.req);
            out << '\n';
        }
    }
    if (!w.gone.empty()) {
        out << "recently gone:\n";
        for (const Process& p : w.gone) {
            out << "  worker " << p.pid << "  age " << p.worker_age << "  "
                << (p.reap_status ? exit_text(*p.reap_status) : std::string("?"))  //
                << "  at " << secs(p.reaped_ns) << '\n';
        }
    }
    return out.str();
}

}  // namespace minicorn::trace
