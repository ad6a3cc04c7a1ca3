// engine/trace/export.cpp — Recording → Chrome trace-event JSON (see export.h).
//
// Two passes: the Cast (who is the arbiter, which pid is which worker, which
// threads exist, which connections reach a handler), then the Exporter, which
// walks the events once in time order and writes each output event as it goes.
// Because it writes in time order and uses only B/E for slices, Perfetto's
// sorter keeps the file's order at equal timestamps: an E written before a B
// at the same microsecond is read in that order. (X events would switch
// Perfetto to a sort that moves every E at a timestamp ahead of everything
// else there, which breaks zero-length slices.)
//
// Index
//   [SECTION] Names     — gunicorn handler names, errno values, thread roles, parse errors
//   [SECTION] Cast      — the pre-pass: processes, threads, roles
//   [SECTION] Exporter  — slices, async spans, flows and counters
//   [SECTION] Public API
#include "engine/trace/export.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "engine/http/errors.h"
#include "engine/trace/chrome_writer.h"
#include "engine/trace/world.h"  // format_id, signal_name

namespace minicorn::trace {
namespace {

// ============================================================================
// [SECTION] Names
// ============================================================================

// gunicorn's handler names: the arbiter's (Arbiter.SIG_NAMES → handle_<name>)
// and the worker's Python-level one (workers/base.py init_signals), "" if none.
struct SignalHandlers {
    int signo;
    std::string_view arbiter;
    std::string_view worker;
};
constexpr SignalHandlers kHandlers[] = {
    {SIGHUP, "handle_hup", ""},
    {SIGINT, "handle_int", "handle_quit"},
    {SIGQUIT, "handle_quit", "handle_quit"},
    {SIGTERM, "handle_term", "handle_exit"},
    {SIGABRT, "", "handle_abort"},
    {SIGUSR1, "handle_usr1", "handle_usr1"},
    {SIGUSR2, "handle_usr2", ""},
    {SIGCHLD, "handle_chld", ""},
    {SIGTTIN, "handle_ttin", ""},
    {SIGTTOU, "handle_ttou", ""},
    {SIGWINCH, "handle_winch", "handle_winch"},
};

const SignalHandlers* handlers_of(std::int64_t signo) {
    for (const SignalHandlers& h : kHandlers) {
        if (h.signo == signo) return &h;
    }
    return nullptr;
}

std::string arbiter_handler(std::int64_t signo) {
    const SignalHandlers* h = handlers_of(signo);
    return h && !h->arbiter.empty() ? std::string(h->arbiter) : "handle " + signal_name(signo);
}

std::string_view worker_handler(std::int64_t signo) {
    const SignalHandlers* h = handlers_of(signo);
    return h ? h->worker : std::string_view();
}

std::string errno_text(std::int64_t err) {
    switch (err) {
        case EAGAIN: return "EAGAIN";
        case ECONNABORTED: return "ECONNABORTED";
        case EINTR: return "EINTR";
        case EMFILE: return "EMFILE";
        default: return fmt::format("errno {}", err);
    }
}

// WorkerReaped a1: an exit code, or -signal.
std::string exit_text(std::int64_t status) {
    return status < 0 ? "killed by " + signal_name(-status) : fmt::format("exit {}", status);
}

std::string_view thread_role_text(ThreadRole role) {
    switch (role) {
        case ThreadRole::Main: return "main";
        case ThreadRole::Pool: return "pool";
        case ThreadRole::Hub: return "hub";
        case ThreadRole::Sampler: return "sampler";
    }
    return "thread";
}

// An event loop's phase slice: "1 timers" … "4 dispatch", the numbered list
// of engine/loop/io_loop.h.
std::string loop_phase_text(std::int64_t phase) {
    constexpr auto kLast = static_cast<std::int64_t>(LoopPhaseId::Dispatch);
    if (phase < 1 || phase > kLast) return fmt::format("loop phase {}", phase);
    return fmt::format("{} {}", phase, to_string(static_cast<LoopPhaseId>(phase)));
}

std::string loop_callback_text(std::int64_t kind) {
    std::string_view name = to_string(static_cast<LoopCallback>(kind));
    return name == "?" ? fmt::format("callback {}", kind) : std::string(name);
}

std::string parse_error_text(std::int64_t kind) {
    constexpr auto kLast = static_cast<std::int64_t>(http::ParseErrorKind::ValueError);
    if (kind < 0 || kind > kLast) return fmt::format("error {}", kind);
    return std::string(http::to_string(static_cast<http::ParseErrorKind>(kind)));
}

// A tid of 0 means the process's main thread.
pid_t thread_of(const Event& e) { return e.tid != 0 ? e.tid : e.pid; }

using chrome::Arg;
using chrome::Args;
using chrome::ArgValue;
using chrome::JsonOut;
using chrome::OutEvent;

// ============================================================================
// [SECTION] Cast
// ============================================================================

enum class Role : std::uint8_t { Arbiter, Worker, Other };

struct ProcessInfo {
    pid_t pid = 0;
    Role role = Role::Other;
    std::int64_t age = 0;  // WorkerBoot a0 / WorkerSpawn a1; 0: unknown
    ModelId model = ModelId::Unknown;
    std::vector<pid_t> tids;                      // in order of first appearance
    std::unordered_map<pid_t, ThreadRole> roles;  // ThreadStart a0
};

// Kinds only the master emits: who sends one is the arbiter, failing an ArbiterStart.
constexpr EventKind kMasterOnly[] = {EventKind::ArbiterStop,  EventKind::SignalReceived, EventKind::SignalHandled,
                                     EventKind::WorkerSpawn,  EventKind::WorkerTimeout,  EventKind::KillSent,
                                     EventKind::WorkerReaped, EventKind::WorkerCount,    EventKind::ListenerOpen};
bool is_master_only(EventKind kind) {
    return std::find(std::begin(kMasterOnly), std::end(kMasterOnly), kind) != std::end(kMasterOnly);
}

struct Cast {
    pid_t arbiter = 0;
    std::vector<ProcessInfo> processes;  // in order of first appearance
    std::unordered_map<pid_t, std::size_t> index;
    // Connections whose handler starts after their accept: they get a flow.
    std::unordered_set<std::uint64_t> reach_handler;

