// engine/trace/export_exporter.h — the Exporter: walks a Recording once in
// time order and writes each output event as it goes (see export.h for what
// the file shows). Internal to export_*.cpp:
//   export_tracks.cpp  output: metadata, nested thread slices, async spans,
//                      counters, closing what a dead owner left open
//   export_events.cpp  the events: one function per Family of the schema
//
// Single-threaded; holds references to the Recording, the Cast and the output.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/trace/export_args.h"
#include "engine/trace/export_cast.h"
#include "engine/trace/recording.h"

namespace minicorn::trace::exporter {

// What opened a thread slice; an end event closes the innermost slice of its phase.
enum class Phase : std::uint8_t { Select, Connection, Read, Handle, Write, Signal, Poll, PoolTask, GilWait, LoopPhase };

struct OpenSlice {
    Phase phase;
    std::uint64_t key;  // the conn id, or the signal number; matched when the end event gives one
    std::string name;
    std::string_view cat;
};

struct ThreadTrack {
    pid_t pid = 0;
    pid_t tid = 0;
    std::vector<OpenSlice> stack;  // innermost last
};

struct OpenSpan {  // an async span: b written, e not yet
    pid_t pid = 0;
    pid_t tid = 0;
    std::uint64_t conn = 0;
    std::optional<std::int64_t> status;  // the request's HandlerEnd status, shown on its e
};

struct Spans {  // the open async spans of one category ("connection", "request"), by id
    std::string_view cat;
    std::map<std::uint64_t, OpenSpan> open;  // ordered: closing order is stable
};

inline constexpr std::string_view kFlowName = "accept to handler";
inline constexpr std::string_view kFlowCat = "flow";

class Exporter {
public:
    Exporter(const Recording& rec, const Cast& cast, JsonOut& out);

    void run();

private:
    // --- output (export_tracks.cpp) -------------------------------------------
    void write_metadata();
    ThreadTrack& track(pid_t pid, pid_t tid);
    void instant(const ThreadTrack& th, std::string_view name, std::string_view cat, std::uint64_t t,
                 const Args& args = {});
    void counter(pid_t pid, std::string_view name, std::uint64_t t, const Args& args);
    void begin(ThreadTrack& th, Phase phase, std::uint64_t key, std::string name, std::string_view cat,
               std::uint64_t t, const Args& args = {});
    void end_top(ThreadTrack& th, std::uint64_t t, const Args& args);
    // Ends the innermost open slice of `phase` (with `key`, unless key is 0),
    // after whatever is open inside it, so the slices stay nested. False when
    // none is open.
    bool close_slice(ThreadTrack& th, Phase phase, std::uint64_t key, std::uint64_t t, const Args& args);
    // `e` ends a slice of `phase`, adding its a0/a1; when none is open (the
    // recording began inside it, or a ring dropped its begin) `e` shows as an
    // instant.
    void end(ThreadTrack& th, Phase phase, std::uint64_t key, const Event& e, Args args);
    void close_thread(ThreadTrack& th, std::uint64_t t, const std::string& why);
    // A thread that goes back to its loop (waits, accepts), parks its
    // connection or hands it to another thread has left the connection it was
    // serving; the connection itself lives on in its async span.
    void leave_connection(ThreadTrack& th, std::uint64_t t, std::string_view why = "the thread went back to its loop");
    void span_begin(Spans& spans, std::uint64_t id, const ThreadTrack& th, std::uint64_t conn, std::uint64_t t,
                    const Args& args);
    void span_end(Spans& spans, std::uint64_t id, std::uint64_t t, Args args);
    template <typename Pred>
    void end_spans_if(Spans& spans, Pred&& pred, std::uint64_t t, const Args& args) {
        std::vector<std::uint64_t> ids;
        for (const auto& [id, span] : spans.open) {
            if (pred(span)) ids.push_back(id);
        }
        for (std::uint64_t id : ids) span_end(spans, id, t, args);
    }
    // "Busy" workers: those with at least one accepted connection not yet closed.
    void update_busy(std::uint64_t t);
    // The process `pid` is gone (it exited, or the master reaped it): close
    // what it left open, where it died.
    void owner_gone(pid_t pid, std::uint64_t t, const std::string& why);
    void close_everything(std::uint64_t t);

    // --- the events (export_events.cpp): one function per Family ---------------
    void on_event(const Event& e);
    // An instant named by the schema's label, in its family's category, with its fields.
    void plain(ThreadTrack& th, const Event& e);
    void on_arbiter(ThreadTrack& th, const Event& e);
    void on_worker(ThreadTrack& th, const Event& e);
    void on_worker_loop(ThreadTrack& th, const Event& e);
    void on_connection(ThreadTrack& th, const Event& e);
    void on_threads(ThreadTrack& th, const Event& e);
    void on_poller(ThreadTrack& th, const Event& e);
    void on_gil(ThreadTrack& th, const Event& e);
    void on_loop(ThreadTrack& th, const Event& e);
    void on_bookkeeping(ThreadTrack& th, const Event& e);
    void on_accepted(const Event& e, ThreadTrack& th);
    void on_handler_start(const Event& e, ThreadTrack& th);
    void on_close(const Event& e, ThreadTrack& th);

    const Recording& rec_;
    const Cast& cast_;
    JsonOut& out_;
    pid_t counter_pid_;  // where the shared counters live: the arbiter, else the first process
    std::map<std::pair<pid_t, pid_t>, ThreadTrack> threads_;  // ordered: closing order is stable
    Spans conn_spans_{"connection", {}};
    Spans req_spans_{"request", {}};
    std::set<std::uint64_t> flows_started_;
    std::set<std::uint64_t> flows_pending_;
    std::map<pid_t, std::set<std::uint64_t>> open_conns_;
    std::int64_t busy_shown_ = 0;
};

}  // namespace minicorn::trace::exporter
