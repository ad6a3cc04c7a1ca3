// engine/trace/export_events.cpp — the Exporter's events: one function per
// Family of the schema (kinds.h). A kind without a story of its own is an
// instant named by its schema label, with its fields by their schema names
// (plain); the functions below add what a kind means to the picture: slices
// that begin and end, async spans, counters, closing what a dead owner left.
#include <fmt/format.h>

#include "engine/trace/ev.h"
#include "engine/trace/export_exporter.h"
#include "engine/trace/world.h"  // format_id, signal_name

namespace minicorn::trace::exporter {
namespace {

std::string label_of(const Event& e) {
    const KindInfo& k = info(e.kind);
    return k.kind == EventKind::None ? std::string(to_string(e.kind)) : std::string(k.label);
}

}  // namespace

void Exporter::on_event(const Event& e) {
    ThreadTrack& th = track(e.pid, thread_of(e));
    switch (info(e.kind).family) {
        case Family::Arbiter: on_arbiter(th, e); break;
        case Family::Worker: on_worker(th, e); break;
        case Family::WorkerLoop: on_worker_loop(th, e); break;
        case Family::Connection: on_connection(th, e); break;
        case Family::Threads: on_threads(th, e); break;
        case Family::Poller: on_poller(th, e); break;
        case Family::Gil: on_gil(th, e); break;
        case Family::Loop: on_loop(th, e); break;
        case Family::Bookkeeping: on_bookkeeping(th, e); break;
        case Family::Green:  // instants; the studio draws greenlets, Perfetto lists them
        case Family::Client:
        case Family::None:
        case Family::kCount: plain(th, e); break;
    }
}

void Exporter::plain(ThreadTrack& th, const Event& e) {
    instant(th, label_of(e), category_of(info(e.kind).family), e.t_ns, args_of(e));
}

void Exporter::on_arbiter(ThreadTrack& th, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::ArbiterStop:
            owner_gone(e.pid, t, "the arbiter stopped");
            plain(th, e);
            break;
        case EventKind::SignalReceived: {
            auto signo = ev::SignalReceived::decode(e).signal;
            begin(th, Phase::Signal, static_cast<std::uint64_t>(signo.v), arbiter_handler(signo), kCatArbiter, t,
                  args_of(e));
            break;
        }
        case EventKind::SignalHandled:
            end(th, Phase::Signal, static_cast<std::uint64_t>(ev::SignalHandled::decode(e).signal.v), e,
                result_args(e));
            break;
        case EventKind::KillSent:
            instant(th, "kill " + signal_name(ev::KillSent::decode(e).signal), kCatArbiter, t, args_of(e));
            break;
        case EventKind::WorkerReaped: {
            auto v = ev::WorkerReaped::decode(e);
            plain(th, e);
            owner_gone(static_cast<pid_t>(v.pid.v), t,
                       "worker reaped: " + std::get<std::string>(shown(ArgType::ExitStatus, v.status)));
            break;
        }
        // The listening socket is the master's, shared by every worker: one
        // pair of counters on the arbiter, whoever sampled it.
        case EventKind::WorkerCount: counter(counter_pid_, "workers", t, result_args(e)); break;
        case EventKind::AcceptQueueSample: counter(counter_pid_, "accept queue", t, result_args(e)); break;
        default: plain(th, e); break;
    }
}

void Exporter::on_worker(ThreadTrack& th, const Event& e) {
    switch (e.kind) {
        case EventKind::WorkerExit:
            owner_gone(e.pid, e.t_ns, fmt::format("worker exited ({})", ev::WorkerExit::decode(e).code.v));
            plain(th, e);
            break;
        case EventKind::SignalCaught: {
            auto signo = ev::SignalCaught::decode(e).signal;
            Args args = args_of(e);
            std::string_view handler = worker_handler(signo);
            if (!handler.empty()) args.push_back({"handler", std::string(handler)});
            instant(th, signal_name(signo), kCatProcess, e.t_ns, args);
            break;
        }
        default: plain(th, e); break;
    }
}

void Exporter::on_worker_loop(ThreadTrack& th, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::SelectWait:
            leave_connection(th, t);
            begin(th, Phase::Select, 0, label_of(e), kCatLoop, t, args_of(e));
            break;
        case EventKind::SelectWake: end(th, Phase::Select, 0, e, result_args(e)); break;
        case EventKind::AcceptAttempt:
            leave_connection(th, t);
            plain(th, e);
            break;
        case EventKind::AcceptEagain:
            leave_connection(th, t);
            instant(th, errno_text(ev::AcceptEagain::decode(e).error), kCatLoop, t, args_of(e));
            break;
        default: plain(th, e); break;
    }
}