    explicit Cast(const Recording& rec) {
        pid_t master_like = 0;
        std::unordered_map<pid_t, std::int64_t> spawned_age;
        std::unordered_set<std::uint64_t> accepted;
        for (const Event& e : rec.events()) {
            ProcessInfo& p = process(e.pid);
            pid_t tid = thread_of(e);
            if (std::find(p.tids.begin(), p.tids.end(), tid) == p.tids.end()) p.tids.push_back(tid);
            switch (e.kind) {
                case EventKind::ArbiterStart:
                    if (!arbiter) arbiter = e.pid;
                    break;
                case EventKind::WorkerBoot:
                    p.role = Role::Worker;
                    p.age = e.a0;
                    p.model = static_cast<ModelId>(e.a1);
                    break;
                case EventKind::WorkerSpawn:
                    spawned_age.emplace(static_cast<pid_t>(e.a0), e.a1);
                    break;
                case EventKind::ThreadStart:
                    p.roles[tid] = static_cast<ThreadRole>(e.a0);
                    break;
                case EventKind::Accepted:
                    accepted.insert(e.conn);
                    break;
                case EventKind::HandlerStart:
                    if (accepted.count(e.conn)) reach_handler.insert(e.conn);
                    break;
                default:
                    break;
            }
            if (!master_like && is_master_only(e.kind)) master_like = e.pid;
        }
        if (!arbiter) arbiter = master_like;
        for (ProcessInfo& p : processes) {
            if (p.pid == arbiter) {
                p.role = Role::Arbiter;
                continue;
            }
            auto it = spawned_age.find(p.pid);
            if (it != spawned_age.end()) {
                p.role = Role::Worker;
                if (p.age == 0) p.age = it->second;
            }
        }
    }

    ProcessInfo& process(pid_t pid) {
        auto [it, fresh] = index.try_emplace(pid, processes.size());
        if (fresh) {
            processes.emplace_back();
            processes.back().pid = pid;
        }
        return processes[it->second];
    }

    static std::string process_name(const ProcessInfo& p) {
        if (p.role == Role::Arbiter) return "arbiter";
        if (p.role == Role::Other) return "process";
        std::string name = p.age > 0 ? fmt::format("worker {}", p.age) : std::string("worker");
        std::string_view model = to_string(p.model);
        return model == "unknown" ? name : fmt::format("{} ({})", name, model);
    }

