// engine/trace/json_check_fields.cpp — reading events: each event's fields
// checked as Perfetto's JSON importer reads them (see json_check_parts.h).
#include <cmath>
#include <exception>
#include <set>

#include "engine/trace/json_check_parts.h"

namespace minicorn::trace::json_check_parts {

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
            // value_or rather than a ternary with nullopt: GCC 12 at -Os warns
            // that the optional may be used uninitialized (a false positive).
            auto dur = o.find("dur");
            const std::int64_t ns = dur == o.end() ? -1 : to_ns(*dur).value_or(-1);
            if (ns < 0) return fail("an X event needs a dur >= 0");
            e.dur = ns;
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

}  // namespace minicorn::trace::json_check_parts
