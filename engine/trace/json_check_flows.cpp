// engine/trace/json_check_flows.cpp — async spans per (cat, id) and flows
// per (id, cat, name), replayed as Perfetto's importer and flow_tracker.cc
// bind them (see json_check_parts.h).
#include "engine/trace/json_check_parts.h"

namespace minicorn::trace::json_check_parts {

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

}  // namespace minicorn::trace::json_check_parts
