// engine/trace/json_check_replay.cpp — the checker's replay (see
// json_check_parts.h): the events in Perfetto's import order against
// per-thread slice stacks (slice_tracker.cc), per-(cat, id) async stacks and
// a flow table (flow_tracker.cc), then the end-of-trace rules.
#include <algorithm>

#include "engine/trace/json_check_parts.h"

namespace minicorn::trace::json_check_detail {

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

std::optional<std::string> Checker::async_key(const Ev& e) const {
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

void Checker::async_step(const Ev& e) {
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

std::optional<FlowKey> Checker::flow_key(const Ev& e) const {
    auto id = e.obj->find("id");
    if (id == e.obj->end()) return std::nullopt;
    auto v = flow_id(*id);
    if (!v) return std::nullopt;
    return FlowKey{*v, e.cat, e.name};
}

// flow_tracker.cc: an s, a t and a "bp":"e" f bind to the innermost slice
// on the stack of their thread; it must enclose the event's ts.
void Checker::check_binding(const Ev& e) {
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

void Checker::flow_step(const Ev& e) {
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

}  // namespace minicorn::trace::json_check_detail
