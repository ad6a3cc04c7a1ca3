// engine/trace/json_check.h — does a Chrome trace-event JSON file import into
// Perfetto as written? A checker of the rules Perfetto's JSON importer applies
// (src/trace_processor/importers/json, slice_tracker.cc, flow_tracker.cc),
// for the exporter's tests and `minicorn export --check`.
//
// Each violation is one human-readable line that starts with its rule in
// brackets, then the event (its index in traceEvents, ph, name, pid, tid, ts):
//
//   [json]     the text is not JSON, or has no "traceEvents" array
//   [fields]   an event is not an object; ph missing or unknown; ts missing
//              (every ph but M) or not a number ≥ 0; pid missing or not an
//              integer; tid missing on a thread event (B E X i s t f, and
//              thread_name) or not an integer; name not a string; X without a
//              dur ≥ 0; args not an object; a metadata event without its arg
//   [order]    a B/E's ts is earlier than the previous B/E's on the same
//              thread, in file order
//   [nesting]  per (pid, tid), in Perfetto's import order: an E with no open
//              B of that name and cat; an E that ends a slice while a slice
//              begun inside it is still open or lasts longer (partial
//              overlap); an X that starts inside a slice and ends after it; a
//              B still open when the X around it ends; a B never ended
//   [async]    per (cat, id) — (pid, cat, id2.local) for process-local ids —
//              b/e without an id; an e with no open b of that name (or before
//              its b); an e that crosses a span opened inside it; a b never
//              ended
//   [flow]     per (id, cat, name): an id that is neither an integer nor hex;
//              a second s with the same key; a t/f without an s before it; an
//              s never finished by an f; an s, t or "bp":"e" f with no slice
//              around its ts on its thread (Perfetto binds it to the innermost
//              slice still on that thread's stack — which may have ended
//              already, like an instant — or drops it); an f without "bp"
//              that no later slice on its thread picks up
//   [counter]  a C whose args is missing, empty, or has a non-numeric value
//
// "Import order" is Perfetto's: a stable sort by ts (µs → ns, rounded), and,
// once the file has an X event, E before everything else and X by duration
// (longest first) among events with the same ts.
//
// Pure; no threads. Memory: the parsed document (a few times the text).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace minicorn::trace {

struct TraceCheck {
    std::vector<std::string> violations;  // at most kMaxViolations, then one "... N more" line
    std::size_t events = 0;               // entries in traceEvents
    std::size_t processes = 0;            // distinct pids among them
    std::size_t threads = 0;              // distinct (pid, tid) among them
    bool ok() const { return violations.empty(); }
};

inline constexpr std::size_t kMaxViolations = 1000;

TraceCheck check_trace(std::string_view json);

// check_trace(json).violations: empty when Perfetto imports the file as written.
std::vector<std::string> check_trace_json(std::string_view json);

}  // namespace minicorn::trace
