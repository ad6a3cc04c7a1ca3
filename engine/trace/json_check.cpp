// engine/trace/json_check.cpp — Perfetto's JSON import rules, checked (see json_check.h).
//
// The checker reads the file the way Perfetto's importer does: it validates
// each event's fields, sorts the events into Perfetto's import order, then
// replays them against per-thread slice stacks, per-(cat, id) async stacks
// and a flow table, reporting every place where Perfetto would drop, truncate
// or mis-nest something.
//
// This file: the run, the import order, the slice replay and the end-of-trace
// rules. Reading events is in json_check_fields.cpp, async spans and flows in
// json_check_flows.cpp; the shared declarations in json_check_parts.h.
#include "engine/trace/json_check.h"

#include <algorithm>

#include "engine/trace/json_check_parts.h"

namespace minicorn::trace {
namespace json_check_parts {

void Checker::run(std::string_view text) {
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

void Checker::add(std::string text) {
    if (out_.violations.size() < kMaxViolations) {
        out_.violations.push_back(std::move(text));
    } else {
        ++dropped_;
    }
}

void Checker::add(std::string_view rule, const Ev& e, std::string_view what) {
    add(fmt::format("[{}] {}: {}", rule, e.describe(), what));
}

void Checker::report_json_error(std::string_view text) {
    try {
        json reparsed = json::parse(text);
        add(fmt::format("[json] not valid JSON ({})", reparsed.type_name()));
    } catch (const json::exception& err) {  // parse_error, or out_of_range for a number like 1e999
        add(fmt::format("[json] not valid JSON: {}", err.what()));
    }
}

void Checker::check_file_order() {
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

void Checker::replay() {
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

void Checker::step(const Ev& e) {
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
bool Checker::close_ended(ThreadState& th, const Ev& e, std::int64_t ts, std::int64_t dur) {
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

void Checker::begin_slice(const Ev& e, std::int64_t dur) {
    ThreadState& th = threads_[e.thread()];
    if (!close_ended(th, e, *e.ts, dur)) return;
    th.stack.push_back(OpenSlice{&e, *e.ts, dur});
    th.unbound_fs.clear();  // flow_tracker.cc: pending f events bind to the slice that begins next
}

void Checker::end_slice(const Ev& e) {
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

void Checker::finish() {
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

}  // namespace json_check_parts

TraceCheck check_trace(std::string_view json_text) {
    TraceCheck out;
    json_check_parts::Checker(out).run(json_text);
    return out;
}

std::vector<std::string> check_trace_json(std::string_view json_text) { return check_trace(json_text).violations; }

}  // namespace minicorn::trace
