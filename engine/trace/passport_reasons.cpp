// engine/trace/passport_reasons.cpp — why a request's wait lasted, in plain
// words, read from the World at an instant inside the wait (see passport.h):
// what the workers, their threads, greenlets and the GIL were doing then.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "engine/trace/passport.h"

namespace minicorn::trace {

namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty()) out += sep;
        out += p;
    }
    return out;
}

// "#34 /io?ms=50": the client's number for a request, and its path when the mix is known.
std::string request_name(const World& w, const Connection& conn, const PassportNaming& naming) {
    if (conn.client_req == 0) return conn.req ? fmt::format("request {}", conn.req & 0xffffffffu) : "a request";
    std::string name = fmt::format("#{}", conn.client_req & 0xffffffffu);
    const LoadConn* lc = w.client_side(conn);
    if (lc && lc->req == conn.client_req && naming.mix_paths && lc->mix_index >= 0 &&
        static_cast<std::size_t>(lc->mix_index) < naming.mix_paths->size()) {
        name += " " + (*naming.mix_paths)[static_cast<std::size_t>(lc->mix_index)];
    }
    return name;
}

// Who is at the other end of a connection, when it is a bad actor.
std::string bad_client(const World& w, const Connection& conn) {
    const LoadConn* lc = w.client_side(conn);
    if (!lc) return {};
    switch (lc->role) {
        case ClientRole::Slowloris: return "a slow client (a slowloris, sending its request a byte at a time)";
        case ClientRole::Silent: return "a client that connected and sends nothing";
        case ClientRole::SlowReader: return "a client that reads its response slowly";
        default: return {};
    }
}

// "reading a slow client (…) for 1.2 s", "handling #34 /cpu?ms=50 for 40 ms".
std::string serving(const World& w, std::uint64_t conn_id, const PassportNaming& naming) {
    const Connection* conn = w.connection(conn_id);
    if (!conn) return "serving a connection";
    const std::string bad = bad_client(w, *conn);
    const std::string who = bad.empty() ? request_name(w, *conn, naming) : bad;
    const std::uint64_t since = conn->entered(conn->stage);
    const std::string how_long = since && w.now_ns > since ? " for " + format_duration(w.now_ns - since) : "";
    switch (conn->stage) {
        case ConnStage::Accepted:
        case ConnStage::Reading: return "reading " + who + how_long;
        case ConnStage::Parsed:
        case ConnStage::Handling: return "handling " + who + how_long;
        case ConnStage::Writing: return "writing the response to " + who + how_long;
        case ConnStage::PoolQueued: return who + " queued for a thread";
        case ConnStage::KeepAlive: return "keeping " + who + "'s connection alive";
        default: return "closing " + who + "'s connection";
    }
}

// What one thread of a worker does: "handling #5 /io?ms=50 for 12 ms", "waiting for the GIL".
std::string thread_doing(const World& w, const Process& p, const Thread& t, const PassportNaming& naming) {
    if (std::find(p.gil.waiters.begin(), p.gil.waiters.end(), t.tid) != p.gil.waiters.end()) {
        return "waiting for the GIL";
    }
    if (t.activity == ThreadActivity::Idle || t.conn == 0) return "idle";
    return serving(w, t.conn, naming);
}

// "both of its threads were busy — thread 815 handling #8 /io?ms=40 for 26 ms, thread 816 …".
std::string threads_doing(const World& w, const Process& p, const PassportNaming& naming) {
    std::vector<std::string> busy;
    std::size_t pool = 0;
    for (const auto& [tid, t] : p.threads) {
        if (t.role != ThreadRole::Pool) continue;
        ++pool;
        const std::string doing = thread_doing(w, p, t, naming);
        if (doing != "idle") busy.push_back(fmt::format("thread {} {}", tid, doing));
    }
    if (busy.empty()) return "its threads were idle";
    const std::size_t shown = std::min<std::size_t>(busy.size(), 3);
    std::string out = busy.size() < pool ? fmt::format("{} of its {} threads were busy — ", busy.size(), pool)
                      : pool == 1        ? std::string("its one thread was busy — ")
                      : pool == 2        ? std::string("both of its threads were busy — ")
                                         : fmt::format("all {} of its threads were busy — ", pool);
    out += join(std::vector<std::string>(busy.begin(), busy.begin() + static_cast<std::ptrdiff_t>(shown)), ", ");
    if (busy.size() > shown) out += fmt::format(" and {} more", busy.size() - shown);
    return out;
}

