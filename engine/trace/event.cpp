#include "engine/trace/event.h"

namespace minicorn::trace {

std::string_view to_string(EventKind kind) {
    switch (kind) {
        case EventKind::None: return "None";
        case EventKind::ArbiterStart: return "ArbiterStart";
        case EventKind::ArbiterStop: return "ArbiterStop";
        case EventKind::SignalReceived: return "SignalReceived";
        case EventKind::SignalHandled: return "SignalHandled";
        case EventKind::WorkerSpawn: return "WorkerSpawn";
        case EventKind::WorkerTimeout: return "WorkerTimeout";
        case EventKind::KillSent: return "KillSent";
        case EventKind::WorkerReaped: return "WorkerReaped";
        case EventKind::WorkerCount: return "WorkerCount";
        case EventKind::ListenerOpen: return "ListenerOpen";
        case EventKind::AcceptQueueSample: return "AcceptQueueSample";
        case EventKind::WorkerBoot: return "WorkerBoot";
        case EventKind::WorkerBooted: return "WorkerBooted";
        case EventKind::WorkerExit: return "WorkerExit";
        case EventKind::Heartbeat: return "Heartbeat";
        case EventKind::SignalCaught: return "SignalCaught";
        case EventKind::SelectWait: return "SelectWait";
        case EventKind::SelectWake: return "SelectWake";
        case EventKind::AcceptAttempt: return "AcceptAttempt";
        case EventKind::Accepted: return "Accepted";
        case EventKind::AcceptEagain: return "AcceptEagain";
        case EventKind::ReadStart: return "ReadStart";
        case EventKind::ReadDone: return "ReadDone";
        case EventKind::Parsed: return "Parsed";
        case EventKind::ParseFailed: return "ParseFailed";
        case EventKind::HandlerStart: return "HandlerStart";
        case EventKind::HandlerEnd: return "HandlerEnd";
        case EventKind::WriteStart: return "WriteStart";
        case EventKind::WriteDone: return "WriteDone";
        case EventKind::Close: return "Close";
        case EventKind::ThreadStart: return "ThreadStart";
        case EventKind::ThreadExit: return "ThreadExit";
        case EventKind::PoolSubmit: return "PoolSubmit";
        case EventKind::PoolStart: return "PoolStart";
        case EventKind::PoolFinish: return "PoolFinish";
        case EventKind::PollRegister: return "PollRegister";
        case EventKind::PollUnregister: return "PollUnregister";
        case EventKind::PollWait: return "PollWait";
        case EventKind::PollWake: return "PollWake";
        case EventKind::FuturesWait: return "FuturesWait";
        case EventKind::KeepAlivePark: return "KeepAlivePark";
        case EventKind::KeepAliveResume: return "KeepAliveResume";
        case EventKind::GreenSpawn: return "GreenSpawn";
        case EventKind::GreenSwitch: return "GreenSwitch";
        case EventKind::GreenPark: return "GreenPark";
        case EventKind::GreenWake: return "GreenWake";
        case EventKind::GreenExit: return "GreenExit";
        case EventKind::GilWait: return "GilWait";
        case EventKind::GilAcquire: return "GilAcquire";
        case EventKind::GilRelease: return "GilRelease";
        case EventKind::LoopPhase: return "LoopPhase";
        case EventKind::TimerAdd: return "TimerAdd";
        case EventKind::TimerFire: return "TimerFire";
        case EventKind::TimerCancel: return "TimerCancel";
        case EventKind::CallbackQueued: return "CallbackQueued";
        case EventKind::CallbackRun: return "CallbackRun";
        case EventKind::ClientStart: return "ClientStart";
        case EventKind::ClientConnectStart: return "ClientConnectStart";
        case EventKind::ClientConnected: return "ClientConnected";
        case EventKind::ClientSendStart: return "ClientSendStart";
        case EventKind::ClientSendEnd: return "ClientSendEnd";
        case EventKind::ClientFirstByte: return "ClientFirstByte";
        case EventKind::ClientDone: return "ClientDone";
        case EventKind::ClientError: return "ClientError";
        case EventKind::ClientClose: return "ClientClose";
        case EventKind::RequestTagged: return "RequestTagged";
        case EventKind::GateStep: return "GateStep";
        case EventKind::GateClose: return "GateClose";
        case EventKind::GateOpen: return "GateOpen";
        case EventKind::Counter: return "Counter";
        case EventKind::RingDrops: return "RingDrops";
        case EventKind::kCount: break;
    }
    return "?";
}

EventKind event_kind_from_string(std::string_view name) {
    for (std::size_t i = 1; i < kEventKindCount; ++i) {
        auto kind = static_cast<EventKind>(i);
        if (to_string(kind) == name) return kind;
    }
    return EventKind::None;
}

// The decision points a learner steps through: where a worker chooses what to
// do next (wait, accept, read, run the app, write, close), and where the
// client does (connect, send, read the response, give up), so a paused client
// is as frozen as the server it talks to.
bool is_gated(EventKind kind) {
    switch (kind) {
        case EventKind::AcceptAttempt:
        case EventKind::ClientConnectStart:
        case EventKind::ClientError:
        case EventKind::ClientFirstByte:
        case EventKind::ClientSendStart:
        case EventKind::Close:
        case EventKind::GreenSwitch:
        case EventKind::HandlerStart:
        case EventKind::KeepAlivePark:
        case EventKind::PollWait:
        case EventKind::PoolSubmit:
        case EventKind::ReadStart:
        case EventKind::SelectWait:
        case EventKind::WriteStart:
            return true;
        default:
            return false;
    }
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