    // The arbiter first, then workers by age, then the rest as they appeared.
    std::int64_t sort_index(const ProcessInfo& p) const {
        if (p.role == Role::Arbiter) return 0;
        if (p.role == Role::Worker && p.age > 0) return p.age;
        return 1'000'000 + static_cast<std::int64_t>(index.at(p.pid));
    }

    static std::string thread_name(const ProcessInfo& p, pid_t tid) {
        if (tid == p.pid) return "main";
        auto it = p.roles.find(tid);
        return it == p.roles.end() ? std::string("thread") : std::string(thread_role_text(it->second));
    }
};

// ============================================================================
// [SECTION] Exporter
// ============================================================================

// What opened a thread slice; an end event closes the innermost slice of its phase.
enum class Phase : std::uint8_t { Select, Connection, Read, Handle, Write, Signal, Poll, PoolTask, GilWait, LoopPhase };

struct OpenSlice {
    Phase phase;
    std::uint64_t key;  // the conn id, or the signal number; matched when the end event gives one
    std::string name;
    std::string_view cat;
};

struct ThreadTrack {
    pid_t pid = 0;
    pid_t tid = 0;
    std::vector<OpenSlice> stack;  // innermost last
};

struct OpenSpan {  // an async span: b written, e not yet
    pid_t pid = 0;
    pid_t tid = 0;
    std::uint64_t conn = 0;
    std::optional<std::int64_t> status;  // the request's HandlerEnd a0, shown on its e
};

struct Spans {  // the open async spans of one category ("connection", "request"), by id
    std::string_view cat;
    std::map<std::uint64_t, OpenSpan> open;  // ordered: closing order is stable
};

constexpr std::string_view kCatLoop = "loop";          // select, accept, event-loop phases: the worker's loop
constexpr std::string_view kCatConn = "conn";          // connection, read, handle, write
constexpr std::string_view kCatProcess = "process";    // lifecycle, heartbeat, signals
constexpr std::string_view kCatArbiter = "arbiter";    // the master's verbs
constexpr std::string_view kCatThreads = "threads";    // pools, thread lifecycle, greenlets
constexpr std::string_view kCatGil = "gil";            // the simulated GIL
constexpr std::string_view kCatTrace = "trace";        // the collector's bookkeeping
constexpr std::string_view kCatUnmatched = "unmatched";  // an end whose begin the recording lacks
constexpr std::string_view kFlowName = "accept to handler";
constexpr std::string_view kFlowCat = "flow";

class Exporter {
public:
    Exporter(const Recording& rec, const Cast& cast, JsonOut& out)
        : rec_(rec), cast_(cast), out_(out), counter_pid_(cast.arbiter) {
        if (!counter_pid_ && !rec.empty()) counter_pid_ = rec[0].pid;
    }

    void run() {
        write_metadata();
        bool any_worker = false;
        for (const ProcessInfo& p : cast_.processes) any_worker = any_worker || p.role == Role::Worker;
        if (any_worker) counter(counter_pid_, "workers", rec_.first_time(), Args{{"busy", std::int64_t{0}}});
        for (const Event& e : rec_.events()) on_event(e);
        close_everything(rec_.last_time());
    }

private:
    // --- output helpers ------------------------------------------------------

    void write_metadata() {
        for (const ProcessInfo& p : cast_.processes) {
            Args name{{"name", Cast::process_name(p)}};
            out_.write({.ph = 'M', .name = "process_name", .pid = p.pid, .tid = p.pid, .args = &name});
            Args order{{"sort_index", cast_.sort_index(p)}};
            out_.write({.ph = 'M', .name = "process_sort_index", .pid = p.pid, .tid = p.pid, .args = &order});
            std::int64_t next = 1;
            for (pid_t tid : p.tids) {
                Args tname{{"name", Cast::thread_name(p, tid)}};
                out_.write({.ph = 'M', .name = "thread_name", .pid = p.pid, .tid = tid, .args = &tname});
                Args torder{{"sort_index", tid == p.pid ? std::int64_t{0} : next++}};
                out_.write({.ph = 'M', .name = "thread_sort_index", .pid = p.pid, .tid = tid, .args = &torder});
            }
        }
    }

