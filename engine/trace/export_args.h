// engine/trace/export_args.h — how the Perfetto export (export.h) names and
// shows an event's fields: the argument names and value types come from the
// schema table (schema.h), so a kind's args read as its typed emitter does.
// Internal to export_*.cpp.
//
// Pure functions; no threads.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/trace/chrome_writer.h"
#include "engine/trace/event.h"
#include "engine/trace/kinds.h"

namespace minicorn::trace::exporter {

using chrome::Arg;
using chrome::Args;
using chrome::ArgValue;
using chrome::JsonOut;
using chrome::OutEvent;

// A tid of 0 means the process's main thread.
inline pid_t thread_of(const Event& e) { return e.tid != 0 ? e.tid : e.pid; }

// gunicorn's name of the arbiter's handler for `signo` ("handle_term").
std::string arbiter_handler(std::int64_t signo);
// The worker's Python-level handler for `signo`, "" if none.
std::string_view worker_handler(std::int64_t signo);
// "EAGAIN", "EMFILE", … or "errno N".
std::string errno_text(std::int64_t err);
// An event loop's phase slice: "1 timers" … "4 dispatch" (engine/loop/io_loop.h).
std::string loop_phase_text(std::int64_t phase);
std::string_view thread_role_text(ThreadRole role);

// A value as the schema's ArgType reads: "SIGTERM", "exit 0", "1.1", true …
ArgValue shown(ArgType type, std::int64_t value);

// The event's fields by the schema's names: the ids it uses (when set), then
// a0 and a1. For a begin or an instant.
Args args_of(const Event& e);
// Only a0 and a1: what an end adds to the slice its begin opened.
Args result_args(const Event& e);

// The Perfetto category of a family's kinds: "arbiter", "loop", "conn" …
std::string_view category_of(Family family);
inline constexpr std::string_view kCatLoop = "loop";           // select, accept, event-loop phases
inline constexpr std::string_view kCatConn = "conn";           // connection, read, handle, write
inline constexpr std::string_view kCatProcess = "process";     // lifecycle, heartbeat, signals
inline constexpr std::string_view kCatArbiter = "arbiter";     // the master's verbs
inline constexpr std::string_view kCatThreads = "threads";     // pools, thread lifecycle, greenlets
inline constexpr std::string_view kCatGil = "gil";             // the simulated GIL
inline constexpr std::string_view kCatClient = "client";       // minicorn load
inline constexpr std::string_view kCatTrace = "trace";         // the collector's bookkeeping
inline constexpr std::string_view kCatUnmatched = "unmatched";  // an end whose begin the recording lacks

}  // namespace minicorn::trace::exporter
