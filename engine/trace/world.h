// engine/trace/world.h — the World: everything the trace says about the server
// at one instant, folded from events by TraceModel (model.h).
//
// The studio's panels, the lesson checks and the fidelity tests read only
// this; none of it comes from anywhere but events. Every field says which
// event kinds set it. Times are the events' t_ns (CLOCK_MONOTONIC, ns).
//
// Ids: `conn` and `req` are the event ids (make_id: pid << 32 | seq); pid_t
// and tid are the emitters' OS ids; a `tid` of 0 in an event means the
// process's main thread (tid == pid).
//
// Thread affinity: plain values — copy them, compare them, hand them to one
// thread at a time. No pointers into the Recording.
//
// Index
//   [SECTION] States        — ProcessState, ThreadActivity, GreenState, ConnStage
//   [SECTION] Per process   — Thread, Greenlet, PolledFd, KeepAliveEntry, Gil, Process
//   [SECTION] Shared        — Connection, Listener, Arbiter, Totals
//   [SECTION] World         — the whole, lookups, describe()
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/trace/event.h"

namespace minicorn::trace {

// Bounds of the "recent" lists; the oldest entry drops out first.
inline constexpr std::size_t kRecentGone = 16;           // reaped processes
inline constexpr std::size_t kRecentClosed = 32;         // closed connections
inline constexpr std::size_t kRecentSignals = 16;        // the arbiter's signals
inline constexpr std::size_t kRecentKills = 8;           // KillSent / SignalCaught per process
inline constexpr std::size_t kRecentGreenletsExited = 8; // per process
inline constexpr std::size_t kRecentClientsClosed = 32;   // the client's closed connections

inline constexpr std::size_t kCounterCount = static_cast<std::size_t>(CounterId::kCount);

// ============================================================================
// [SECTION] States
// ============================================================================

// A process's life and, while it runs, what its main thread is doing.
enum class ProcessState : std::uint8_t {
    Spawned,    // WorkerSpawn seen (the master forked), WorkerBoot not yet
    Booting,    // WorkerBoot: loading the app, no heartbeat yet
    Idle,       // WorkerBooted / between phases (after a wake, an EAGAIN, a Close)
    Waiting,    // in select()/poll() (SelectWait, PollWait)
    Accepting,  // AcceptAttempt .. the next phase
    Reading,    // ReadStart .. HandlerStart (the request is read and parsed)
    Handling,   // HandlerStart .. WriteStart (the app runs)
    Writing,    // WriteStart .. Close
    TimedOut,   // WorkerTimeout: the master gave up on it (sticky until it exits)
    Exited,     // WorkerExit / ArbiterStop: the process said goodbye, not reaped yet
    Gone,       // WorkerReaped: only in World::gone
};
std::string_view to_string(ProcessState state);

enum class ProcessRole : std::uint8_t { Arbiter, Worker, Client };  // Client: minicorn load (ClientStart)
std::string_view to_string(ProcessRole role);

// What one OS thread is doing; the main thread's activity is its process's state.
enum class ThreadActivity : std::uint8_t {
    Idle,       // between phases, or a pool thread with no work (PoolFinish)
    Waiting,    // SelectWait / PollWait
    Accepting,  // AcceptAttempt
    Reading,    // ReadStart, or PoolStart (a pool job begins by reading the request)
    Handling,   // HandlerStart
    Writing,    // WriteStart
};
std::string_view to_string(ThreadActivity activity);

enum class GreenState : std::uint8_t {
    Ready,    // GreenSpawn / GreenWake / switched away from without parking: runnable
    Running,  // GreenSwitch to it
    Parked,   // GreenPark: waits on an fd
    Exited,   // GreenExit: only in Process::greenlets_exited
};
std::string_view to_string(GreenState state);

// Where a connection is. A keep-alive connection goes round Reading..Writing
// → KeepAlive → Reading again; entered_ns keeps the latest entry of each.
enum class ConnStage : std::uint8_t {
    Accepted,     // Accepted
    Reading,      // ReadStart, PoolStart
    Parsed,       // Parsed: a complete request (req set)
    ParseFailed,  // ParseFailed: an error page (or nothing) goes back, then Close
    PoolQueued,   // PoolSubmit: waits in the executor queue for a pool thread (PoolStart: Reading)
    Handling,     // HandlerStart: the app runs
    Writing,      // WriteStart
    KeepAlive,    // KeepAlivePark: parked on the keep-alive list between requests
    Closed,       // Close, or its owner was reaped: only in World::closed
    kCount
};
inline constexpr std::size_t kConnStageCount = static_cast<std::size_t>(ConnStage::kCount);
std::string_view to_string(ConnStage stage);

// The gate's closed spans (GateClose / GateOpen, written by the collector), so
// that a duration shown leaves paused time out: engine time, the clock the
// engine measures its own timeouts in.
struct GateClock {
    struct Span {
        std::uint64_t closed_ns = 0;
        std::uint64_t opened_ns = 0;  // 0: still closed
        bool operator==(const Span&) const = default;
    };
    std::deque<Span> spans;  // oldest first, at most kMaxSpans (older ones are folded below)
    static constexpr std::size_t kMaxSpans = 1024;  // a step is a span too
    // The spans folded out of `spans`: where they lay and how long they were
    // closed in all, so a duration from before them (a process's uptime) still
    // leaves them out.
    std::uint64_t folded_from_ns = 0, folded_to_ns = 0, folded_paused_ns = 0;