    ThreadTrack& track(pid_t pid, pid_t tid) {
        ThreadTrack& th = threads_[{pid, tid}];
        th.pid = pid;
        th.tid = tid;
        return th;
    }

    void instant(const ThreadTrack& th, std::string_view name, std::string_view cat, std::uint64_t t,
                 const Args& args = {}) {
        out_.write({.ph = 'i', .name = name, .cat = cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .args = &args});
    }

    void counter(pid_t pid, std::string_view name, std::uint64_t t, const Args& args) {
        out_.write({.ph = 'C', .name = name, .t_ns = t, .pid = pid, .tid = pid, .args = &args});
    }

    void begin(ThreadTrack& th, Phase phase, std::uint64_t key, std::string name, std::string_view cat,
               std::uint64_t t, const Args& args = {}) {
        out_.write({.ph = 'B', .name = name, .cat = cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .args = &args});
        th.stack.push_back(OpenSlice{phase, key, std::move(name), cat});
    }

    void end_top(ThreadTrack& th, std::uint64_t t, const Args& args) {
        const OpenSlice& s = th.stack.back();
        out_.write({.ph = 'E', .name = s.name, .cat = s.cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .args = &args});
        th.stack.pop_back();
    }

    // Ends the innermost open slice of `phase` (with `key`, unless key is 0),
    // after whatever is open inside it, so the slices stay nested. False when
    // none is open.
    bool close_slice(ThreadTrack& th, Phase phase, std::uint64_t key, std::uint64_t t, const Args& args) {
        auto match = [&](const OpenSlice& s) { return s.phase == phase && (key == 0 || s.key == key); };
        auto it = std::find_if(th.stack.rbegin(), th.stack.rend(), match);
        if (it == th.stack.rend()) return false;
        std::size_t depth = static_cast<std::size_t>(th.stack.rend() - it);  // stack size once it is on top
        Args cut{{"closed", std::string("its enclosing ") + th.stack[depth - 1].name + " ended"}};
        while (th.stack.size() > depth) end_top(th, t, cut);
        end_top(th, t, args);
        return true;
    }

    // `e` ends a slice of `phase`; when none is open (the recording began
    // inside it, or a ring dropped its begin) `e` shows as an instant.
    void end(ThreadTrack& th, Phase phase, std::uint64_t key, const Event& e, Args args = {}) {
        if (close_slice(th, phase, key, e.t_ns, args)) return;
        if (e.req) args.insert(args.begin(), {"req", format_id(e.req)});
        if (e.conn) args.insert(args.begin(), {"conn", format_id(e.conn)});
        instant(th, to_string(e.kind), kCatUnmatched, e.t_ns, args);
    }

    void close_thread(ThreadTrack& th, std::uint64_t t, const std::string& why) {
        Args reason{{"closed", why}};
        while (!th.stack.empty()) end_top(th, t, reason);
    }

    // A thread that goes back to its loop (waits, accepts), parks its
    // connection or hands it to another thread has left the connection it was
    // serving; the connection itself lives on in its async span.
    void leave_connection(ThreadTrack& th, std::uint64_t t, std::string_view why = "the thread went back to its loop") {
        auto it = std::find_if(th.stack.begin(), th.stack.end(),
                               [](const OpenSlice& s) { return s.phase == Phase::Connection; });
        if (it == th.stack.end()) return;
        Args reason{{"closed", std::string(why)}};
        while (th.stack.size() > static_cast<std::size_t>(it - th.stack.begin())) end_top(th, t, reason);
    }

    void span_begin(Spans& spans, std::uint64_t id, const ThreadTrack& th, std::uint64_t conn, std::uint64_t t,
                    const Args& args) {
        if (!spans.open.try_emplace(id, OpenSpan{th.pid, th.tid, conn, std::nullopt}).second) return;
        out_.write({.ph = 'b', .name = spans.cat, .cat = spans.cat, .t_ns = t, .pid = th.pid, .tid = th.tid, .id = id,
                    .args = &args});
    }

    void span_end(Spans& spans, std::uint64_t id, std::uint64_t t, Args args) {
        auto it = spans.open.find(id);
        if (it == spans.open.end()) return;
        if (it->second.status) args.push_back({"status", *it->second.status});
        const OpenSpan& span = it->second;
        out_.write({.ph = 'e', .name = spans.cat, .cat = spans.cat, .t_ns = t, .pid = span.pid, .tid = span.tid,
                    .id = id, .args = &args});
        spans.open.erase(it);
    }

