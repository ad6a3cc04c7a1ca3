// engine/trace/json_check_parts.h — the checker of json_check.h, internal to
// json_check.cpp (reading events, field rules, [order], the public API) and
// json_check_replay.cpp (the replay in Perfetto's import order: slices,
// async spans, flows, the end-of-trace rules).
//
// Pure; no threads.
#pragma once

#include <fmt/format.h>

#include <cmath>
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

namespace minicorn::trace::json_check_detail {

using nlohmann::json;

inline constexpr std::int64_t kPending = -1;  // the dur of a B that has no E yet

// ============================================================================
// [SECTION] Reading events
// ============================================================================

// The phases Perfetto imports; any other ph is dropped on import.
inline constexpr std::string_view kKnownPhases = "BEXiIRnbeCMstfPT";

inline bool is_integer(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

// Perfetto's CoerceToTs: µs → ns, integral values exactly, others rounded.
inline std::optional<std::int64_t> to_ns(const json& v) {
    if (v.is_number_unsigned()) return static_cast<std::int64_t>(v.get<std::uint64_t>() * 1000);
    if (v.is_number_integer()) return v.get<std::int64_t>() * 1000;
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (!std::isfinite(d)) return std::nullopt;
        if (d == std::trunc(d)) return static_cast<std::int64_t>(d) * 1000;
        return static_cast<std::int64_t>(std::llround(d * 1000.0));
    }
    return std::nullopt;
}

inline std::string ns_text(std::int64_t ns) {
    std::string sign = ns < 0 ? "-" : "";
    auto abs = static_cast<std::uint64_t>(ns < 0 ? -ns : ns);
    return fmt::format("{}{}.{:03}", sign, abs / 1000, abs % 1000);
}

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

inline bool needs_tid(const Ev& e) {
    switch (e.ph) {
        case 'B': case 'E': case 'X': case 's': case 't': case 'f': case 'T': return true;
        case 'i': case 'I': case 'R': return e.thread_scoped;
        case 'M': return e.name == "thread_name" || e.name == "thread_sort_index";
        default: return false;
    }
}

// A flow id as Perfetto reads it: an unsigned integer, or a string of hex digits.
inline std::optional<std::uint64_t> flow_id(const json& v) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) return static_cast<std::uint64_t>(v.get<std::int64_t>());
    if (!v.is_string()) return std::nullopt;
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    std::size_t used = 0;
    try {
        std::uint64_t id = std::stoull(s, &used, 16);
        if (used == s.size()) return id;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

// An async id as a key: numbers and strings are different ids to Perfetto.
inline std::optional<std::string> async_id(const json& v) {
    if (is_integer(v)) return "n:" + v.dump();
    if (v.is_string()) return "s:" + v.get<std::string>();
    return std::nullopt;
}

// ============================================================================
// [SECTION] Slices
// ============================================================================

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

// ============================================================================
// [SECTION] Async and flows
// ============================================================================

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

// ============================================================================
// [SECTION] The checker
// ============================================================================

class Checker {
public:
    explicit Checker(TraceCheck& out) : out_(out) {}
    // Checks the whole document; the violations go to `out`.
    void run(std::string_view text);

private:
    void add(std::string text);
    void add(std::string_view rule, const Ev& e, std::string_view what);
    void report_json_error(std::string_view text);
    // --- fields ----------------------------------------------------------------
    void read_events(const json& events);
    void read_fields(Ev& e);
    template <typename Fail>
    void check_metadata(const Ev& e, const json* args, Fail&& fail);
    void check_counter(Ev& e, const json* args);
    void count_tracks();
    // --- [order]: per thread, B/E timestamps never go back, in file order ------
    void check_file_order();
    // --- the replay ---------------------------------------------------------------
    void replay();
    void step(const Ev& e);
    // slice_tracker.cc MaybeCloseStack: pops what ended before `ts`; false when
    // a complete slice [ts, ts + dur) would partially overlap an open one.
    bool close_ended(ThreadState& th, const Ev& e, std::int64_t ts, std::int64_t dur);
    void begin_slice(const Ev& e, std::int64_t dur);
    void end_slice(const Ev& e);
    // --- async -------------------------------------------------------------------
    std::optional<std::string> async_key(const Ev& e) const;
    void async_step(const Ev& e);
    // --- flows -------------------------------------------------------------------
    std::optional<FlowKey> flow_key(const Ev& e) const;
    // flow_tracker.cc: an s, a t and a "bp":"e" f bind to the innermost slice
    // on the stack of their thread; it must enclose the event's ts.
    void check_binding(const Ev& e);
    void flow_step(const Ev& e);
    // --- the end of the trace ------------------------------------------------------
    void finish();

    TraceCheck& out_;
    std::size_t dropped_ = 0;
    std::vector<Ev> evs_;
    std::map<std::pair<std::int64_t, std::int64_t>, ThreadState> threads_;
    std::map<std::string, AsyncState> async_;
    std::map<FlowKey, FlowState> flows_;
};

}  // namespace minicorn::trace::json_check_detail
