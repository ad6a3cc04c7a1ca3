// engine/trace/json_check.cpp — Perfetto's JSON import rules, checked (see json_check.h).
//
// The checker reads the file the way Perfetto's importer does: it validates
// each event's fields, sorts the events into Perfetto's import order, then
// replays them against per-thread slice stacks, per-(cat, id) async stacks
// and a flow table, reporting every place where Perfetto would drop, truncate
// or mis-nest something.
//
// Index
//   [SECTION] Reading events  — field rules, ts in ns, the event's one-line description
//   [SECTION] Slices          — per-thread stacks, as slice_tracker.cc keeps them
//   [SECTION] Async and flows — b/e per (cat, id); s/t/f per (id, cat, name)
//   [SECTION] The checker     — import order, the replay, the end-of-trace rules
//   [SECTION] Public API
#include "engine/trace/json_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

namespace minicorn::trace {
namespace {

using nlohmann::json;

constexpr std::int64_t kPending = -1;  // the dur of a B that has no E yet

// ============================================================================
// [SECTION] Reading events
// ============================================================================

// The phases Perfetto imports; any other ph is dropped on import.
constexpr std::string_view kKnownPhases = "BEXiIRnbeCMstfPT";

bool is_integer(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }

// Perfetto's CoerceToTs: µs → ns, integral values exactly, others rounded.
std::optional<std::int64_t> to_ns(const json& v) {
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

std::string ns_text(std::int64_t ns) {
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

bool needs_tid(const Ev& e) {
    switch (e.ph) {
        case 'B': case 'E': case 'X': case 's': case 't': case 'f': case 'T': return true;
        case 'i': case 'I': case 'R': return e.thread_scoped;
        case 'M': return e.name == "thread_name" || e.name == "thread_sort_index";
        default: return false;
    }
}

// A flow id as Perfetto reads it: an unsigned integer, or a string of hex digits.
std::optional<std::uint64_t> flow_id(const json& v) {
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
std::optional<std::string> async_id(const json& v) {
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

    void run(std::string_view text) {
        json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded()) {
            report_json_error(text);
            return;
        }
        const json* events = nullptr;
        if (doc.is_array()) {
            events = &doc;
        } else if (doc.is_object() && doc.contains("traceEvents")) {
            events = &doc["traceEvents"];
            if (!events->is_array()) {
                add("[json] \"traceEvents\" is not an array");
                return;
            }
        } else {
            add("[json] missing \"traceEvents\": the top level must be an object with a traceEvents array "
                "(or an array of events)");
            return;
        }
        read_events(*events);
        count_tracks();
        check_file_order();
        replay();
        finish();
        if (dropped_ > 0) out_.violations.push_back(fmt::format("... and {} more violations", dropped_));
    }

private:
    void add(std::string text) {
        if (out_.violations.size() < kMaxViolations) {
            out_.violations.push_back(std::move(text));
        } else {
            ++dropped_;
        }
    }
    void add(std::string_view rule, const Ev& e, std::string_view what) {
        add(fmt::format("[{}] {}: {}", rule, e.describe(), what));
    }

    void report_json_error(std::string_view text) {
        try {
            json reparsed = json::parse(text);
            add(fmt::format("[json] not valid JSON ({})", reparsed.type_name()));
        } catch (const json::exception& err) {  // parse_error, or out_of_range for a number like 1e999
            add(fmt::format("[json] not valid JSON: {}", err.what()));
        }
    }

    // --- fields ----------------------------------------------------------------

    void read_events(const json& events) {
        out_.events = events.size();
        evs_.reserve(events.size());
        for (std::size_t i = 0; i < events.size(); ++i) {
            Ev e;
            e.index = i;
            e.obj = &events[i];
            if (!e.obj->is_object()) {
                e.usable = false;
                add(fmt::format("[fields] #{}: an event must be a JSON object", i));
                evs_.push_back(std::move(e));
                continue;
            }
            read_fields(e);
            evs_.push_back(std::move(e));
        }
    }

    void read_fields(Ev& e) {
        const json& o = *e.obj;
        auto fail = [&](std::string_view what) {
            e.usable = false;
            add("fields", e, what);
        };
        if (auto it = o.find("name"); it != o.end()) {
            if (it->is_string()) e.name = it->get<std::string>();
            else fail("name must be a string");
        }
        if (auto it = o.find("cat"); it != o.end()) {
            if (it->is_string()) e.cat = it->get<std::string>();
            else fail("cat must be a string");
        }
        auto ph = o.find("ph");
        if (ph == o.end() || !ph->is_string() || ph->get_ref<const std::string&>().size() != 1) {
            return fail("ph is missing or not a one-letter string");
        }
        e.ph = ph->get_ref<const std::string&>()[0];
        if (kKnownPhases.find(e.ph) == std::string_view::npos) {
            return fail(fmt::format("ph '{}' is not a phase Perfetto imports", e.ph));
        }
        if (auto s = o.find("s"); s != o.end() && (e.ph == 'i' || e.ph == 'I' || e.ph == 'R')) {
            std::string scope = s->is_string() ? s->get<std::string>() : "";
            if (scope != "t" && scope != "p" && scope != "g") fail("an instant's \"s\" must be \"t\", \"p\" or \"g\"");
            e.thread_scoped = scope == "t";
        }
        if (auto bp = o.find("bp"); bp != o.end()) e.bind_enclosing = bp->is_string() && bp->get<std::string>() == "e";

        auto pid = o.find("pid");
        if (pid == o.end()) {
            fail("pid is missing");
        } else if (!is_integer(*pid) || pid->get<std::int64_t>() < 0 || pid->get<std::int64_t>() > 0xffffffffLL) {
            fail("pid must be an integer (0 .. 2^32-1)");
        } else {
            e.pid = pid->get<std::int64_t>();
        }
        auto tid = o.find("tid");
        if (tid != o.end()) {
            if (!is_integer(*tid) || tid->get<std::int64_t>() < 0 || tid->get<std::int64_t>() > 0xffffffffLL) {
                fail("tid must be an integer (0 .. 2^32-1)");
            } else {
                e.tid = tid->get<std::int64_t>();
            }
        } else if (needs_tid(e)) {
            fail("tid is missing");
        }

        auto ts = o.find("ts");
        if (ts == o.end()) {
            if (e.ph != 'M') fail("ts is missing");
        } else if (auto ns = to_ns(*ts); !ns) {
            fail("ts must be a number (microseconds)");
        } else if (*ns < 0) {
            e.ts = ns;
            fail("ts is negative (Perfetto drops the event)");
        } else {
            e.ts = ns;
        }

        auto args = o.find("args");
        if (args != o.end() && !args->is_object()) fail("args must be an object");

        switch (e.ph) {
            case 'X':
            case 'T': {
                auto dur = o.find("dur");
                std::optional<std::int64_t> ns = dur == o.end() ? std::nullopt : to_ns(*dur);
                if (!ns || *ns < 0) return fail("an X event needs a dur >= 0");
                e.dur = *ns;
                break;
            }
            case 'M': check_metadata(e, args == o.end() ? nullptr : &*args, fail); break;
            case 'C': check_counter(e, args == o.end() ? nullptr : &*args); break;
            default: break;
        }
    }

    template <typename Fail>
    void check_metadata(const Ev& e, const json* args, Fail&& fail) {
        bool is_name = e.name == "process_name" || e.name == "thread_name";
        bool is_index = e.name == "process_sort_index" || e.name == "thread_sort_index";
        if (!is_name && !is_index) return;
        if (!args || !args->is_object()) return fail("a " + e.name + " event needs args");
        if (is_name) {
            auto n = args->find("name");
            if (n == args->end() || !n->is_string() || n->get_ref<const std::string&>().empty()) {
                fail("args.name must be a non-empty string");
            }
        } else {
            auto n = args->find("sort_index");
            if (n == args->end() || !n->is_number()) fail("args.sort_index must be a number");
        }
    }

    void check_counter(Ev& e, const json* args) {
        if (!args || !args->is_object() || args->empty()) {
            e.usable = false;
            return add("counter", e, "a counter needs args with at least one numeric value");
        }
        for (const auto& [key, value] : args->items()) {
            if (!value.is_number()) add("counter", e, fmt::format("args.{} is not a number ({})", key, value.dump()));
        }
    }

    void count_tracks() {
        std::set<std::int64_t> pids;
        std::set<std::pair<std::int64_t, std::int64_t>> threads;
        for (const Ev& e : evs_) {
            if (!e.pid) continue;
            pids.insert(*e.pid);
            if (e.tid) threads.insert({*e.pid, *e.tid});
        }
        out_.processes = pids.size();
        out_.threads = threads.size();
    }

    // --- [order]: per thread, B/E timestamps never go back, in file order ------

    void check_file_order() {
        for (const Ev& e : evs_) {
            if (!e.usable || (e.ph != 'B' && e.ph != 'E')) continue;
            ThreadState& th = threads_[e.thread()];
            if (*e.ts < th.last_duration_ts) {
                add("order", e,
                    fmt::format("ts goes back: an earlier B/E on this thread is at {} us",
                                ns_text(th.last_duration_ts)));
            }
            th.last_duration_ts = std::max(th.last_duration_ts, *e.ts);
        }
    }

    // --- the replay ---------------------------------------------------------------

    void replay() {
        std::vector<const Ev*> order;
        bool any_x = false;
        for (const Ev& e : evs_) {
            if (!e.usable || e.ph == 'M') continue;
            order.push_back(&e);
            any_x = any_x || e.ph == 'X';
            if (e.ph == 'b') ++async_[async_key(e).value_or("")].bs_left;
            if (e.ph == 's') {
                if (auto k = flow_key(e)) ++flows_[*k].starts_left;
            }
        }
        // Perfetto's TraceSorter: by ts, then file order — and, once an X is
        // seen, E first and X longest first at the same ts.
        auto key = [any_x](const Ev* e) -> std::int64_t {
            if (!any_x) return 0;
            if (e->ph == 'E') return std::numeric_limits<std::int64_t>::min();
            if (e->ph == 'X') return std::numeric_limits<std::int64_t>::max() - e->dur;
            return std::numeric_limits<std::int64_t>::max();
        };
        std::stable_sort(order.begin(), order.end(), [&](const Ev* a, const Ev* b) {
            return std::pair(*a->ts, key(a)) < std::pair(*b->ts, key(b));
        });
        for (const Ev* e : order) step(*e);
    }

    void step(const Ev& e) {
        switch (e.ph) {
            case 'B': begin_slice(e, kPending); break;
            case 'X': begin_slice(e, e.dur); break;
            case 'i':
            case 'I':
            case 'R':
                if (e.thread_scoped) begin_slice(e, 0);
                break;
            case 'E': end_slice(e); break;
            case 'b':
            case 'e':
            case 'n': async_step(e); break;
            case 's':
            case 't':
            case 'f': flow_step(e); break;
            default: break;
        }
    }

    // slice_tracker.cc MaybeCloseStack: pops what ended before `ts`; false when
    // a complete slice [ts, ts + dur) would partially overlap an open one.
    bool close_ended(ThreadState& th, const Ev& e, std::int64_t ts, std::int64_t dur) {
        auto& stack = th.stack;
        bool open_inside = false;
        for (std::size_t i = stack.size(); i-- > 0;) {
            OpenSlice& s = stack[i];
            if (s.dur == kPending) {
                open_inside = true;
                continue;
            }
            if (open_inside) {
                if (ts <= s.end()) continue;
                for (std::size_t j = i + 1; j < stack.size(); ++j) {
                    if (stack[j].dur == kPending && !stack[j].reported) {
                        add("nesting", *stack[j].ev,
                            fmt::format("still open when '{}' around it ends at {} us (partial overlap)",
                                        s.ev->name, ns_text(s.end())));
                    }
                }
                stack.resize(i);
                open_inside = false;
                continue;
            }
            bool ended = s.end() < ts || (s.end() == ts && !(s.dur == 0 && dur == 0));
            if (ended) {
                stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(i));
                continue;
            }
            if (dur == kPending) continue;
            if (ts < s.end() && ts + dur > s.end()) {
                add("nesting", e,
                    fmt::format("starts inside '{}' ({} .. {} us) and ends after it, at {} us (partial overlap)",
                                s.ev->name, ns_text(s.ts), ns_text(s.end()), ns_text(ts + dur)));
                return false;
            }
        }
        return true;
    }

    void begin_slice(const Ev& e, std::int64_t dur) {
        ThreadState& th = threads_[e.thread()];
        if (!close_ended(th, e, *e.ts, dur)) return;
        th.stack.push_back(OpenSlice{&e, *e.ts, dur});
        th.unbound_fs.clear();  // flow_tracker.cc: pending f events bind to the slice that begins next
    }

    void end_slice(const Ev& e) {
        ThreadState& th = threads_[e.thread()];
        close_ended(th, e, *e.ts, kPending);
        auto& stack = th.stack;
        // slice_tracker.cc MatchingIncompleteSliceIndex: the innermost open
        // slice whose cat and name agree (an E without them matches any; a B
        // without a name is "[No name]" to Perfetto, which no named E matches).
        std::optional<std::size_t> match;
        for (std::size_t i = stack.size(); i-- > 0;) {
            const OpenSlice& s = stack[i];
            if (s.dur != kPending) continue;
            if (!e.cat.empty() && s.ev->cat != e.cat) continue;
            if (!e.name.empty() && s.ev->name != e.name) continue;
            match = i;
            break;
        }
        if (!match) {
            auto is_open = [](const OpenSlice& s) { return s.dur == kPending; };
            auto open = std::find_if(stack.rbegin(), stack.rend(), is_open);
            add("nesting", e,
                open == stack.rend() ? std::string("E without a B: no slice is open on this thread")
                                     : fmt::format("E without a matching B (the innermost open slice is '{}')",
                                                   open->ev->name));
            return;
        }
        for (std::size_t j = *match + 1; j < stack.size(); ++j) {
            OpenSlice& inner = stack[j];
            if (inner.reported) continue;
            if (inner.dur == kPending) {
                inner.reported = true;
                add("nesting", e,
                    fmt::format("ends '{}' while '{}', opened inside it at {} us, is still open (partial overlap)",
                                stack[*match].ev->name, inner.ev->name, ns_text(inner.ts)));
            } else if (inner.end() > *e.ts) {
                inner.reported = true;
                add("nesting", e,
                    fmt::format("ends '{}' before '{}' inside it, which lasts until {} us (partial overlap)",
                                stack[*match].ev->name, inner.ev->name, ns_text(inner.end())));
            }
        }
        stack[*match].dur = *e.ts - stack[*match].ts;
        if (*match == stack.size() - 1) stack.pop_back();
    }

    // --- async -------------------------------------------------------------------

    std::optional<std::string> async_key(const Ev& e) const {
        const json& o = *e.obj;
        if (auto id = o.find("id"); id != o.end()) {
            auto k = async_id(*id);
            return k ? std::optional(e.cat + '\x1f' + *k) : std::nullopt;
        }
        if (auto id2 = o.find("id2"); id2 != o.end() && id2->is_object()) {
            if (auto g = id2->find("global"); g != id2->end()) {
                auto k = async_id(*g);
                return k ? std::optional(e.cat + '\x1f' + *k) : std::nullopt;
            }
            if (auto l = id2->find("local"); l != id2->end()) {
                auto k = async_id(*l);
                return k ? std::optional(fmt::format("{}\x1f{}\x1f{}", *e.pid, e.cat, *k)) : std::nullopt;
            }
        }
        return std::nullopt;
    }

    void async_step(const Ev& e) {
        auto key = async_key(e);
        if (!key) return add("async", e, "an async event needs an \"id\" (an integer or a string) or an \"id2\"");
        AsyncState& a = async_[*key];
        if (e.ph == 'n') return;
        if (e.ph == 'b') {
            if (a.bs_left > 0) --a.bs_left;
            a.open.push_back(&e);
            return;
        }
        std::optional<std::size_t> match;
        for (std::size_t i = a.open.size(); i-- > 0;) {
            if (e.name.empty() || a.open[i]->name == e.name) {
                match = i;
                break;
            }
        }
        if (!match) {
            return add("async", e,
                       a.bs_left > 0 ? "e comes before its b (in timestamp order)"
                                     : "e without a matching b for this (cat, id)");
        }
        if (*match + 1 < a.open.size()) {
            add("async", e,
                fmt::format("ends '{}' while '{}', begun inside it with the same (cat, id), is still open",
                            a.open[*match]->name, a.open.back()->name));
        }
        a.open.erase(a.open.begin() + static_cast<std::ptrdiff_t>(*match));
    }

    // --- flows -------------------------------------------------------------------

    std::optional<FlowKey> flow_key(const Ev& e) const {
        auto id = e.obj->find("id");
        if (id == e.obj->end()) return std::nullopt;
        auto v = flow_id(*id);
        if (!v) return std::nullopt;
        return FlowKey{*v, e.cat, e.name};
    }

    // flow_tracker.cc: an s, a t and a "bp":"e" f bind to the innermost slice
    // on the stack of their thread; it must enclose the event's ts.
    void check_binding(const Ev& e) {
        const ThreadState& th = threads_[e.thread()];
        if (th.stack.empty()) {
            return add("flow", e, "no slice is open on this thread here: Perfetto drops the flow");
        }
        const OpenSlice& top = th.stack.back();
        if (top.dur != kPending && top.end() < *e.ts) {
            add("flow", e,
                fmt::format("binds to '{}', which ended at {} us, before the flow event", top.ev->name,
                            ns_text(top.end())));
        }
    }

    void flow_step(const Ev& e) {
        auto key = flow_key(e);
        if (!key) return add("flow", e, "a flow event needs an \"id\": an integer or a string of hex digits");
        FlowState& f = flows_[*key];
        if (e.ph == 's') {
            if (f.starts_left > 0) --f.starts_left;
            if (f.start) {
                return add("flow", e, fmt::format("a second s with the id of {} (Perfetto keeps the first)",
                                                  f.start->describe()));
            }
            f.start = &e;
            return check_binding(e);
        }
        if (!f.start) {
            return add("flow", e,
                       f.starts_left > 0 ? fmt::format("{} comes before its s (in timestamp order)", e.ph)
                                         : fmt::format("{} without an s with the same id, cat and name", e.ph));
        }
        if (e.ph == 'f') f.finished = true;
        if (e.ph == 't' || e.bind_enclosing) return check_binding(e);
        threads_[e.thread()].unbound_fs.push_back(&e);
    }

    // --- the end of the trace ------------------------------------------------------

    void finish() {
        for (auto& [thread, th] : threads_) {
            for (const OpenSlice& s : th.stack) {
                if (s.dur == kPending && !s.reported) add("nesting", *s.ev, "B never ended: no E closes it");
            }
            for (const Ev* f : th.unbound_fs) {
                add("flow", *f,
                    "f without \"bp\":\"e\" binds to the next slice on its thread, and none begins after it");
            }
        }
        for (const auto& [key, a] : async_) {
            for (const Ev* b : a.open) add("async", *b, "b never ended: no e with the same (cat, id)");
        }
        for (const auto& [key, f] : flows_) {
            if (f.start && !f.finished) add("flow", *f.start, "s never finished: no f with the same id, cat and name");
        }
    }

    TraceCheck& out_;
    std::size_t dropped_ = 0;
    std::vector<Ev> evs_;
    std::map<std::pair<std::int64_t, std::int64_t>, ThreadState> threads_;
    std::map<std::string, AsyncState> async_;
    std::map<FlowKey, FlowState> flows_;
};

}  // namespace

// ============================================================================
// [SECTION] Public API
// ============================================================================

TraceCheck check_trace(std::string_view json_text) {
    TraceCheck out;
    Checker(out).run(json_text);
    return out;
}

std::vector<std::string> check_trace_json(std::string_view json_text) { return check_trace(json_text).violations; }

}  // namespace minicorn::trace