    template <typename Pred>
    void end_spans_if(Spans& spans, Pred&& pred, std::uint64_t t, const Args& args) {
        std::vector<std::uint64_t> ids;
        for (const auto& [id, span] : spans.open) {
            if (pred(span)) ids.push_back(id);
        }
        for (std::uint64_t id : ids) span_end(spans, id, t, args);
    }

    // "Busy" workers: those with at least one accepted connection not yet closed.
    void update_busy(std::uint64_t t) {
        std::int64_t busy = 0;
        for (const auto& [pid, conns] : open_conns_) busy += conns.empty() ? 0 : 1;
        if (busy == busy_shown_) return;
        busy_shown_ = busy;
        counter(counter_pid_, "workers", t, Args{{"busy", busy}});
    }

    // The process `pid` is gone (it exited, or the master reaped it): close
    // what it left open, where it died.
    void owner_gone(pid_t pid, std::uint64_t t, const std::string& why) {
        for (auto& [key, th] : threads_) {
            if (key.first == pid) close_thread(th, t, why);
        }
        auto owned = [pid](const OpenSpan& span) { return span.pid == pid; };
        end_spans_if(req_spans_, owned, t, {{"closed", why}});
        end_spans_if(conn_spans_, owned, t, {{"closed", why}});
        if (open_conns_.erase(pid)) update_busy(t);
    }

    void close_everything(std::uint64_t t) {
        const std::string why = "end of recording";
        for (auto& [key, th] : threads_) close_thread(th, t, why);
        auto all = [](const OpenSpan&) { return true; };
        end_spans_if(req_spans_, all, t, {{"closed", why}});
        end_spans_if(conn_spans_, all, t, {{"closed", why}});
    }

    // --- the events ------------------------------------------------------------

