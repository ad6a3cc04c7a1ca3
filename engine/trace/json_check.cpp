// engine/trace/json_check.cpp — Perfetto's JSON import rules, checked (see json_check.h).
//
// The checker reads the file the way Perfetto's importer does: it validates
// each event's fields, sorts the events into Perfetto's import order, then
// replays them against per-thread slice stacks, per-(cat, id) async stacks
// and a flow table, reporting every place where Perfetto would drop, truncate
// or mis-nest something.
//
// This file: reading events and their field rules, [order], the public API.
// json_check_replay.cpp: the replay (slices, async spans, flows, the end).
// json_check_parts.h: what they share.
#include "engine/trace/json_check.h"

#include <algorithm>
#include <set>

#include "engine/trace/json_check_parts.h"

namespace minicorn::trace {
namespace json_check_detail {

// ============================================================================
// [SECTION] Reading events
// ============================================================================

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

void Checker::read_events(const json& events) {
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

void Checker::read_fields(Ev& e) {
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
void Checker::check_metadata(const Ev& e, const json* args, Fail&& fail) {
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

void Checker::check_counter(Ev& e, const json* args) {
    if (!args || !args->is_object() || args->empty()) {
        e.usable = false;
        return add("counter", e, "a counter needs args with at least one numeric value");
    }
    for (const auto& [key, value] : args->items()) {
        if (!value.is_number()) add("counter", e, fmt::format("args.{} is not a number ({})", key, value.dump()));
    }
}

void Checker::count_tracks() {
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

}  // namespace json_check_detail

// ============================================================================
// [SECTION] Public API
// ============================================================================

TraceCheck check_trace(std::string_view json_text) {
    TraceCheck out;
    json_check_detail::Checker(out).run(json_text);
    return out;
}

std::vector<std::string> check_trace_json(std::string_view json_text) { return check_trace(json_text).violations; }

}  // namespace minicorn::trace
