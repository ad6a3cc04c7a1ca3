// app/studio/draw/loop_step.cpp — a thread's last loop step, in words (see
// loop_step.h). Each loop event either begins a step (SelectWait, ReadStart,
// HandlerStart, …: the step is running) or ends one (SelectWake, Parsed,
// HandlerEnd, WriteDone, Close: done, and the next step is named).
#include "app/studio/draw/loop_step.h"

#include <fmt/format.h>

#include "app/studio/draw/explain.h"

namespace minicorn::studio {

using trace::EventKind;

namespace {

constexpr int kSelect = 0, kAccept = 1, kRead = 2, kHandle = 3, kWrite = 4, kClose = 5;

LoopStep running(int phase, std::string text, std::string word) { return LoopStep{phase, false, std::move(text), std::move(word)}; }
LoopStep finished(int phase, std::string text, std::string word) { return LoopStep{phase, true, std::move(text), std::move(word)}; }

// What the loop does after a response: sync closes; the others may keep the connection.
const char* after_write(const trace::Process& proc) {
    return proc.model == trace::ModelId::Sync ? "close the connection" : "close it, or keep it alive for the next request";
}

LoopStep waiting_steps(const trace::Process& proc, EventKind kind) {
    const bool sync = proc.model == trace::ModelId::Sync;
    switch (kind) {
        case EventKind::SelectWait:
        case EventKind::PollWait:
        case EventKind::FuturesWait:
            return running(kSelect, std::string(process_state_phrase(proc)), "waiting");
        case EventKind::SelectWake:
        case EventKind::PollWake:
            return finished(kSelect, sync ? "select() returned — next: try accept()" : "poll returned — next: dispatch",
                            "woke");
        case EventKind::AcceptAttempt: return running(kAccept, "accepting a connection", "accepting");
        case EventKind::AcceptEagain:
            return finished(kAccept, sync ? "accept() found nobody waiting (EAGAIN) — next: select() again"
                                          : "accept() found nobody waiting (EAGAIN) — next: wait again",
                            "nobody");
        default: return {};
    }
}

LoopStep connection_steps(const trace::Process& proc, EventKind kind, const trace::Connection* c) {
    const long port = c ? static_cast<long>(c->peer_port) : 0;
    const bool pool = proc.model == trace::ModelId::Gthread;
    switch (kind) {
        case EventKind::Accepted:
            return finished(kAccept,
                            fmt::format("accepted client :{} — next: {}", port,
                                        pool ? "queue it for a pool thread" : "read its request"),
                            "accepted");
        case EventKind::ReadStart:
        case EventKind::PoolStart: return running(kRead, fmt::format("reading the request of client :{}", port), "reading");
        case EventKind::ReadDone:
            if (c && c->read_cut) return finished(kRead, "the client left before its request was complete — next: close", "client left");
            return running(kRead, fmt::format("reading the request of client :{}", port), "reading");
        case EventKind::Parsed: return finished(kRead, "read and parsed the request — next: run the app", "parsed");
        case EventKind::ParseFailed:
            return finished(kRead, "the request was malformed — next: send an error page and close", "bad request");
        case EventKind::HandlerStart: return running(kHandle, "the app's handler is running", "handling");
        case EventKind::HandlerEnd: {
            const long status = c ? static_cast<long>(c->status) : 0;
            const bool raised = c && c->app_raised;
            return finished(kHandle,
                            fmt::format("the app {} {} — next: write the response", raised ? "raised: status" : "returned",
                                        status),
                            fmt::format("app returned {}", status));
        }
        case EventKind::WriteStart: return running(kWrite, "writing the response", "writing");
        case EventKind::WriteDone:
            if (c && c->peer_gone) {
                return finished(kWrite,
                                fmt::format("the client had gone: nobody read the response — next: {}", after_write(proc)),
                                "client gone");
            }
            return finished(kWrite,
                            fmt::format("wrote the response ({} bytes) — next: {}", c ? static_cast<long>(c->bytes_written) : 0,
                                        after_write(proc)),
                            "written");
        case EventKind::Close:
            return finished(kClose,
                            proc.model == trace::ModelId::Sync ? "closed the connection — next: accept() the next one"
                                                               : "closed the connection",
                            "closed");
        default: return {};
    }
}

}  // namespace

LoopStep thread_step(const trace::World& world, const trace::Process& proc, const trace::Thread& thread) {
    LoopStep s = waiting_steps(proc, thread.last_kind);
    if (!s.text.empty()) return s;
    const trace::Connection* c = thread.conn ? world.connection(thread.conn) : nullptr;
    return connection_steps(proc, thread.last_kind, c);
}

LoopStep loop_step(const trace::World& world, const trace::Process& proc) {
    const bool running_proc = proc.state != trace::ProcessState::TimedOut && proc.state != trace::ProcessState::Exited &&
                              proc.state != trace::ProcessState::Gone;
    if (const trace::Thread* main = proc.thread(proc.pid); main && running_proc) {
        LoopStep s = thread_step(world, proc, *main);
        if (!s.text.empty()) return s;
    }
    return LoopStep{-1, false, std::string(process_state_phrase(proc)), ""};
}

}  // namespace minicorn::studio