void Exporter::on_connection(ThreadTrack& th, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::Accepted: on_accepted(e, th); break;
        case EventKind::ReadStart: begin(th, Phase::Read, e.conn, label_of(e), kCatConn, t, args_of(e)); break;
        case EventKind::ReadDone: end(th, Phase::Read, e.conn, e, result_args(e)); break;
        case EventKind::Parsed: {
            Args args = args_of(e);
            plain(th, e);
            if (e.req) span_begin(req_spans_, e.req, th, e.conn, t, args);
            break;
        }
        case EventKind::HandlerStart: on_handler_start(e, th); break;
        case EventKind::HandlerEnd:
            if (auto it = req_spans_.open.find(e.req); it != req_spans_.open.end()) {
                it->second.status = ev::HandlerEnd::decode(e).status.v;
            }
            end(th, Phase::Handle, e.conn, e, result_args(e));
            break;
        case EventKind::WriteStart: begin(th, Phase::Write, e.conn, label_of(e), kCatConn, t, args_of(e)); break;
        case EventKind::WriteDone:
            end(th, Phase::Write, e.conn, e, result_args(e));
            if (e.req) span_end(req_spans_, e.req, t, {{"bytes_out", ev::WriteDone::decode(e).bytes.v}});
            break;
        case EventKind::Close: on_close(e, th); break;
        case EventKind::KeepAlivePark:
            leave_connection(th, t, "parked for keep-alive");
            plain(th, e);
            break;
        default: plain(th, e); break;
    }
}

void Exporter::on_threads(ThreadTrack& th, const Event& e) {
    const std::uint64_t t = e.t_ns;
    switch (e.kind) {
        case EventKind::ThreadExit:
            close_thread(th, t, "the thread exited");
            plain(th, e);
            break;
        case EventKind::PoolSubmit:
            leave_connection(th, t, "handed to a pool thread");
            plain(th, e);
            break;
        case EventKind::PoolStart: begin(th, Phase::PoolTask, e.conn, label_of(e), kCatThreads, t, args_of(e)); break;
        case EventKind::PoolFinish: end(th, Phase::PoolTask, e.conn, e, result_args(e)); break;
        default: plain(th, e); break;
    }
}

void Exporter::on_poller(ThreadTrack& th, const Event& e) {
    switch (e.kind) {
        case EventKind::PollWait:
            leave_connection(th, e.t_ns);
            begin(th, Phase::Poll, 0, label_of(e), kCatLoop, e.t_ns, args_of(e));
            break;
        case EventKind::PollWake: end(th, Phase::Poll, 0, e, result_args(e)); break;
        default: plain(th, e); break;
    }
}

// The GIL: a wait is a slice (contention is the story); an uncontended
// acquire and every release are instants.
void Exporter::on_gil(ThreadTrack& th, const Event& e) {
    switch (e.kind) {
        case EventKind::GilWait: begin(th, Phase::GilWait, 0, label_of(e), kCatGil, e.t_ns, args_of(e)); break;
        case EventKind::GilAcquire:
            if (!close_slice(th, Phase::GilWait, 0, e.t_ns, result_args(e))) plain(th, e);
            break;
        default: plain(th, e); break;
    }
}

// Event loops: each phase is a slice until the next one begins.
void Exporter::on_loop(ThreadTrack& th, const Event& e) {
    if (e.kind != EventKind::LoopPhase) return plain(th, e);
    close_slice(th, Phase::LoopPhase, 0, e.t_ns, {});
    begin(th, Phase::LoopPhase, 0, loop_phase_text(ev::LoopPhase::decode(e).phase), kCatLoop, e.t_ns, args_of(e));
}

void Exporter::on_bookkeeping(ThreadTrack& th, const Event& e) {
    if (e.kind != EventKind::Counter) return plain(th, e);
    // One track per process and CounterId: "total requests".
    auto v = ev::Counter::decode(e);
    std::string key = std::get<std::string>(shown(ArgType::CounterId, v.counter));
    counter(e.pid, label_of(e), e.t_ns, {{key, v.value.v}});
}

void Exporter::on_accepted(const Event& e, ThreadTrack& th) {
    leave_connection(th, e.t_ns);
    Args args = args_of(e);
    begin(th, Phase::Connection, e.conn, label_of(e), kCatConn, e.t_ns, args);
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
void Exporter::on_handler_start(const Event& e, ThreadTrack& th) {
    Args args = args_of(e);
    if (e.req) span_begin(req_spans_, e.req, th, e.conn, e.t_ns, args);
    begin(th, Phase::Handle, e.conn, label_of(e), kCatConn, e.t_ns, args);
    if (flows_pending_.erase(e.conn)) {  // "f" binds to the enclosing slice: the handler just opened
        out_.write({.ph = 'f', .name = kFlowName, .cat = kFlowCat, .t_ns = e.t_ns, .pid = th.pid, .tid = th.tid,
                    .id = e.conn, .bind_enclosing = true});
    }
}
void Exporter::on_close(const Event& e, ThreadTrack& th) {
    // Threaded models close on another thread than the one that accepted.
    if (!close_slice(th, Phase::Connection, e.conn, e.t_ns, result_args(e))) plain(th, e);
    end_spans_if(req_spans_, [&](const OpenSpan& span) { return span.conn == e.conn; }, e.t_ns,
                 {{"closed", std::string("connection closed")}});
    span_end(conn_spans_, e.conn, e.t_ns, result_args(e));
    pid_t owner = id_pid(e.conn) ? id_pid(e.conn) : e.pid;
    if (auto it = open_conns_.find(owner); it != open_conns_.end() && it->second.erase(e.conn)) {
        update_busy(e.t_ns);
    }
}

}  // namespace minicorn::trace::exporter