    // Appends a closing; folds the oldest span once there are too many.
    void add_close(std::uint64_t t_ns);

    bool closed() const { return !spans.empty() && spans.back().opened_ns == 0; }
    // Wall ns in [from, to) the gate was closed.
    std::uint64_t paused_between(std::uint64_t from, std::uint64_t to) const;
    // to - from with the paused time left out (0 if to <= from).
    std::uint64_t engine_span(std::uint64_t from, std::uint64_t to) const;
    bool operator==(const GateClock&) const = default;
};

// ============================================================================
// [SECTION] Per process
// ============================================================================

struct Thread {
    pid_t tid = 0;
    // ThreadStart.role; for a thread first seen without one: Main if tid == pid, else Pool
    ThreadRole role = ThreadRole::Main;
    ThreadActivity activity = ThreadActivity::Idle;
    std::uint64_t since_ns = 0;          // when `activity` began
    std::uint64_t started_ns = 0;        // ThreadStart, or the first event seen from it
    std::uint64_t conn = 0;              // the connection it serves (Accepted, PoolStart, a phase event), 0: none
    std::uint64_t req = 0;               // the request it serves, 0: none
    EventKind last_kind = EventKind::None;  // its last loop step (SelectWait … Close): HandlerEnd = the app returned
    bool operator==(const Thread&) const = default;
};

struct Greenlet {
    std::uint32_t id = 0;
    std::uint32_t parent = 0;    // GreenSpawn.parent
    GreenState state = GreenState::Ready;
    std::int64_t fd = -1;        // GreenPark.fd while Parked, else -1
    std::int64_t fd_events = 0;  // GreenPark.events
    std::uint64_t conn = 0;      // the last connection an event of this greenlet carried
    std::uint64_t spawned_ns = 0;
    std::uint64_t since_ns = 0;  // when `state` began
    bool operator==(const Greenlet&) const = default;
};

// An fd in a process's poll set, as PollRegister said (not hub::PollEntry,
// the engine's own record of a registration).
struct PolledFd {                // PollRegister: fd (the key in Process::poll), events
    std::uint64_t conn = 0;      // 0: not a connection (a listener, a pipe)
    std::int64_t events = 0;
    std::uint64_t since_ns = 0;
    std::uint32_t green = 0;     // the greenlet that waits on it (the hub), 0: none
    bool operator==(const PolledFd&) const = default;
};

// An fd the last poll call returned ready: PollReady (engine/loop), or a
// GreenWake with why 0 and an fd (the hub wakes the fd's waiter at once).
struct ReadyFd {
    std::int64_t fd = -1;
    std::int64_t events = 0;     // what it was ready for (the hub: what its greenlet waited for)
    std::uint64_t conn = 0;      // 0: not a connection
    std::uint32_t green = 0;     // the greenlet it woke (the hub), 0: none
    bool operator==(const ReadyFd&) const = default;
};

struct KeepAliveEntry {          // KeepAlivePark
    std::uint64_t conn = 0;
    std::int64_t deadline_ms = 0;  // KeepAlivePark.deadline_ms, engine ms
    std::uint64_t parked_ns = 0;
    bool operator==(const KeepAliveEntry&) const = default;
};

struct Gil {
    pid_t holder = 0;                 // tid; GilAcquire sets, GilRelease by the holder clears; 0: free
    std::uint64_t held_since_ns = 0;
    std::vector<pid_t> waiters;       // tids in GilWait order, until their GilAcquire
    std::uint64_t acquisitions = 0;
    std::uint64_t forced_drops = 0;   // GilRelease with forced (a waiter asked for it)
    std::uint64_t waited_ns = 0;      // sum of GilAcquire.waited_ns
    bool operator==(const Gil&) const = default;
};

struct LoopTimer {                    // TimerAdd
    std::int64_t id = 0;
    std::int64_t deadline_ms = 0;     // TimerAdd.deadline_ms, engine ms
    std::uint64_t added_ns = 0;
    bool operator==(const LoopTimer&) const = default;
};

// An event loop's iteration (tornado's IOLoop, the asyncio worker): which
// numbered phase it is in, its ready callbacks and its timer heap.
struct LoopState {
    bool seen = false;                       // any loop event from this process
    LoopPhaseId phase = LoopPhaseId::None;   // LoopPhase.phase
    std::int64_t phase_items = 0;            // LoopPhase.items
    std::uint64_t phase_since_ns = 0;
    std::uint64_t iterations = 0;            // LoopPhase into Timers (each pass starts there)
    std::int64_t ready_callbacks = 0;        // CallbackQueued / CallbackRun.ready
    LoopCallback running = LoopCallback::Other;  // CallbackRun.callback: the callback taken last
    std::uint64_t running_conn = 0;          // CallbackRun conn
    std::uint64_t callbacks_run = 0;
    std::map<std::int64_t, LoopTimer> timers;  // pending, by id (TimerFire / TimerCancel remove)
    std::uint64_t timers_fired = 0;
    bool operator==(const LoopState&) const = default;
};

struct SignalMark {                   // a KillSent to a process, or a SignalCaught in it
    std::uint64_t t_ns = 0;
    std::int64_t signo = 0;
    bool operator==(const SignalMark&) const = default;
};

struct Process {
    pid_t pid = 0;
    ProcessRole role = ProcessRole::Worker;
    ProcessState state = ProcessState::Spawned;
    std::int64_t worker_age = 0;        // WorkerSpawn.age / WorkerBoot.age (gunicorn's worker.age)
    ModelId model = ModelId::Unknown;   // WorkerBoot.model
    std::uint64_t spawn_ns = 0;         // WorkerSpawn (or ArbiterStart, or the first event seen)
    std::uint64_t boot_ns = 0;          // WorkerBoot
    std::uint64_t booted_ns = 0;        // WorkerBooted
    std::uint64_t last_heartbeat_ns = 0;   // Heartbeat; 0: never
    std::int64_t heartbeat_engine_ms = 0;  // Heartbeat.engine_ms
    std::uint64_t timed_out_ns = 0;     // WorkerTimeout; 0: never
    std::int64_t timeout_silence_ms = 0;   // WorkerTimeout.silent_ms
    std::uint64_t exit_ns = 0;          // WorkerExit / ArbiterStop
    std::optional<std::int64_t> exit_code;    // WorkerExit.code / ArbiterStop.status
    std::uint64_t reaped_ns = 0;        // WorkerReaped
    std::optional<std::int64_t> reap_status;  // WorkerReaped.status: exit code, or -signal
    std::uint64_t current_conn = 0;     // the connection its main thread serves, 0: none
    std::deque<SignalMark> kills;           // KillSent to it, newest last
    std::deque<SignalMark> signals_caught;  // SignalCaught in it, newest last
    std::array<std::int64_t, kCounterCount> counters{};  // Counter events, by CounterId
    std::uint64_t drops = 0;            // RingDrops from its rings
    std::uint64_t events = 0;           // events it emitted (pid == this pid)