    void on_event(const Event& e) {
        ThreadTrack& th = track(e.pid, thread_of(e));
        const std::uint64_t t = e.t_ns;
        switch (e.kind) {
            // --- the arbiter ---
            case EventKind::ArbiterStart:
                instant(th, "arbiter start", kCatArbiter, t, {{"workers", e.a0}});
                break;
            case EventKind::ArbiterStop:
                owner_gone(e.pid, t, "the arbiter stopped");
                instant(th, "arbiter stop", kCatArbiter, t, {{"status", e.a0}});
                break;
            case EventKind::SignalReceived:
                begin(th, Phase::Signal, static_cast<std::uint64_t>(e.a0), arbiter_handler(e.a0), kCatArbiter, t,
                      {{"signal", signal_name(e.a0)}, {"queue_left", e.a1}});
                break;
            case EventKind::SignalHandled:
                end(th, Phase::Signal, static_cast<std::uint64_t>(e.a0), e, {{"signal", signal_name(e.a0)}});
                break;
            case EventKind::WorkerSpawn:
                instant(th, "spawn_worker", kCatArbiter, t, {{"pid", e.a0}, {"age", e.a1}});
                break;
            case EventKind::WorkerTimeout:
                instant(th, "WORKER TIMEOUT", kCatArbiter, t, {{"pid", e.a0}, {"silent_ms", e.a1}});
                break;
            case EventKind::KillSent:
                instant(th, "kill " + signal_name(e.a1), kCatArbiter, t,
                        {{"pid", e.a0}, {"signal", signal_name(e.a1)}});
                break;
            case EventKind::WorkerReaped:
                instant(th, "reaped", kCatArbiter, t, {{"pid", e.a0}, {"status", exit_text(e.a1)}});
                owner_gone(static_cast<pid_t>(e.a0), t, "worker reaped: " + exit_text(e.a1));
                break;
            case EventKind::WorkerCount:
                counter(counter_pid_, "workers", t, {{"live", e.a0}, {"wanted", e.a1}});
                break;
            case EventKind::ListenerOpen:
                instant(th, "listen", kCatArbiter, t, {{"fd", e.a0}, {"port", e.a1}});
                break;
            case EventKind::AcceptQueueSample:
                // The listening socket is the master's, shared by every worker:
                // one pair of counters on the arbiter, whoever sampled it.
                counter(counter_pid_, "accept queue", t, {{"length", e.a0}, {"backlog", e.a1}});
                break;

            // --- every worker ---
            case EventKind::WorkerBoot:
                instant(th, "boot", kCatProcess, t,
                        {{"age", e.a0}, {"model", std::string(to_string(static_cast<ModelId>(e.a1)))}});
                break;
            case EventKind::WorkerBooted:
                instant(th, "booted", kCatProcess, t);
                break;
            case EventKind::WorkerExit:
                owner_gone(e.pid, t, fmt::format("worker exited ({})", e.a0));
                instant(th, "exit", kCatProcess, t, {{"code", e.a0}});
                break;
            case EventKind::Heartbeat:
                instant(th, "heartbeat", kCatProcess, t, {{"engine_ms", e.a0}});
                break;
            case EventKind::SignalCaught: {
                Args args{{"signal", signal_name(e.a0)}};
                std::string_view handler = worker_handler(e.a0);
                if (!handler.empty()) args.push_back({"handler", std::string(handler)});
                instant(th, signal_name(e.a0), kCatProcess, t, args);
                break;
            }

            // --- the sync worker's loop ---
            case EventKind::SelectWait:
                leave_connection(th, t);
                begin(th, Phase::Select, 0, "select", kCatLoop, t, {{"timeout_ms", e.a0}});
                break;
            case EventKind::SelectWake:
                end(th, Phase::Select, 0, e, {{"ready", e.a0}, {"interrupted", e.a1 != 0}});
                break;
            case EventKind::AcceptAttempt:
                leave_connection(th, t);
                instant(th, "accept", kCatLoop, t, {{"listen_fd", e.a0}});
                break;
            case EventKind::AcceptEagain:
                leave_connection(th, t);
                instant(th, errno_text(e.a0), kCatLoop, t, {{"errno", e.a0}});
                break;
            case EventKind::Accepted: on_accepted(e, th); break;
            case EventKind::ReadStart:
                begin(th, Phase::Read, e.conn, "read", kCatConn, t, {{"conn", format_id(e.conn)}});
                break;
            case EventKind::ReadDone:
                end(th, Phase::Read, e.conn, e, {{"bytes", e.a0}, {"cut", e.a1 != 0}});
                break;
            case EventKind::Parsed: {
                Args args{{"req", format_id(e.req)}, {"conn", format_id(e.conn)},
                          {"http", fmt::format("{}.{}", e.a0 / 10, e.a0 % 10)}, {"body_bytes", e.a1}};
                instant(th, "parsed", kCatConn, t, args);
                if (e.req) span_begin(req_spans_, e.req, th, e.conn, t, args);
                break;
            }
            case EventKind::ParseFailed:
                instant(th, "parse failed", kCatConn, t,
                        {{"conn", format_id(e.conn)}, {"status", e.a0}, {"error", parse_error_text(e.a1)}});
                break;
            case EventKind::HandlerStart: on_handler_start(e, th); break;
            case EventKind::HandlerEnd:
                if (auto it = req_spans_.open.find(e.req); it != req_spans_.open.end()) it->second.status = e.a0;
                end(th, Phase::Handle, e.conn, e, {{"status", e.a0}, {"raised", e.a1 != 0}});
                break;
            case EventKind::WriteStart:
                begin(th, Phase::Write, e.conn, "write", kCatConn, t, {{"req", format_id(e.req)}});
                break;
            case EventKind::WriteDone:
                end(th, Phase::Write, e.conn, e, {{"bytes", e.a0}, {"peer_gone", e.a1 != 0}});
                if (e.req) span_end(req_spans_, e.req, t, {{"bytes_out", e.a0}});
                break;
            case EventKind::Close: on_close(e, th); break;

            // --- threads, pools, pollers, greenlets, GIL ---
            case EventKind::ThreadStart:
                instant(th, "thread start", kCatThreads, t,
                        {{"role", std::string(thread_role_text(static_cast<ThreadRole>(e.a0)))}});
                break;
            case EventKind::ThreadExit:
                close_thread(th, t, "the thread exited");
                instant(th, "thread exit", kCatThreads, t);
                break;
            case EventKind::PoolSubmit:
                leave_connection(th, t, "handed to a pool thread");
                instant(th, "pool submit", kCatThreads, t, {{"conn", format_id(e.conn)}, {"queue", e.a0}});
                break;
            case EventKind::PoolStart:
                begin(th, Phase::PoolTask, e.conn, "pool task", kCatThreads, t, {{"conn", format_id(e.conn)}});
                break;
            case EventKind::PoolFinish:
                end(th, Phase::PoolTask, e.conn, e, {{"keep_alive", e.a0 != 0}});
                break;
            case EventKind::PollWait:
                leave_connection(th, t);
                begin(th, Phase::Poll, 0, "poll", kCatLoop, t, {{"timeout_ms", e.a0}, {"fds", e.a1}});
                break;
            case EventKind::PollWake:
                end(th, Phase::Poll, 0, e, {{"ready", e.a0}});
                break;
            case EventKind::FuturesWait:
                instant(th, "futures wait", kCatLoop, t, {{"timeout_ms", e.a0}, {"outstanding", e.a1}});
                break;
            case EventKind::PollRegister:
                instant(th, "poll register", kCatLoop, t,
                        {{"conn", format_id(e.conn)}, {"fd", e.a0}, {"events", e.a1}});
                break;
            case EventKind::PollUnregister:
                instant(th, "poll unregister", kCatLoop, t, {{"conn", format_id(e.conn)}, {"fd", e.a0}});
                break;
            case EventKind::KeepAlivePark:
                leave_connection(th, t, "parked for keep-alive");
                instant(th, "keep-alive park", kCatConn, t, {{"conn", format_id(e.conn)}, {"deadline_ms", e.a0}});
                break;
            case EventKind::KeepAliveResume:
                instant(th, "keep-alive resume", kCatConn, t, {{"conn", format_id(e.conn)}});
                break;
            // The GIL: a wait is a slice (contention is the story); an
            // uncontended acquire and every release are instants.
            case EventKind::GilWait:
                begin(th, Phase::GilWait, 0, "GIL wait", kCatGil, t, {{"holder", e.a0}});
                break;
            case EventKind::GilAcquire:
                if (!close_slice(th, Phase::GilWait, 0, t, {{"waited_ns", e.a0}})) {
                    instant(th, "GIL acquire", kCatGil, t, {{"waited_ns", e.a0}});
                }
                break;
            case EventKind::GilRelease:
                instant(th, e.a0 == 2 ? "GIL release (at the gate)" : "GIL release", kCatGil, t, {{"forced", e.a0 == 1}});
                break;

            // --- event loops: each phase is a slice until the next one begins ---
            case EventKind::LoopPhase:
                close_slice(th, Phase::LoopPhase, 0, t, {});
                begin(th, Phase::LoopPhase, 0, loop_phase_text(e.a0), kCatLoop, t, {{"items", e.a1}});
                break;
            case EventKind::TimerAdd:
                instant(th, "timer add", kCatLoop, t, {{"timer", e.a0}, {"deadline_ms", e.a1}});
                break;
            case EventKind::TimerFire:
                instant(th, "timer fire", kCatLoop, t, {{"timer", e.a0}});
                break;
            case EventKind::TimerCancel:
                instant(th, "timer cancel", kCatLoop, t, {{"timer", e.a0}});
                break;
            case EventKind::CallbackQueued:
            case EventKind::CallbackRun: {
                Args args{{"callback", loop_callback_text(e.a1)}, {"ready", e.a0}};
                if (e.conn) args.insert(args.begin(), {"conn", format_id(e.conn)});
                instant(th, e.kind == EventKind::CallbackRun ? "run callback" : "queue callback", kCatLoop, t, args);
                break;
            }

            // --- bookkeeping ---
            case EventKind::Counter: {  // one track per process and CounterId: "total requests"
                std::string_view name = to_string(static_cast<CounterId>(e.a0));
                std::string key = name == "?" ? fmt::format("counter {}", e.a0) : std::string(name);
                counter(e.pid, "total", t, {{key, e.a1}});
                break;
            }
            case EventKind::RingDrops:
                instant(th, "ring drops", kCatTrace, t, {{"dropped", e.a0}});
                break;

            default: {  // shown as what it is, with whatever it carries
                Args args;
                if (e.conn) args.push_back({"conn", format_id(e.conn)});
                if (e.req) args.push_back({"req", format_id(e.req)});
                if (e.green) args.push_back({"green", std::int64_t{e.green}});
                if (e.a0) args.push_back({"a0", e.a0});
                if (e.a1) args.push_back({"a1", e.a1});
                instant(th, to_string(e.kind), is_master_only(e.kind) ? kCatArbiter : kCatThreads, t, args);
                break;
            }
        }
    }

