// engine/trace/event.h — the trace's event schema: one closed enum of kinds
// and one small fixed-size record. docs/trace.md says what each kind means,
// who emits it and what its fields hold.
//
// Identity: `conn` is a connection id unique across the whole server
// (make_conn_id: the accepting worker's pid in the high 32 bits, a per-process
// counter below); `req` a request id, made the same way (0: none). `green` is
// the greenlet id for green models (0: none). a0/a1 are the kind's arguments.
//
// Plain data; no threads.
#pragma once

#include <cstdint>
#include <string_view>
#include <sys/types.h>

namespace minicorn::trace {

enum class EventKind : std::uint16_t {
    None = 0,

    // --- the arbiter (master) ---
    ArbiterStart,       // a0 = number of workers wanted
    ArbiterStop,        // a0 = exit status
    SignalReceived,     // a0 = signal number (the loop popped it from the queue), a1 = queue length left
    SignalHandled,      // a0 = signal number (its handler returned)
    WorkerSpawn,        // master: a0 = worker pid, a1 = worker age
    WorkerTimeout,      // master: a0 = worker pid, a1 = seconds since its last heartbeat (ms)
    KillSent,           // master: a0 = pid, a1 = signal number
    WorkerReaped,       // master: a0 = pid, a1 = exit code, or -signal when killed by one
    WorkerCount,        // master: a0 = live workers, a1 = wanted (num_workers)
    ListenerOpen,       // master: a0 = listen fd, a1 = port
    AcceptQueueSample,  // master or worker: a0 = queue length, a1 = backlog in force (TCP_INFO)

    // --- every worker ---
    WorkerBoot,         // worker: a0 = age, a1 = worker model (ModelId)
    WorkerBooted,       // worker: the app is loaded, run() starts
    WorkerExit,         // worker: a0 = exit code
    Heartbeat,          // worker: notify() (a0 = engine time in ms)
    SignalCaught,       // worker: a0 = signal number, its Python-level handler runs

    // --- the sync worker's loop (every phase) ---
    SelectWait,         // a0 = timeout in ms
    SelectWake,         // a0 = ready fds (0: timeout), a1 = 1 when a signal interrupted
    AcceptAttempt,      // a0 = listen fd
    Accepted,           // conn; a0 = peer port, a1 = listen fd
    AcceptEagain,       // a0 = errno (EAGAIN: nobody waiting / another worker won)
    ReadStart,          // conn
    ReadDone,           // conn; a0 = bytes read in total, a1 = 1 when the read was cut (EOF, reset, parse error)
    Parsed,             // conn, req; a0 = HTTP version (11 for 1.1), a1 = body bytes
    ParseFailed,        // conn; a0 = HTTP status sent (0: none), a1 = ParseErrorKind
    HandlerStart,       // conn, req
    HandlerEnd,         // conn, req; a0 = status, a1 = 1 if the app raised
    WriteStart,         // conn, req
    WriteDone,          // conn, req; a0 = bytes written, a1 = 1 if the peer was gone
    Close,              // conn; a0 = requests served on it

    // --- threads, pools, pollers, greenlets, GIL (later models) ---
    ThreadStart,        // a0 = role (ThreadRole)
    ThreadExit,
    PoolSubmit,         // conn; a0 = queue length after
    PoolStart,          // conn
    PoolFinish,         // conn; a0 = 1 keep-alive
    PollRegister,       // conn; a0 = fd, a1 = events
    PollUnregister,     // conn; a0 = fd
    PollWait,           // a0 = timeout ms, a1 = registered fds
    PollWake,           // a0 = ready count
    FuturesWait,        // gthread at worker_connections: blocks on running requests, no polling; a0 = timeout ms, a1 = outstanding
    KeepAlivePark,      // conn; a0 = deadline (engine ms)
    KeepAliveResume,    // conn
    GreenSpawn,         // green = new greenlet id; a0 = parent
    GreenSwitch,        // green = target; a0 = from
    GreenPark,          // green; a0 = fd, a1 = events
    GreenWake,          // green; a0 = fd
    GreenExit,          // green
    GilWait,            // a0 = holder tid
    GilAcquire,         // a0 = waited ns
    GilRelease,         // a0 = 1 when forced by a drop request, 2 when let go at the closed gate

    // --- event loops (tornado's IOLoop, the asyncio worker's loop) ---
    LoopPhase,          // a0 = LoopPhaseId entered, a1 = items in it (due timers, ready callbacks, registered fds, ready fds)
    TimerAdd,           // a0 = timer id (per process), a1 = deadline (engine ms)
    TimerFire,          // a0 = timer id (it left the timer heap and runs)
    TimerCancel,        // a0 = timer id
    CallbackQueued,     // a0 = ready callbacks queued after it, a1 = LoopCallback kind; conn if it serves one
    CallbackRun,        // a0 = ready callbacks left after taking it, a1 = LoopCallback kind; conn if it serves one

