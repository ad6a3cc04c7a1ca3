// engine/trace/passport.cpp — finding a request's events and cutting its life
// into stages (see passport.h). Reasons for long waits: passport_reasons.cpp.
//
// Index
//   [SECTION] Names         — to_string, format_duration
//   [SECTION] Finding       — find_request, the client's and the server's events
//   [SECTION] Marks         — where each stage begins, in order
//   [SECTION] Waits         — GIL waits and parked greenlets that split a stage
//   [SECTION] Passport      — build_passport
#include "engine/trace/passport.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/trace/ev.h"

namespace minicorn::trace {

// ============================================================================
// [SECTION] Names
// ============================================================================

std::string_view to_string(StageKind kind) {
    switch (kind) {
        case StageKind::Connect: return "connect";
        case StageKind::AcceptQueue: return "in the kernel's accept queue";
        case StageKind::Accepted: return "accepted";
        case StageKind::KeepAliveWait: return "waiting on the kept-alive connection";
        case StageKind::PoolQueue: return "queued for a pool thread";
        case StageKind::Read: return "read";
        case StageKind::Parse: return "parsed";
        case StageKind::GilWait: return "waiting for the GIL";
        case StageKind::ParkedTimer: return "parked on a timer";
        case StageKind::ParkedFd: return "parked on an fd";
        case StageKind::GreenReady: return "ready, waiting its turn";
        case StageKind::Handler: return "handler";
        case StageKind::Write: return "write";
        case StageKind::Delivery: return "on its way to the client";
        case StageKind::KeptAlive: return "kept alive";
        case StageKind::Closed: return "closed";
    }
    return "?";
}

bool is_wait(StageKind kind) {
    switch (kind) {
        case StageKind::Connect:
        case StageKind::Handler:
        case StageKind::KeptAlive:
        case StageKind::Closed: return false;
        default: return true;
    }
}

std::string_view to_string(StagePart part) {
    switch (part) {
        case StagePart::BeforeSend: return "before the request was sent";
        case StagePart::Latency: return "the latency the client saw";
        case StagePart::AfterDone: return "after the client had the response";
    }
    return "?";
}

std::uint64_t Passport::latency_sum_ns() const {
    std::uint64_t sum = 0;
    for (const Stage& s : stages) sum += s.part == StagePart::Latency ? s.duration_ns : 0;
    return sum;
}

const Stage* Passport::find(StageKind kind) const {
    for (const Stage& s : stages) {
        if (s.kind == kind) return &s;
    }
    return nullptr;
}

std::string format_duration(std::uint64_t ns) {
    const double ms = static_cast<double>(ns) / 1e6;
    if (ms >= 1000.0) return fmt::format("{:.2f} s", ms / 1000.0);
    if (ms >= 10.0) return fmt::format("{:.0f} ms", ms);
    if (ms >= 0.1) return fmt::format("{:.2f} ms", ms);
    return fmt::format("{} µs", ns / 1000);
}

// ============================================================================
// [SECTION] Finding
// ============================================================================

namespace {

const Event* find_in(const Recording& rec, const Recording::Index* idx, EventKind kind, std::uint64_t req = 0) {
    if (!idx) return nullptr;
    for (std::uint32_t i : *idx) {
        if (rec[i].kind == kind && (req == 0 || rec[i].req == req)) return &rec[i];
    }
    return nullptr;
}

// The server request the client's `client_req` became (RequestTagged), 0 if none.
std::uint64_t server_req_of(const Recording& rec, std::uint64_t client_req) {
    for (const Event& e : rec.events()) {
        if (e.kind == EventKind::RequestTagged && static_cast<std::uint64_t>(e.a0) == client_req) return e.req;
    }
    return 0;
}

// The client's side of one request.
struct ClientSide {
    const Event* connect = nullptr;  // ClientConnectStart, only when this request opened the connection
    const Event* send = nullptr;     // ClientSendStart
    const Event* done = nullptr;     // ClientDone, or ClientError
    const Event* next_send = nullptr;  // the next request on the same connection
    const Event* close = nullptr;    // ClientClose
};

ClientSide client_side(const Recording& rec, const RequestIds& ids) {
    ClientSide c;
    if (!ids.client_req) return c;
    const Recording::Index* by_req = rec.by_req(ids.client_req);
    c.send = find_in(rec, by_req, EventKind::ClientSendStart);
    c.done = find_in(rec, by_req, EventKind::ClientDone);
    if (!c.done) c.done = find_in(rec, by_req, EventKind::ClientError);
    const Recording::Index* by_conn = rec.by_conn(ids.client_conn);
    if (!c.send || !by_conn) return c;
    const Event* first_send = find_in(rec, by_conn, EventKind::ClientSendStart);
    if (first_send == c.send) c.connect = find_in(rec, by_conn, EventKind::ClientConnectStart);
    for (std::uint32_t i : *by_conn) {
        const Event& e = rec[i];
        if (e.t_ns < c.send->t_ns) continue;
        if (!c.next_send && e.kind == EventKind::ClientSendStart && e.req != ids.client_req) c.next_send = &e;
        if (!c.close && e.kind == EventKind::ClientClose) c.close = &e;
    }
    return c;
}

// The server's side of one request: its connection's events from the end of
// the request before it to the start of the next one.
struct ServerSide {
    const Event* accepted = nullptr;    // only when this request is the connection's first
    const Event* spawn = nullptr;       // GreenSpawn of the greenlet serving the connection
    const Event* picked_up = nullptr;   // the first GreenSwitch to it / CallbackRun for it after the accept
    const Event* submit = nullptr;      // PoolSubmit
    const Event* read_start = nullptr;
    const Event* read_done = nullptr;
    const Event* parsed = nullptr;
    const Event* handler_start = nullptr;
    const Event* handler_end = nullptr;
    const Event* write_start = nullptr;
    const Event* write_done = nullptr;
    const Event* keepalive_park = nullptr;  // after the write
    const Event* read_after = nullptr;      // a read of the next request begun after the write (gevent)
    const Event* next_parsed = nullptr;     // the connection's next request
    const Event* close = nullptr;
    std::vector<const Event*> window;   // every event of the connection from the window's start to the write
};

// Marks the events of the request before `req` as not ours: a window starts
// after the last of them.
bool ends_previous(const Event& e, std::uint64_t req) {
    switch (e.kind) {
        case EventKind::WriteDone:
        case EventKind::Parsed:
        case EventKind::HandlerEnd: return e.req != req;
        case EventKind::ParseFailed: return true;
        default: return false;
    }
}

void note_before_parse(ServerSide& s, const Event& e) {
    switch (e.kind) {
        case EventKind::Accepted: s.accepted = &e; break;
        case EventKind::GreenSpawn: s.spawn = &e; break;
        case EventKind::GreenSwitch:
        case EventKind::CallbackRun:
            if (s.accepted && !s.picked_up) s.picked_up = &e;
            break;
        case EventKind::PoolSubmit: s.submit = &e; break;
        case EventKind::ReadStart: s.read_start = &e; break;
        case EventKind::ReadDone: s.read_done = &e; break;
        default: break;
    }
}

void note_after_parse(ServerSide& s, const Event& e, std::uint64_t req) {
    const bool ours = e.req == req;
    switch (e.kind) {
        case EventKind::HandlerStart: if (ours && !s.handler_start) s.handler_start = &e; break;
        case EventKind::HandlerEnd: if (ours && !s.handler_end) s.handler_end = &e; break;
        case EventKind::WriteStart: if (ours && !s.write_start) s.write_start = &e; break;
        case EventKind::WriteDone: if (ours && !s.write_done) s.write_done = &e; break;
        case EventKind::KeepAlivePark: if (s.write_done && !s.keepalive_park) s.keepalive_park = &e; break;
        case EventKind::ReadStart: if (s.write_done && !s.read_after) s.read_after = &e; break;
        case EventKind::Close: if (!s.close) s.close = &e; break;
        default: break;
    }
}

ServerSide server_side(const Recording& rec, const RequestIds& ids) {
    ServerSide s;
    const Recording::Index* idx = rec.by_conn(ids.server_conn);
    if (!idx) return s;
    std::size_t parsed_at = idx->size();
    for (std::size_t k = 0; k < idx->size() && ids.server_req; ++k) {
        const Event& e = rec[(*idx)[k]];
        if (e.kind == EventKind::Parsed && e.req == ids.server_req) parsed_at = k;
    }
    std::size_t from = parsed_at;
    while (from > 0 && !ends_previous(rec[(*idx)[from - 1]], ids.server_req)) --from;
    for (std::size_t k = from; k < parsed_at; ++k) {
        s.window.push_back(&rec[(*idx)[k]]);
        note_before_parse(s, rec[(*idx)[k]]);
    }
    if (parsed_at == idx->size()) {
        // Not parsed yet (still being read): what the connection did since its last request.
        for (const Event* e : s.window) s.close = e->kind == EventKind::Close ? e : s.close;
        return s;
    }
    s.parsed = &rec[(*idx)[parsed_at]];
    for (std::size_t k = parsed_at; k < idx->size() && !s.close; ++k) {
        const Event& e = rec[(*idx)[k]];
        if (e.kind == EventKind::Parsed && e.req != ids.server_req) {
            s.next_parsed = &e;
            break;
        }
        if (!s.write_done) s.window.push_back(&e);
        note_after_parse(s, e, ids.server_req);
    }
    return s;
}

// The server connection that accepted the client's connection `client_conn`
// (Accepted.peer_port is the client's local port), 0 if none has yet.
std::uint64_t accepted_conn(const Recording& rec, std::uint64_t client_conn) {
    const Event* connected = find_in(rec, rec.by_conn(client_conn), EventKind::ClientConnected);
    const Event* start = find_in(rec, rec.by_conn(client_conn), EventKind::ClientConnectStart);
    if (!connected || !start) return 0;
    for (std::size_t i = rec.lower_bound(start->t_ns); i < rec.size(); ++i) {
        const Event& e = rec[i];
        if (e.kind == EventKind::Accepted && e.a0 == connected->a0) return e.conn;
    }
    return 0;
}

}  // namespace

std::optional<RequestIds> find_request(const Recording& rec, std::uint64_t id) {
    if (id == 0 || !rec.by_req(id)) return std::nullopt;
    RequestIds ids;
    if (const Event* send = find_in(rec, rec.by_req(id), EventKind::ClientSendStart)) {
        ids.client_req = id;
        ids.client_conn = send->conn;
        ids.server_req = server_req_of(rec, id);
    } else {
        ids.server_req = id;
        if (const Event* tag = find_in(rec, rec.by_req(id), EventKind::RequestTagged)) {
            ids.client_req = static_cast<std::uint64_t>(tag->a0);
            if (const Event* client_send = find_in(rec, rec.by_req(ids.client_req), EventKind::ClientSendStart)) {
                ids.client_conn = client_send->conn;
            }
        }
    }
    if (ids.server_req) {
        if (const Event* parsed = find_in(rec, rec.by_req(ids.server_req), EventKind::Parsed)) {
            ids.server_conn = parsed->conn;
        }
    } else if (ids.client_conn) {
        ids.server_conn = accepted_conn(rec, ids.client_conn);
    }
    return ids;
}

// ============================================================================
// [SECTION] Marks
// ============================================================================

namespace {

// Where one stage begins, and who runs it.
struct Mark {
    StageKind kind;
    std::uint64_t t_ns;
    pid_t pid = 0;
    pid_t tid = 0;
    std::uint32_t green = 0;
    std::int64_t fd = -1;
    std::string what;
};

// "worker 1 (pid 812)": gunicorn's worker.age, from the worker's WorkerBoot.
std::string worker_name(const Recording& rec, pid_t pid) {
    if (const Event* boot = find_in(rec, rec.by_pid(pid), EventKind::WorkerBoot)) {
        return fmt::format("worker {} (pid {})", boot->a0, pid);
    }
    return fmt::format("the worker with pid {}", pid);
}

// What the worker's model calls a green thread: asyncio runs tasks, gevent and eventlet greenlets.
std::string_view green_word(const Recording& rec, pid_t pid) {
    const Event* boot = find_in(rec, rec.by_pid(pid), EventKind::WorkerBoot);
    return boot && static_cast<ModelId>(boot->a1) == ModelId::Asyncio ? "task" : "greenlet";
}

// ", thread 815" / ", greenlet 3": who in the worker ran an event.
std::string runner(const Recording& rec, const Event& e) {
    if (e.green) return fmt::format(", {} {}", green_word(rec, e.pid), e.green);
    if (e.tid && e.tid != e.pid) return fmt::format(", thread {}", e.tid);
    return {};
}

Mark at(StageKind kind, const Event& e, std::string what) {
    return Mark{kind, e.t_ns, e.pid, e.tid, e.green, -1, std::move(what)};
}

void connection_marks(const Recording& rec, const ClientSide& c, const ServerSide& s, std::vector<Mark>& marks) {
    if (c.connect) {
        marks.push_back(Mark{StageKind::Connect, c.connect->t_ns, 0, 0, 0, -1,
                             "the client connects (the TCP handshake) and sends the request"});
    }
    if (c.connect) {  // its connection's first request: in the accept queue (still, if nobody accepted it yet)
        marks.push_back(Mark{StageKind::AcceptQueue, c.send->t_ns, 0, 0, 0, -1,
                             "the connection waits in the kernel's accept queue until a worker calls accept()"});
    } else if (c.send) {
        marks.push_back(Mark{StageKind::KeepAliveWait, c.send->t_ns, 0, 0, 0, -1,
                             "sent on the kept-alive connection; the worker has not picked it up yet"});
    }
    if (s.accepted) {
        const std::uint32_t green = s.spawn ? s.spawn->green : 0;
        Mark m = at(StageKind::Accepted, *s.accepted,
                    "accepted by " + worker_name(rec, s.accepted->pid) +
                        (green ? fmt::format(", which starts {} {} for it", green_word(rec, s.accepted->pid), green)
                               : std::string()));
        m.green = green;
        marks.push_back(std::move(m));
    }
    if (s.submit) {
        marks.push_back(at(StageKind::PoolQueue, *s.submit, "handed to the thread pool: it waits for a free thread"));
    }
}

void request_marks(const Recording& rec, const ClientSide& c, const ServerSide& s, std::vector<Mark>& marks) {
    const std::string who = s.handler_start ? worker_name(rec, s.handler_start->pid) + runner(rec, *s.handler_start) : "";
    if (s.read_start) marks.push_back(at(StageKind::Read, *s.read_start, "reading the request: " + who));
    if (s.read_done && s.parsed) {
        marks.push_back(at(StageKind::Parse, *s.read_done,
                           fmt::format("parsed: an HTTP/{}.{} request of {} bytes", s.parsed->a0 / 10,
                                       s.parsed->a0 % 10, s.read_done->a0)));
    }
    if (s.handler_start) {
        const std::string status = s.handler_end ? fmt::format(" and returns {}", s.handler_end->a0) : "";
        marks.push_back(at(StageKind::Handler, *s.handler_start, "the application runs" + status + ": " + who));
    }
    if (s.write_start) {
        const std::string bytes = s.write_done ? fmt::format(" ({} bytes)", s.write_done->a0) : "";
        marks.push_back(at(StageKind::Write, *s.write_start, "writing the response" + bytes));
    }
    if (s.write_done && c.done && c.done->t_ns > s.write_done->t_ns) {
        marks.push_back(at(StageKind::Delivery, *s.write_done, "the response is written; the client reads it"));
    }
}

// After the response: kept alive, closed — from the client's last byte on at
// the earliest (until then the response is on its way, whatever the server
// did meanwhile). Returns when the life ends.
std::uint64_t after_marks(const Recording& rec, const ClientSide& c, const ServerSide& s, std::vector<Mark>& marks) {
    std::uint64_t end = rec.last_time();
    const bool kept = s.keepalive_park || s.read_after || s.next_parsed;
    if (s.write_done && kept) {
        const Event& from = s.keepalive_park ? *s.keepalive_park : *s.write_done;
        marks.push_back(at(StageKind::KeptAlive, from, "kept alive: the connection waits for its next request"));
        if (c.done) marks.back().t_ns = std::max(marks.back().t_ns, c.done->t_ns);
        if (c.next_send) end = c.next_send->t_ns;
        else if (s.next_parsed) end = s.next_parsed->t_ns;
    }
    if (s.close && (!kept || !c.next_send)) {
        marks.push_back(at(StageKind::Closed, *s.close, fmt::format("the connection is closed after {} request{}",
                                                                   s.close->a0, s.close->a0 == 1 ? "" : "s")));
        if (c.done) marks.back().t_ns = std::max(marks.back().t_ns, c.done->t_ns);
        end = marks.back().t_ns;
    }
    return end;
}

// ============================================================================
// [SECTION] Waits
// ============================================================================

struct Wait {
    StageKind kind;
    std::uint64_t from_ns, to_ns;
    pid_t pid, tid;
    std::uint32_t green;
    std::int64_t fd;
};

// The serving thread's GIL waits between from and to.
void gil_waits(const Recording& rec, pid_t tid, std::uint64_t from, std::uint64_t to, std::vector<Wait>& out) {
    const Recording::Index* idx = rec.by_thread(tid);
    if (!idx) return;
    auto it = std::partition_point(idx->begin(), idx->end(), [&](std::uint32_t i) { return rec[i].t_ns < from; });
    const Event* wait = nullptr;
    for (; it != idx->end() && rec[*it].t_ns <= to; ++it) {
        const Event& e = rec[*it];
        if (e.kind == EventKind::GilWait) wait = &e;
        if (e.kind == EventKind::GilAcquire && wait) {
            out.push_back(Wait{StageKind::GilWait, wait->t_ns, e.t_ns, e.pid, e.tid, 0, -1});
            wait = nullptr;
        }
    }
}

// The serving greenlet's parks (on a timer or an fd) among the connection's
// events, and after each wake the wait for its turn: until the next event it
// emits itself (the hub runs one greenlet at a time).
void green_waits(const ServerSide& s, std::uint32_t green, std::vector<Wait>& out) {
    const Event* park = nullptr;
    const Event* wake = nullptr;
    for (const Event* e : s.window) {
        if (e->green != green) continue;
        if (wake && e->kind != EventKind::GreenWake && e->kind != EventKind::PollUnregister &&
            e->kind != EventKind::TimerCancel && e->kind != EventKind::CallbackQueued) {
            out.push_back(Wait{StageKind::GreenReady, wake->t_ns, e->t_ns, e->pid, e->tid, green, -1});
            wake = nullptr;
        }
        if (e->kind == EventKind::GreenPark) park = e;
        if (e->kind == EventKind::GreenWake && park) {
            const StageKind kind = park->a0 < 0 ? StageKind::ParkedTimer : StageKind::ParkedFd;
            out.push_back(Wait{kind, park->t_ns, e->t_ns, e->pid, e->tid, green, park->a0});
            park = nullptr;
            wake = e;
        }
    }
}

std::string wait_what(const Wait& w, std::string_view green_word) {
    switch (w.kind) {
        case StageKind::GilWait: return fmt::format("thread {} waits for the GIL", w.tid);
        case StageKind::ParkedTimer: return fmt::format("{} {} parks on a timer", green_word, w.green);
        case StageKind::GreenReady: return fmt::format("{} {} is ready to run again", green_word, w.green);
        default: return fmt::format("{} {} parks on fd {} until it is ready", green_word, w.green, w.fd);
    }
}

// The stages a worker runs, which its waits can split.
bool in_worker(StageKind kind) {
    switch (kind) {
        case StageKind::Accepted:
        case StageKind::PoolQueue:
        case StageKind::Read:
        case StageKind::Parse:
        case StageKind::Handler:
        case StageKind::Write: return true;
        default: return false;
    }
}

// Marks with the waits cut into them: a wait inside a worker's stage splits
// it into the stage, the wait, and the stage again ("continued"); a wait that
// starts with the stage replaces its first part.
std::vector<Mark> with_waits(const std::vector<Mark>& marks, std::uint64_t end, std::vector<Wait> waits,
                             std::string_view green_word) {
    std::sort(waits.begin(), waits.end(), [](const Wait& a, const Wait& b) { return a.from_ns < b.from_ns; });
    std::vector<Mark> out;
    for (std::size_t i = 0; i < marks.size(); ++i) {
        const std::uint64_t from = marks[i].t_ns;
        const std::uint64_t to = i + 1 < marks.size() ? marks[i + 1].t_ns : end;
        if (!in_worker(marks[i].kind)) {
            out.push_back(marks[i]);
            continue;
        }
        std::vector<Mark> pieces{marks[i]};
        for (const Wait& w : waits) {
            const std::uint64_t a = std::max(w.from_ns, from), b = std::min(w.to_ns, to);
            if (a >= b || a < pieces.back().t_ns) continue;
            pieces.push_back(Mark{w.kind, a, w.pid, w.tid, w.green, w.fd, wait_what(w, green_word)});
            if (b < to) {
                pieces.push_back(marks[i]);
                pieces.back().t_ns = b;
            }
        }
        // A part of the stage itself that a wait starts with at once is left out;
        // if the waits took all of it, it still happened: at its end.
        bool shown = false;
        for (std::size_t j = 0; j < pieces.size(); ++j) {
            const bool own = pieces[j].kind == marks[i].kind;
            if (own && j + 1 < pieces.size() && pieces[j + 1].t_ns == pieces[j].t_ns) continue;
            if (own && shown) pieces[j].what += " (continued)";
            shown |= own;
            out.push_back(std::move(pieces[j]));
        }
        if (!shown) {
            out.push_back(marks[i]);
            out.back().t_ns = to;
        }
    }
    return out;
}

}  // namespace

// ============================================================================
// [SECTION] Passport
// ============================================================================

namespace {

// Stages from marks, cut at the send and the last byte into parts.
std::vector<Stage> cut_stages(const std::vector<Mark>& marks, std::uint64_t end, std::uint64_t sent,
                              std::uint64_t done) {
    std::vector<Stage> out;
    for (std::size_t i = 0; i < marks.size(); ++i) {
        const Mark& m = marks[i];
        const std::uint64_t to = i + 1 < marks.size() ? marks[i + 1].t_ns : end;
        if (to == m.t_ns && m.kind == StageKind::KeepAliveWait) continue;  // the worker was already reading
        std::vector<std::uint64_t> bounds{m.t_ns};
        for (std::uint64_t cut : {sent, done}) {
            if (cut > bounds.back() && cut < to) bounds.push_back(cut);
        }
        bounds.push_back(to);
        for (std::size_t j = 0; j + 1 < bounds.size(); ++j) {
            Stage s;
            s.kind = m.kind;
            s.start_ns = bounds[j];
            s.duration_ns = bounds[j + 1] - bounds[j];
            s.pid = m.pid;
            s.tid = m.tid;
            s.green = m.green;
            s.fd = m.fd;
            s.what = m.what;
            const bool ends_life = m.kind == StageKind::KeptAlive || m.kind == StageKind::Closed;
            if (s.start_ns < sent) s.part = StagePart::BeforeSend;
            else if (s.start_ns > done || (s.start_ns == done && (s.duration_ns > 0 || ends_life))) s.part = StagePart::AfterDone;
            else s.part = StagePart::Latency;
            out.push_back(std::move(s));
        }
    }
    return out;
}

}  // namespace

Passport build_passport(const Recording& rec, const RequestIds& ids, const WorldAt& world_at,
                        const PassportNaming& naming) {
    Passport p;
    p.ids = ids;
    const ClientSide c = client_side(rec, ids);
    const ServerSide s = server_side(rec, ids);
    p.client_seen = c.send != nullptr;
    if (c.send) p.mix_index = c.send->a1;
    if (!c.send && !s.parsed) return p;

    std::vector<Mark> marks;
    connection_marks(rec, c, s, marks);
    request_marks(rec, c, s, marks);
    std::uint64_t end = after_marks(rec, c, s, marks);
    if (marks.empty()) return p;
    for (std::size_t i = 1; i < marks.size(); ++i) marks[i].t_ns = std::max(marks[i].t_ns, marks[i - 1].t_ns);

    // Under way (no response yet): its life so far, up to the last event recorded.
    p.complete = c.done || (!c.send && s.write_done);
    p.sent_ns = c.send ? c.send->t_ns : marks.front().t_ns;
    p.done_ns = std::max(c.done ? c.done->t_ns : s.write_done && !c.send ? s.write_done->t_ns : rec.last_time(),
                         p.sent_ns);
    p.status = s.handler_end ? s.handler_end->a0 : 0;
    if (c.done && c.done->kind == EventKind::ClientDone) p.status = c.done->a0;
    end = std::max({p.complete ? end : p.done_ns, p.done_ns, marks.back().t_ns});

    std::vector<Wait> waits;
    const Event* serving = s.handler_start ? s.handler_start : s.parsed ? s.parsed : s.read_start;
    if (serving) {
        const std::uint64_t server_to = s.write_done ? s.write_done->t_ns : end;
        gil_waits(rec, serving->tid, s.read_start ? s.read_start->t_ns : serving->t_ns, server_to, waits);
        if (serving->green) green_waits(s, serving->green, waits);
    }

    p.stages = cut_stages(with_waits(marks, end, std::move(waits), green_word(rec, serving ? serving->pid : 0)), end, p.sent_ns,
                          p.done_ns);
    for (Stage& st : p.stages) {
        if (!is_wait(st.kind) || st.duration_ns < naming.threshold_ns || !world_at) continue;
        st.reason = wait_reason(world_at(st.start_ns + st.duration_ns / 2), st, ids, naming);
    }
    return p;
}

}  // namespace minicorn::trace