    void on_accepted(const Event& e, ThreadTrack& th) {
        leave_connection(th, e.t_ns);
        Args args{{"conn", format_id(e.conn)}, {"peer_port", e.a0}, {"listen_fd", e.a1}};
        begin(th, Phase::Connection, e.conn, "connection", kCatConn, e.t_ns, args);
        // The flow starts inside the slice just opened: Perfetto binds an "s"
        // to the innermost slice open on its thread.
        if (cast_.reach_handler.count(e.conn) && flows_started_.insert(e.conn).second) {
            out_.write({.ph = 's', .name = kFlowName, .cat = kFlowCat, .t_ns = e.t_ns, .pid = th.pid, .tid = th.tid,
                        .id = e.conn});
            flows_pending_.insert(e.conn);
        }
        span_begin(conn_spans_, e.conn, th, e.conn, e.t_ns, args);
        open_conns_[id_pid(e.conn) ? id_pid(e.conn) : e.pid].insert(e.conn);
        update_busy(e.t_ns);
    }

    void on_handler_start(const Event& e, ThreadTrack& th) {
        Args args{{"req", format_id(e.req)}, {"conn", format_id(e.conn)}};
        if (e.req) span_begin(req_spans_, e.req, th, e.conn, e.t_ns, args);
        begin(th, Phase::Handle, e.conn, "handle", kCatConn, e.t_ns, args);
        if (flows_pending_.erase(e.conn)) {  // "f" binds to the enclosing slice: the handler just opened
            out_.write({.ph = 'f', .name = kFlowName, .cat = kFlowCat, .t_ns = e.t_ns, .pid = th.pid, .tid = th.tid,
                        .id = e.conn, .bind_enclosing = true});
        }
    }