    std::map<pid_t, Thread> threads;        // by tid; ThreadExit removes
    std::map<std::uint32_t, Greenlet> greenlets;  // live ones by id
    std::deque<Greenlet> greenlets_exited;  // newest last
    std::uint32_t running_green = 0;        // GreenSwitch target, 0: none

    std::map<std::int64_t, PolledFd> poll;  // registered fds (PollRegister/PollUnregister)
    bool poll_waiting = false;               // PollWait .. PollWake
    std::int64_t poll_timeout_ms = 0;        // PollWait.timeout_ms
    std::int64_t poll_ready = 0;             // PollWake.ready (the last wake)
    // Which fds the last wake returned: all of them, or none listed when more
    // than loop::Poller::kListedReady were ready (poll_ready says how many).
    std::vector<ReadyFd> poll_ready_fds;

    std::vector<KeepAliveEntry> keepalive;   // park order
    std::deque<std::uint64_t> pool_queue;    // conns submitted, not started, oldest first
    Gil gil;
    LoopState loop;

    std::int64_t counter(CounterId id) const { return counters[static_cast<std::size_t>(id)]; }
    // How long it has lived at `now_ns` (until its reap or exit when it is gone).
    // With `gate`, in engine time: the spans the gate was closed left out.
    std::uint64_t uptime_ns(std::uint64_t now_ns, const GateClock* gate = nullptr) const;
    // How long since its last heartbeat (since its boot if none yet); 0 for the arbiter.
    std::uint64_t silence_ns(std::uint64_t now_ns, const GateClock* gate = nullptr) const;
    const Thread* thread(pid_t tid) const;
    bool operator==(const Process&) const = default;
};

// ============================================================================
// [SECTION] Shared
// ============================================================================

struct Connection {
    std::uint64_t id = 0;
    pid_t owner = 0;                 // the accepting worker (the event's pid)
    pid_t tid = 0;                   // the thread that last worked on it
    std::int64_t peer_port = 0;      // Accepted.peer_port (the client's local port)
    std::int64_t listen_fd = -1;     // Accepted.listen_fd
    ConnStage stage = ConnStage::Accepted;
    std::uint64_t req = 0;           // the current (or last) request, 0: none yet
    std::int64_t requests = 0;       // requests parsed on it (Close.requests if larger)
    std::array<std::uint64_t, kConnStageCount> entered_ns{};  // latest entry into each stage, 0: never
    std::int64_t bytes_read = 0;     // ReadDone.bytes (the last one)
    bool read_cut = false;           // ReadDone.cut: the read ended at EOF or failed
    std::int64_t http_version = 0;   // Parsed.http as the engine emits it: 11 for HTTP/1.1
    std::int64_t body_bytes = 0;     // Parsed.body_bytes
    std::int64_t status = 0;         // HandlerEnd.status, or ParseFailed.status
    bool app_raised = false;         // HandlerEnd.raised
    std::int64_t bytes_written = 0;  // WriteDone.bytes
    bool peer_gone = false;          // WriteDone.peer_gone
    bool aborted = false;            // closed because its owner was reaped, no Close seen
    std::uint64_t client_req = 0;    // RequestTagged.client_req: the client's id for the current request (X-Request-Id)
    std::uint64_t entered(ConnStage s) const { return entered_ns[static_cast<std::size_t>(s)]; }
    bool operator==(const Connection&) const = default;
};

struct ListenSocket {                // ListenerOpen
    std::int64_t fd = -1;
    std::int64_t port = 0;
    bool operator==(const ListenSocket&) const = default;
};

struct Listener {
    std::vector<ListenSocket> sockets;
    std::int64_t queue_len = 0;      // the latest AcceptQueueSample.length
    std::int64_t backlog = 0;        // the latest AcceptQueueSample.backlog
    std::int64_t peak_queue_len = 0; // the largest length seen
    std::uint64_t sampled_ns = 0;    // 0: never sampled
    pid_t sampled_by = 0;
    std::uint64_t accepts = 0;       // Accepted
    std::uint64_t eagains = 0;       // AcceptEagain (lost a race, or nobody waiting)
    pid_t last_accept_pid = 0;
    std::uint64_t last_accept_ns = 0;
    pid_t last_eagain_pid = 0;
    bool operator==(const Listener&) const = default;
};

struct SignalRecord {                // the arbiter's SignalReceived .. SignalHandled
    std::int64_t signo = 0;
    std::uint64_t received_ns = 0;
    std::uint64_t handled_ns = 0;    // 0: its handler has not returned
    std::int64_t queue_left = 0;     // SignalReceived.queue_left
    bool operator==(const SignalRecord&) const = default;
};

struct Arbiter {
    pid_t pid = 0;                   // ArbiterStart (or the first master-only event), 0: not seen
    std::uint64_t started_ns = 0;
    std::int64_t workers_wanted = 0; // ArbiterStart.workers, WorkerCount.wanted
    std::int64_t workers_live = 0;   // WorkerCount.live
    std::deque<SignalRecord> signals;  // newest last
    bool stopped = false;            // ArbiterStop
    std::uint64_t stopped_ns = 0;
    std::int64_t exit_status = 0;    // ArbiterStop.status
    std::uint64_t spawns = 0;        // WorkerSpawn
    std::uint64_t reaps = 0;         // WorkerReaped
    std::uint64_t timeouts = 0;      // WorkerTimeout
    bool operator==(const Arbiter&) const = default;
};

// The built-in client's side of a connection (minicorn load). Its id is the
// client's own; the server's Connection with peer_port == local_port is the
// same TCP connection seen from the other end.
enum class ClientStage : std::uint8_t {
    Connecting,  // ClientConnectStart: connect() in progress (pending in the accept queue once the handshake is done)
    Connected,   // ClientConnected: nothing sent yet (a silent client stays here)
    Sending,     // ClientSendStart: writing the request (a slowloris dribbles here)
    Waiting,     // ClientSendEnd: the request is out, no byte of the response yet
    Receiving,   // ClientFirstByte: reading the response
    Idle,        // ClientDone / ClientError on a connection that stays open (keep-alive)
    Closed,      // ClientClose: only in World::clients_closed
};
std::string_view to_string(ClientStage stage);

// A connection of the built-in client (minicorn load), as its Client* events
// tell it (not models' server-side connection of a client).
struct LoadConn {
    std::uint64_t id = 0;
    pid_t pid = 0;                        // the client process
    std::int64_t vu = 0;                  // ClientConnectStart.vu: the virtual user
    ClientRole role = ClientRole::Good;   // ClientConnectStart.role
    std::int64_t local_port = 0;          // ClientConnected.local_port (0: not connected yet)
    std::int64_t fd = -1;                 // ClientConnected.fd
    ClientStage stage = ClientStage::Connecting;
    std::uint64_t since_ns = 0;           // when `stage` began
    std::uint64_t connect_ns = 0;         // ClientConnectStart
    std::uint64_t req = 0;                // the current (or last) request id, 0: none yet
    std::int64_t mix_index = -1;          // ClientSendStart.mix_index: which path of the mix
    std::uint64_t sent_ns = 0;            // ClientSendStart of the current request
    std::int64_t requests = 0;            // ClientDone on it
    std::int64_t last_status = 0;         // ClientDone.status
    std::int64_t last_latency_us = 0;     // ClientDone.latency_us
    std::int64_t errors = 0;              // ClientError on it
    std::int64_t last_error = 0;          // ClientError.kind (ClientErrorKind), 0: none
    bool operator==(const LoadConn&) const = default;
};

inline constexpr std::size_t kClientErrorKinds = 7;  // index = ClientErrorKind (0 unused)

struct ClientTotals {
    pid_t pid = 0;                        // ClientStart (the latest client process)
    std::uint64_t started_ns = 0;
    std::int64_t virtual_users = 0;       // ClientStart.virtual_users
    std::int64_t rate = 0;                // ClientStart.rate
    std::uint64_t connects = 0;           // ClientConnected
    std::uint64_t sent = 0;               // ClientSendStart
    std::uint64_t done = 0;               // ClientDone
    std::uint64_t latency_us_sum = 0;     // sum of ClientDone.latency_us
    std::array<std::uint64_t, 6> by_status_class{};              // ClientDone: [1]=1xx … [5]=5xx, [0] other
    std::array<std::uint64_t, kClientErrorKinds> errors{};       // ClientError by kind
    std::uint64_t error_count() const;
    bool operator==(const ClientTotals&) const = default;
};

struct Totals {
    std::uint64_t events = 0;        // events folded
    std::uint64_t drops = 0;         // sum of RingDrops.dropped
    std::uint64_t first_event_ns = 0;
    std::uint64_t last_event_ns = 0;
    std::uint64_t gate_tokens = 0;   // sum of GateStep.tokens
    std::array<std::uint64_t, kEventKindCount> by_kind{};
    std::uint64_t count(EventKind k) const { return by_kind[static_cast<std::size_t>(k)]; }
    bool operator==(const Totals&) const = default;
};

// ============================================================================
// [SECTION] World
// ============================================================================

struct World {
    std::uint64_t now_ns = 0;        // the instant shown: the last event's time, or world_at's t
    Arbiter arbiter;
    std::map<pid_t, Process> processes;           // not yet reaped, the arbiter included
    std::deque<Process> gone;                     // reaped, newest last
    std::map<std::uint64_t, Connection> connections;  // open
    std::deque<Connection> closed;                // newest last
    Listener listener;
    std::map<std::uint64_t, LoadConn> clients;  // the client's open connections
    std::deque<LoadConn> clients_closed;        // newest last
    ClientTotals client;
    Totals totals;
    GateClock gate;

    // A live process, else the most recent gone one with that pid; nullptr if neither.
    const Process* process(pid_t pid) const;
    // An open connection, else a recently closed one; nullptr if neither.
    const Connection* connection(std::uint64_t id) const;
    // Live workers (not reaped), by pid.
    std::vector<const Process*> workers() const;
    // The two ends of one TCP connection, joined by port (nullptr if not open).
    const Connection* server_side(const LoadConn& c) const;
    const LoadConn* client_side(const Connection& c) const;
    bool operator==(const World&) const = default;
};

// "101:7" — an id's pid and sequence number.
std::string format_id(std::uint64_t id);
// "SIGABRT", or "signal 42".
std::string signal_name(std::int64_t signo);

// A readable multi-line dump: the arbiter, the listener, every process with its
// threads, greenlets, poll list and queues, the open connections, and the
// recent closed connections and gone processes. Stable across runs (sorted).
std::string describe(const World& world);

}  // namespace minicorn::trace