std::string greenlets_doing(const World& w, const Process& p, const PassportNaming& naming) {
    std::size_t parked = 0, ready = 0;
    for (const auto& [id, g] : p.greenlets) {
        parked += g.state == GreenState::Parked ? 1u : 0u;
        ready += g.state == GreenState::Ready ? 1u : 0u;
    }
    std::string out;
    auto running = p.greenlets.find(p.running_green);
    if (running != p.greenlets.end() && running->second.conn) {
        out = fmt::format("greenlet {} running, {}", running->first, serving(w, running->second.conn, naming));
    } else if (p.current_conn) {
        out = serving(w, p.current_conn, naming);
    } else {
        out = p.poll_waiting ? "its hub waiting in the poller" : "its hub running";
    }
    return out + fmt::format(" ({} greenlets parked, {} ready to run)", parked, ready);
}

}  // namespace

std::string worker_doing(const World& w, const Process& p, const PassportNaming& naming) {
    switch (p.model) {
        case ModelId::Gthread: return threads_doing(w, p, naming);
        case ModelId::Gevent:
        case ModelId::Eventlet:
        case ModelId::Asyncio: return greenlets_doing(w, p, naming);
        default: break;
    }
    if (p.current_conn) return serving(w, p.current_conn, naming);
    switch (p.state) {
        case ProcessState::Waiting: return "waiting for a connection";
        case ProcessState::Accepting: return "accepting a connection";
        case ProcessState::Spawned:
        case ProcessState::Booting: return "still booting";
        case ProcessState::TimedOut:
        case ProcessState::Exited: return "exiting";
        default: return "between two connections";
    }
}

namespace {

// The worker cannot call accept() now: its one thread serves a connection, or
// a greenlet runs (the hub accepts only between them), or every pool thread is taken.
bool busy(const World& w, const Process& p) {
    switch (p.model) {
        case ModelId::Gthread:
            for (const auto& [tid, t] : p.threads) {
                if (t.role == ThreadRole::Pool && t.activity == ThreadActivity::Idle) return false;
            }
            return true;
        case ModelId::Gevent:
        case ModelId::Eventlet:
        case ModelId::Asyncio: {
            auto g = p.greenlets.find(p.running_green);
            return g != p.greenlets.end() && g->second.conn != 0;
        }
        default: return p.current_conn != 0 && w.connection(p.current_conn) != nullptr;
    }
}

std::string workers_busy(const World& w, const PassportNaming& naming) {
    std::vector<std::string> each;
    std::size_t busy_n = 0;
    for (const Process* p : w.workers()) {
        if (p->role != ProcessRole::Worker) continue;
        busy_n += busy(w, *p) ? 1u : 0u;
        const std::string_view sep = p->model == ModelId::Gthread ? ": " : " ";  // "worker 2: both of its threads …"
        each.push_back(fmt::format("worker {}{}{}", p->worker_age, sep, worker_doing(w, *p, naming)));
    }
    if (each.empty()) return "no worker was running";
    std::string lead = fmt::format("{} of {} workers were busy", busy_n, each.size());
    if (busy_n == each.size()) {
        lead = each.size() == 1 ? "the only worker was busy" : each.size() == 2 ? "both workers were busy"
                                                                                : fmt::format("all {} workers were busy", each.size());
    }
    return lead + " — " + join(each, "; ");
}

std::string gil_holder(const World& w, const Process& p, const PassportNaming& naming) {
    if (p.gil.holder == 0) return "the GIL was being handed over";
    const Thread* t = p.thread(p.gil.holder);
    const std::string doing = t ? thread_doing(w, p, *t, naming) : "running";
    std::string out = fmt::format("thread {} held the GIL ({})", p.gil.holder, doing);
    if (p.gil.waiters.size() > 1) out += fmt::format(", {} threads were waiting for it", p.gil.waiters.size());
    return out + " — only one thread runs Python at a time";
}

// The client had sent the whole request by then (its bytes were there to read).
bool all_sent(const World& w, const RequestIds& ids) {
    const Connection* conn = w.connection(ids.server_conn);
    const LoadConn* lc = conn ? w.client_side(*conn) : nullptr;
    return lc && lc->req == ids.client_req && lc->stage >= ClientStage::Waiting;
}

std::string parked_fd(const World& w, const Process& p, const Stage& st, const RequestIds& ids,
                      const PassportNaming& naming) {
    auto it = p.poll.find(st.fd);
    const bool own = it != p.poll.end() && it->second.conn == ids.server_conn;
    if (own && all_sent(w, ids)) {
        return "its bytes had arrived, but the hub looks at the sockets only when no greenlet runs: " +
               greenlets_doing(w, p, naming);
    }
    if (own) return "parked on its own socket: waiting for the client's bytes; the hub serves other greenlets meanwhile";
    return fmt::format("parked on fd {}: waiting for another socket's reply (the /db backend); the hub serves other "
                       "greenlets meanwhile",
                       st.fd);
}

// A read or a write that lasted: the client, or (green) the greenlet waiting its turn.
std::string client_reason(const World& w, const Process* p, const Stage& st, const RequestIds& ids,
                          const PassportNaming& naming, std::string_view otherwise) {
    const Connection* conn = w.connection(ids.server_conn);
    const std::string bad = conn ? bad_client(w, *conn) : "";
    if (!bad.empty()) return "the other end is " + bad;
    if (p && st.green) {
        auto g = p->greenlets.find(st.green);
        if (g != p->greenlets.end() && g->second.state == GreenState::Ready) {
            return "its greenlet was ready, waiting its turn: " + greenlets_doing(w, *p, naming);
        }
    }
    if (st.kind == StageKind::Read && all_sent(w, ids) && p) {
        return "the whole request had arrived; the worker was busy: " + worker_doing(w, *p, naming);
    }
    return std::string(otherwise);
}

}  // namespace