    void on_close(const Event& e, ThreadTrack& th) {
        // Threaded models close on another thread than the one that accepted.
        if (!close_slice(th, Phase::Connection, e.conn, e.t_ns, {{"requests", e.a0}})) {
            instant(th, "close", kCatConn, e.t_ns, {{"conn", format_id(e.conn)}, {"requests", e.a0}});
        }
        end_spans_if(req_spans_, [&](const OpenSpan& span) { return span.conn == e.conn; }, e.t_ns,
                     {{"closed", std::string("connection closed")}});
        span_end(conn_spans_, e.conn, e.t_ns, {{"requests", e.a0}});
        pid_t owner = id_pid(e.conn) ? id_pid(e.conn) : e.pid;
        if (auto it = open_conns_.find(owner); it != open_conns_.end() && it->second.erase(e.conn)) {
            update_busy(e.t_ns);
        }
    }

    const Recording& rec_;
    const Cast& cast_;
    JsonOut& out_;
    pid_t counter_pid_;  // where the shared counters live: the arbiter, else the first process
    std::map<std::pair<pid_t, pid_t>, ThreadTrack> threads_;  // ordered: closing order is stable
    Spans conn_spans_{"connection", {}};
    Spans req_spans_{"request", {}};
    std::set<std::uint64_t> flows_started_;
    std::set<std::uint64_t> flows_pending_;
    std::map<pid_t, std::set<std::uint64_t>> open_conns_;
    std::int64_t busy_shown_ = 0;
};

}  // namespace

// ============================================================================
// [SECTION] Public API
// ============================================================================

std::string export_chrome_json(const Recording& rec) {
    Cast cast(rec);
    JsonOut out(rec.first_time());
    Exporter(rec, cast, out).run();
    return out.finish({
        {"generator", std::string("minicorn export")},
        {"recording_events", static_cast<std::int64_t>(rec.size())},
        {"dropped_events", static_cast<std::int64_t>(rec.dropped())},
        // ts 0 in this file is this CLOCK_MONOTONIC time (a string: too big for a double)
        {"first_event_ns", std::to_string(rec.first_time())},
    });
}

bool write_chrome_json(const Recording& rec, const std::string& path, std::string* error) {
    std::string json = export_chrome_json(rec);
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
        return false;
    }
    bool ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok && error) *error = "short write to '" + path + "'";
    return ok;
}

}  // namespace minicorn::trace
