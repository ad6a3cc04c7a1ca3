// engine/trace/json_check_parts.h — the checker of Perfetto's JSON import
// rules (json_check.h), shared by its three source files:
//   json_check.cpp         the checker's run, import order, the slice replay, the end of the trace
//   json_check_fields.cpp  reading events: field rules, ts in ns, metadata and counters
//   json_check_flows.cpp   async spans per (cat, id) and flows per (id, cat, name)
// Internal to engine/trace; not for other callers. Pure; no threads.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/trace/json_check.h"

namespace minicorn::trace::json_check_parts {

using nlohmann::json;

constexpr std::int64_t kPending = -1;  // the dur of a B that has no E yet

// The phases Perfetto imports; any other ph is dropped on import.
constexpr std::string_view kKnownPhases = "BEXiIRnbeCMstfPT";

inline bool is_integer(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

// Perfetto's CoerceToTs: µs → ns, integral values exactly, others rounded.
std::optional<std::int64_t> to_ns(const json& v);
std::string ns_text(std::int64_t ns);

struct Ev {
    std::size_t index = 0;  // in traceEvents
    const json* obj = nullptr;
    char ph = 0;
    std::string name;  // "" when absent
    std::string cat;
    std::optional<std::int64_t> pid, tid, ts;  // ts in ns
    std::int64_t dur = 0;                      // X only, ns
    bool bind_enclosing = false;               // "bp":"e"
    bool thread_scoped = true;                 // i/I: "s" absent or "t"
    bool usable = true;                        // false: a field rule failed, left out of the replay

    std::string describe() const {
        std::string s = fmt::format("#{} ({}", index, ph ? std::string(1, ph) : std::string("?"));
        if (!name.empty()) s += fmt::format(" '{}'", name);
        if (pid) s += fmt::format(", pid {}", *pid);
        if (tid) s += fmt::format(", tid {}", *tid);
        if (ts) s += fmt::format(", ts {} us", ns_text(*ts));
        return s + ")";
    }
    std::pair<std::int64_t, std::int64_t> thread() const { return {pid.value_or(0), tid.value_or(pid.value_or(0))}; }
};

bool needs_tid(const Ev& e);

// A flow id as Perfetto reads it: an unsigned integer, or a string of hex digits.
std::optional<std::uint64_t> flow_id(const json& v);

// An async id as a key: numbers and strings are different ids to Perfetto.
std::optional<std::string> async_id(const json& v);

// --- slices: per-thread stacks, as slice_tracker.cc keeps them ---------------

struct OpenSlice {
    const Ev* ev;
    std::int64_t ts;
    std::int64_t dur;       // kPending for an open B
    bool reported = false;  // a violation already named it: do not report it twice
    std::int64_t end() const { return ts + dur; }
};

struct ThreadState {
    std::vector<OpenSlice> stack;       // innermost last
    std::vector<const Ev*> unbound_fs;  // f events without "bp":"e", waiting for the next slice
    std::int64_t last_duration_ts = std::numeric_limits<std::int64_t>::min();  // [order], file order
};

// --- async spans and flows ------------------------------------------------------

struct AsyncState {
    std::vector<const Ev*> open;  // b events not yet ended, innermost last
    std::size_t bs_left = 0;      // b events not yet replayed: an unmatched e may come before its b
};

struct FlowKey {
    std::uint64_t id;
    std::string cat, name;
    auto operator<=>(const FlowKey&) const = default;
};

struct FlowState {
    const Ev* start = nullptr;  // the s
    bool finished = false;      // an f seen
    std::size_t starts_left = 0;
};

// Reads the events, sorts them into Perfetto's import order and replays them.
class Checker {
public:
    explicit Checker(TraceCheck& out) : out_(out) {}
    void run(std::string_view text);

private:
    void add(std::string text);
    void add(std::string_view rule, const Ev& e, std::string_view what);
    void report_json_error(std::string_view text);

    // fields (json_check_fields.cpp)
    void read_events(const json& events);
    void read_fields(Ev& e);
    template <typename Fail>
    void check_metadata(const Ev& e, const json* args, Fail&& fail);
    void check_counter(Ev& e, const json* args);
    void count_tracks();

    // [order] and the replay (json_check.cpp)
    void check_file_order();
    void replay();
    void step(const Ev& e);
    bool close_ended(ThreadState& th, const Ev& e, std::int64_t ts, std::int64_t dur);
    void begin_slice(const Ev& e, std::int64_t dur);
    void end_slice(const Ev& e);

    // async and flows (json_check_flows.cpp)
    std::optional<std::string> async_key(const Ev& e) const;
    void async_step(const Ev& e);
    std::optional<FlowKey> flow_key(const Ev& e) const;
    void check_binding(const Ev& e);
    void flow_step(const Ev& e);

    // the end of the trace (json_check.cpp)
    void finish();

    TraceCheck& out_;
    std::size_t dropped_ = 0;
    std::vector<Ev> evs_;
    std::map<std::pair<std::int64_t, std::int64_t>, ThreadState> threads_;
    std::map<std::string, AsyncState> async_;
    std::map<FlowKey, FlowState> flows_;
};

}  // namespace minicorn::trace::json_check_parts