std::string wait_reason(const World& w, const Stage& st, const RequestIds& ids, const PassportNaming& naming) {
    const Process* p = st.pid ? w.process(st.pid) : nullptr;
    if (!p && ids.server_conn) {
        if (const Connection* c = w.connection(ids.server_conn)) p = w.process(c->owner);
    }
    switch (st.kind) {
        case StageKind::AcceptQueue: {
            std::string out = "in the accept queue: " + workers_busy(w, naming);
            if (w.listener.queue_len > 1) out += fmt::format(" ({} connections waiting)", w.listener.queue_len);
            return out;
        }
        case StageKind::Accepted:
        case StageKind::KeepAliveWait:
        case StageKind::Parse:
            return p ? fmt::format("worker {} had not got to it yet — {}", p->worker_age, worker_doing(w, *p, naming))
                     : "";
        case StageKind::PoolQueue:
            return p ? "no thread was free: " + threads_doing(w, *p, naming) : "";
        case StageKind::GilWait: return p ? gil_holder(w, *p, naming) : "";
        case StageKind::ParkedTimer:
            if (p && p->model == ModelId::Asyncio) {
                return "the view sleeps (await asyncio.sleep): its task gives the thread back to the event loop, "
                       "which runs other tasks meanwhile";
            }
            return "the view sleeps (a patched time.sleep): its greenlet gives the thread back to the hub, which "
                   "runs other greenlets meanwhile";
        case StageKind::ParkedFd: return p ? parked_fd(w, *p, st, ids, naming) : "";
        case StageKind::GreenReady:
            return p ? "the hub runs one at a time, and only when the running one yields: " +
                           greenlets_doing(w, *p, naming)
                     : "";
        case StageKind::Read: return client_reason(w, p, st, ids, naming, "the request's bytes were slow to arrive");
        case StageKind::Write:
        case StageKind::Delivery:
            return client_reason(w, p, st, ids, naming, "the client had not read the response yet");
        default: return {};
    }
}

}  // namespace minicorn::trace
