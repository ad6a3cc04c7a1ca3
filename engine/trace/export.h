// engine/trace/export.h — a Recording as Chrome trace-event JSON, the format
// ui.perfetto.dev (and chrome://tracing) opens.
//
// What the file shows:
//   - a process track per pid, named "arbiter" or "worker N (model)" and sorted
//     arbiter first, then workers by age; a thread track per OS thread
//     ("main", or its ThreadRole);
//   - per thread, strictly nested B/E slices for the phases of the loop:
//     "select", and per connection "connection" ⊃ "read" / "handle" / "write"
//     (the master: "handle_<signal>" from SignalReceived to SignalHandled);
//     thread instants for everything else (accept, EAGAIN, heartbeat, signals,
//     spawn, boot, timeout, kill, reap, exit …);
//   - async spans (b/e): cat "connection" keyed by the conn id (Accepted …
//     Close) and cat "request" keyed by the req id (Parsed … WriteDone/Close);
//   - a flow (s → f, "bp":"e") from the worker's accept to the handler of the
//     same connection, only for connections whose handler did start;
//   - counters: "accept queue" length/backlog and "workers" busy/live/wanted on
//     the arbiter's process, and each process's own "total" counters.
// Anything left open is closed where its owner died (WorkerExit, WorkerReaped)
// or, failing that, at the recording's last event; the E carries a "closed"
// arg that says why. An end whose begin the recording lacks (it started
// mid-phase, or a ring dropped the begin) shows as an instant of cat
// "unmatched". Timestamps are microseconds since the first event, with
// nanosecond decimals; otherData.first_event_ns is the CLOCK_MONOTONIC of 0.
//
// The events are written in time order, B/E only (no X), so Perfetto keeps
// the file's order for equal timestamps; check_trace_json (json_check.h)
// verifies the result against Perfetto's import rules.
//
// Pure functions of the Recording: no clock, no environment, same bytes for
// the same recording. Thread affinity: none (read-only on `rec`).
#pragma once

#include <string>

#include "engine/trace/recording.h"

namespace minicorn::trace {

// The whole trace as one JSON document: {"traceEvents":[...],"otherData":{...}}.
std::string export_chrome_json(const Recording& rec);

// Writes export_chrome_json(rec) to `path` (created or truncated). On failure
// returns false and, if `error` is set, says what failed and where.
bool write_chrome_json(const Recording& rec, const std::string& path, std::string* error);

}  // namespace minicorn::trace