    // --- the built-in client (minicorn load); conn/req are the client's own ids ---
    ClientStart,        // the client process: a0 = virtual users (closed loop) or 0, a1 = rate per s (open loop) or 0
    ClientConnectStart, // conn; a0 = virtual user index, a1 = ClientRole
    ClientConnected,    // conn; a0 = local port (the server's Accepted a0), a1 = fd
    ClientSendStart,    // conn, req (sent as X-Request-Id); a0 = bytes to send, a1 = index of the path in the mix
    ClientSendEnd,      // conn, req; a0 = bytes sent
    ClientFirstByte,    // conn, req
    ClientDone,         // conn, req; a0 = HTTP status, a1 = latency in microseconds
    ClientError,        // conn, req (0 if none); a0 = ClientErrorKind, a1 = errno (0 if none)
    ClientClose,        // conn; a0 = requests completed on it
    RequestTagged,      // server: conn, req (server ids); a0 = the client's request id from X-Request-Id

    // --- gate and bookkeeping (written by the collector, not by the engine) ---
    GateStep,           // a0 = tokens granted
    GateClose,          // the gate closed at t_ns: engine time stops (a0 = wall ns paused before, in total)
    GateOpen,           // the gate opened at t_ns: engine time runs again (a0 = wall ns paused, in total)
    Counter,            // pid = the process; a0 = CounterId, a1 = the counter's new value
    RingDrops,          // pid/tid = the producer; a0 = events it dropped since the last report

    kCount  // not a kind: the number of kinds
};

inline constexpr std::size_t kEventKindCount = static_cast<std::size_t>(EventKind::kCount);

// "WorkerSpawn"; "?" for a value outside the enum.
std::string_view to_string(EventKind kind);
// The inverse of to_string; EventKind::None if unknown.
EventKind event_kind_from_string(std::string_view name);

// Kinds that are decision points: in gated mode each waits for a token from
// the gate before it is emitted (see gate.h).
bool is_gated(EventKind kind);

enum class ModelId : std::int64_t { Unknown = 0, Sync, Gthread, Eventlet, Gevent, Tornado, Asyncio };
std::string_view to_string(ModelId model);

// The per-process counters kept in shared memory beside the rings. They are
// never dropped; the collector turns their changes into Counter events.
enum class CounterId : std::int64_t { Accepted = 0, Requests, BytesIn, BytesOut, Errors, Drops, kCount };
std::string_view to_string(CounterId id);

enum class ThreadRole : std::int64_t { Main = 0, Pool, Hub, Sampler };

// LoopPhase a0: the numbered phases of one event-loop iteration.
enum class LoopPhaseId : std::int64_t { None = 0, Timers, Callbacks, Poll, Dispatch };
std::string_view to_string(LoopPhaseId phase);

// CallbackQueued / CallbackRun a1: what a ready callback does.
enum class LoopCallback : std::int64_t { Other = 0, Accept, Request, Watchdog, Close, Timer };
std::string_view to_string(LoopCallback cb);

// ClientConnectStart a1: how a virtual user behaves.
enum class ClientRole : std::int64_t { Good = 0, Slowloris, Silent, SlowReader, Aborter };
std::string_view to_string(ClientRole role);

// ClientError a0.
enum class ClientErrorKind : std::int64_t { Connect = 1, Read, Write, Timeout, Status, Reset };
std::string_view to_string(ClientErrorKind kind);

// One event: 64 bytes, trivially copyable, written whole into a ring slot.
struct Event {
    std::uint64_t t_ns;     // CLOCK_MONOTONIC, nanoseconds
    std::int32_t pid;
    std::int32_t tid;       // OS thread id (gettid)
    std::uint32_t green;    // greenlet id, 0 for none
    EventKind kind;
    std::uint16_t flags;    // reserved, 0
    std::uint64_t conn;     // connection id, 0 for none
    std::uint64_t req;      // request id, 0 for none
    std::int64_t a0;
    std::int64_t a1;
    std::uint64_t reserved;
};
static_assert(sizeof(Event) == 64, "an Event is one cache line");

// Connection and request ids: the emitting process in the high half, a
// counter in the low half, so ids from different workers never collide.
inline std::uint64_t make_id(pid_t pid, std::uint32_t seq) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(pid)) << 32) | seq;
}
inline pid_t id_pid(std::uint64_t id) { return static_cast<pid_t>(id >> 32); }

}  // namespace minicorn::trace
