// engine/trace/event.cpp — names of kinds and of the enums their arguments hold.
#include "engine/trace/event.h"
#include "engine/trace/kinds.h"

namespace minicorn::trace {

std::string_view to_string(EventKind kind) {
    if (static_cast<std::size_t>(kind) >= kEventKindCount) return "?";
    return info(kind).name;
}

EventKind event_kind_from_string(std::string_view name) {
    for (const KindInfo& k : kinds()) {
        if (k.kind != EventKind::None && k.name == name) return k.kind;
    }
    return EventKind::None;
}

// The decision points a learner steps through (schema.h's Gated column):
// where a worker chooses what to do next (wait, accept, read, run the app,
// write, park, close).
bool is_gated(EventKind kind) { return info(kind).gate == Gate::Gated; }

std::string_view to_string(Family family) {
    switch (family) {
        case Family::None: return "none";
        case Family::Arbiter: return "arbiter";
        case Family::Worker: return "worker";
        case Family::WorkerLoop: return "worker loop";
        case Family::Connection: return "connection";
        case Family::Threads: return "threads";
        case Family::Poller: return "poller";
        case Family::Green: return "green";
        case Family::Gil: return "GIL";
        case Family::Loop: return "event loop";
        case Family::Client: return "client";
        case Family::Bookkeeping: return "bookkeeping";
        case Family::kCount: break;
    }
    return "?";
}

std::string_view to_string(CounterId id) {
    switch (id) {
        case CounterId::Accepted: return "accepted";
        case CounterId::Requests: return "requests";
        case CounterId::BytesIn: return "bytes_in";
        case CounterId::BytesOut: return "bytes_out";
        case CounterId::Errors: return "errors";
        case CounterId::Drops: return "drops";
        case CounterId::kCount: break;
    }
    return "?";
}

std::string_view to_string(ModelId model) {
    switch (model) {
        case ModelId::Sync: return "sync";
        case ModelId::Gthread: return "gthread";
        case ModelId::Eventlet: return "eventlet";
        case ModelId::Gevent: return "gevent";
        case ModelId::Tornado: return "tornado";
        case ModelId::Asyncio: return "asyncio";
        case ModelId::Unknown: break;
    }
    return "unknown";
}

std::string_view to_string(LoopPhaseId phase) {
    switch (phase) {
        case LoopPhaseId::None: return "none";
        case LoopPhaseId::Timers: return "timers";
        case LoopPhaseId::Callbacks: return "callbacks";
        case LoopPhaseId::Poll: return "poll";
        case LoopPhaseId::Dispatch: return "dispatch";
    }
    return "?";
}

std::string_view to_string(LoopCallback cb) {
    switch (cb) {
        case LoopCallback::Other: return "other";
        case LoopCallback::Accept: return "accept";
        case LoopCallback::Request: return "request";
        case LoopCallback::Watchdog: return "watchdog";
        case LoopCallback::Close: return "close";
        case LoopCallback::Timer: return "timer";
    }
    return "?";
}

std::string_view to_string(ClientRole role) {
    switch (role) {
        case ClientRole::Good: return "good";
        case ClientRole::Slowloris: return "slowloris";
        case ClientRole::Silent: return "silent";
        case ClientRole::SlowReader: return "slow reader";
        case ClientRole::Aborter: return "aborter";
    }
    return "?";
}

std::string_view to_string(ClientErrorKind kind) {
    switch (kind) {
        case ClientErrorKind::Connect: return "connect";
        case ClientErrorKind::Read: return "read";
        case ClientErrorKind::Write: return "write";
        case ClientErrorKind::Timeout: return "timeout";
        case ClientErrorKind::Status: return "status";
        case ClientErrorKind::Reset: return "reset";
    }
    return "?";
}

}  // namespace minicorn::trace
