// engine/trace/kinds.h — what the schema table (schema.h) says about each
// EventKind, as data: info(kind) → its name, family, timeline role, gate and
// the names and meanings of its ids and arguments. Readers (the fold, the
// export, the studio, the docs test) ask here instead of keeping their own
// list of kinds.
//
// Plain constexpr data; no threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "engine/trace/event.h"

namespace minicorn::trace {

// Which part of the system emits a kind; the fold and the export each have one
// function per family.
enum class Family : std::uint8_t {
    None,         // EventKind::None
    Arbiter,      // the master's verbs (and the accept queue it samples)
    Worker,       // every worker's lifecycle: boot, heartbeat, signals, exit
    WorkerLoop,   // the sync worker's loop: select, accept attempts
    Connection,   // a connection's phases in every model: accept, read, handle, write, keep-alive, close
    Threads,      // OS threads and gthread's pool
    Poller,       // the poll set and waits in the poller
    Green,        // greenlets
    Gil,          // the simulated GIL
    Loop,         // event loops: phases, timers, callbacks
    Client,       // minicorn load
    Bookkeeping,  // written by the collector: gate steps, counters, drops
    kCount
};
std::string_view to_string(Family family);

// What the kind does on its timeline lane (the studio's Timeline).
enum class TimelineRole : std::uint8_t {
    Instant,         // nothing drawn
    Begins,          // opens `span` on the emitter's lane
    Ends,            // closes `span`
    EndsConnection,  // closes the connection's read/handle/write spans
    Tick,            // a routine mark (heartbeat)
    Alarm,           // a mark to notice (spawn, timeout, kill, reap, signal)
    Sample,          // a plotted value (the accept queue)
    Phase,           // an event loop's phase begins (a0)
    Switch,          // a greenlet starts running: who runs on the thread
    ClientStep,      // a step of a client connection's own lane
};

// What a thread (or greenlet) is doing between a Begins and its Ends.
enum class Span : std::uint8_t { None, Accept, Read, Handle, Write, Wait, Parked, Blocked };

enum class Gate : std::uint8_t { Free, Gated };

// How an argument's value reads (the export shows it so; the docs name it).
enum class ArgType : std::uint8_t {
    Int,           // a number (its name says the unit: _ms, _ns, bytes …)
    Bool,          // 0 / 1
    Signal,        // a signal number: "SIGTERM"
    ExitStatus,    // an exit code, or -signal: "exit 0", "killed by SIGKILL"
    Model,         // ModelId
    ThreadRole,    // ThreadRole
    LoopPhase,     // LoopPhaseId: "2 callbacks"
    LoopCallback,  // LoopCallback
    ParseError,    // http::ParseErrorKind
    ClientRole,    // ClientRole
    ClientError,   // ClientErrorKind
    CounterId,     // CounterId
    HttpVersion,   // 11: "1.1"
    Id,            // a conn/req id: "pid:seq"
};

struct ArgInfo {
    std::string_view name;  // empty: the kind does not use this argument
    ArgType type = ArgType::Int;
    std::string_view meaning;
    constexpr bool used() const { return !name.empty(); }
};

struct KindInfo {
    EventKind kind = EventKind::None;
    std::string_view name = "None";
    Family family = Family::None;
    TimelineRole timeline = TimelineRole::Instant;
    Span span = Span::None;
    Gate gate = Gate::Free;
    std::string_view label;    // what the export calls it
    std::string_view meaning;
    std::string_view conn;     // what each id means; empty: not used
    std::string_view req;
    std::string_view green;
    ArgInfo a0, a1;
};

namespace detail {
// clang-format off
#define MINICORN_KI_CONN(doc) d.conn = doc;
#define MINICORN_KI_REQ(doc) d.req = doc;
#define MINICORN_KI_GREEN(doc) d.green = doc;
#define MINICORN_KI_A0(n, type, doc) d.a0 = ArgInfo{#n, ArgType::type, doc};
#define MINICORN_KI_A1(n, type, doc) d.a1 = ArgInfo{#n, ArgType::type, doc};
#define MINICORN_KI_KIND(N, fam, role, sp, gt, label_, meaning_, fields)                                     \
    [] {                                                                                                  \
        KindInfo d{EventKind::N, #N, Family::fam, TimelineRole::role, Span::sp, Gate::gt, label_, meaning_, \
                   {}, {}, {}, {}, {}};                                                                    \
        fields return d;                                                                                  \
    }(),
inline constexpr std::array<KindInfo, kEventKindCount> kKinds = {
    KindInfo{},
    MINICORN_TRACE_KINDS(MINICORN_KI_KIND, MINICORN_KI_CONN, MINICORN_KI_REQ, MINICORN_KI_GREEN, MINICORN_KI_A0,
                         MINICORN_KI_A1)
};
#undef MINICORN_KI_KIND
#undef MINICORN_KI_CONN
#undef MINICORN_KI_REQ
#undef MINICORN_KI_GREEN
#undef MINICORN_KI_A0
#undef MINICORN_KI_A1
// clang-format on
}  // namespace detail

// Every kind, None first, in EventKind order (kinds()[k].kind == k).
constexpr std::span<const KindInfo> kinds() { return detail::kKinds; }

// The row of `kind`; the None row for a value outside the enum.
constexpr const KindInfo& info(EventKind kind) {
    auto i = static_cast<std::size_t>(kind);
    return detail::kKinds[i < kEventKindCount ? i : 0];
}

}  // namespace minicorn::trace
