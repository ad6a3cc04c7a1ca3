// engine/trace/event.h — the trace's events: one closed enum of kinds and one
// small fixed-size record. What each kind means and what its fields hold is
// the schema table (schema.h); kinds.h gives it as data, ev.h as typed
// emitters; docs/trace.md is checked against it.
//
// Identity: `conn` is a connection id unique across the whole server
// (make_conn_id: the accepting worker's pid in the high 32 bits, a per-process
// counter below); `req` a request id, made the same way (0: none). `green`:
// what the kind's GREEN column says, or for a kind without one the greenlet
// that emitted it (emit.h set_running_green; 0: not on a greenlet). a0/a1 are
// the kind's arguments.
//
// Plain data; no threads.
#pragma once

#include <cstdint>
#include <string_view>
#include <sys/types.h>

#include "engine/trace/schema.h"

namespace minicorn::trace {

// The kinds, in the order of the schema table (engine/trace/schema.h): what
// each means and what its ids and arguments hold is written there, once.
// clang-format off
#define MINICORN_EK_KIND(N, ...) N,
#define MINICORN_EK_FIELD(...)
enum class EventKind : std::uint16_t {
    None = 0,
    MINICORN_TRACE_KINDS(MINICORN_EK_KIND, MINICORN_EK_FIELD, MINICORN_EK_FIELD, MINICORN_EK_FIELD, MINICORN_EK_FIELD,
                         MINICORN_EK_FIELD)
    kCount  // not a kind: the number of kinds
};
#undef MINICORN_EK_KIND
#undef MINICORN_EK_FIELD
// clang-format on

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

// ThreadStart a0. App: a thread the application started itself (its own
// ThreadPoolExecutor, /threads), not one of the worker's.
enum class ThreadRole : std::int64_t { Main = 0, Pool, Hub, Sampler, App };

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
