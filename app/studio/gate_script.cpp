// app/studio/gate_script.cpp — `--then` gate actions and the gate snapshot
// (see gate_script.h).
#include "app/studio/gate_script.h"

#include <algorithm>
#include <cstdlib>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/loop_step.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

using trace::Event;
using trace::EventKind;

// Live workers, oldest (lowest age) first.
std::vector<const trace::Process*> workers_by_age(const trace::World& w) {
    auto ws = w.workers();
    std::sort(ws.begin(), ws.end(), [](const trace::Process* a, const trace::Process* b) { return a->worker_age < b->worker_age; });
    return ws;
}

// "2": the second oldest live worker; "busiest": the one with the most open connections.
const trace::Process* nth_worker(const trace::World& w, const std::string& arg) {
    auto ws = workers_by_age(w);
    if (arg == "busiest") {
        auto open = [&](const trace::Process* p) {
            return std::count_if(w.connections.begin(), w.connections.end(), [&](const auto& kv) { return kv.second.owner == p->pid; });
        };
        auto it = std::max_element(ws.begin(), ws.end(), [&](const trace::Process* a, const trace::Process* b) { return open(a) < open(b); });
        return it == ws.end() ? nullptr : *it;
    }
    int n = std::atoi(arg.c_str());
    if (n < 1 || static_cast<std::size_t>(n) > ws.size()) return nullptr;
    return ws[static_cast<std::size_t>(n - 1)];
}

// After the colon: "step-worker:2" → "2"; "" if `name` does not start with `prefix`.
std::optional<std::string> arg_of(const std::string& name, const std::string& prefix) {
    if (name.rfind(prefix, 0) != 0) return std::nullopt;
    return name.substr(prefix.size());
}

nlohmann::json thread_json(const trace::World& w, const trace::Process& p, const trace::Thread& th) {
    LoopStep s = thread_step(w, p, th);
    return {{"tid", th.tid},
            {"role", static_cast<int>(th.role)},
            {"activity", std::string(trace::to_string(th.activity))},
            {"last", std::string(trace::to_string(th.last_kind))},
            {"conn", th.conn},
            {"text", s.text}};
}

nlohmann::json worker_json(const Studio& studio, const trace::Process& p) {
    const trace::World& w = studio.latest();
    LoopStep step = loop_step(w, p);
    std::uint64_t events = 0, gated = 0;
    for (const Event& e : studio.recording().events()) {
        if (e.pid != p.pid) continue;
        ++events;
        if (trace::is_gated(e.kind)) ++gated;
    }
    nlohmann::json threads = nlohmann::json::array();
    for (const auto& [tid, th] : p.threads) threads.push_back(thread_json(w, p, th));
    nlohmann::json j{{"pid", p.pid},
                     {"age", p.worker_age},
                     {"state", std::string(trace::to_string(p.state))},
                     {"phase", step.phase},
                     {"phase_name", step.phase >= 0 ? kLoopPhaseNames[static_cast<std::size_t>(step.phase)] : ""},
                     {"done", step.done},
                     {"text", step.text},
                     {"word", step.word},
                     {"events", events},
                     {"gated_events", gated},
                     {"gil_holder", p.gil.holder},
                     {"threads", threads},
                     {"silence_engine_ms", p.silence_ns(w.now_ns, &w.gate) / 1'000'000},
                     {"silence_wall_ms", p.silence_ns(w.now_ns) / 1'000'000}};
    if (const trace::Connection* c = p.current_conn ? w.connection(p.current_conn) : nullptr) {
        j["conn"] = {{"id", c->id},
                     {"stage", std::string(trace::to_string(c->stage))},
                     {"status", c->status},
                     {"in_stage_engine_ms", w.gate.engine_span(c->entered(c->stage), w.now_ns) / 1'000'000},
                     {"in_stage_wall_ms", (w.now_ns - std::min(w.now_ns, c->entered(c->stage))) / 1'000'000}};
    }
    return j;
}

// Events other than the arbiter's accept-queue samples and the collector's
// counters, which go on while paused and change nothing on screen.
std::size_t events_that_move(const trace::Recording& rec) {
    return static_cast<std::size_t>(std::count_if(rec.events().begin(), rec.events().end(), [](const Event& e) {
        return e.kind != EventKind::AcceptQueueSample && e.kind != EventKind::Counter && e.kind != EventKind::RingDrops;
    }));
}

}  // namespace

bool is_gate_script(const std::string& name) {
    return name == "snapshot" || name == "step-anyone" || arg_of(name, "step-worker:") || arg_of(name, "step-thread:") ||
           arg_of(name, "wait:");
}

double gate_script_wait_s(const std::string& name) {
    auto a = arg_of(name, "wait:");
    return a ? std::atof(a->c_str()) : 0.0;
}

std::optional<Action> gate_script_action(const std::string& name, const Studio& studio) {
    const trace::World& w = studio.latest();
    Action a = make_action(Action::Kind::GateTarget);
    if (name == "step-anyone") return a;
    if (auto n = arg_of(name, "step-worker:")) {
        const trace::Process* p = nth_worker(w, *n);
        if (!p) return std::nullopt;
        a.pid = p->pid;
        return a;
    }
    if (auto n = arg_of(name, "step-thread:")) {
        const trace::Process* p = nth_worker(w, *n);
        if (!p) return std::nullopt;
        a.pid = p->pid;
        for (const auto& [tid, th] : p->threads) {  // a pool thread serving a connection, else any pool thread
            if (tid == p->pid) continue;
            if (a.tid == 0 || th.conn != 0) a.tid = tid;
            if (th.conn != 0) break;
        }
        return a.tid ? std::optional<Action>(a) : std::nullopt;
    }
    return std::nullopt;
}

nlohmann::json gate_snapshot(const Studio& studio) {
    const trace::World& w = studio.latest();
    const GateDriver& g = studio.gate_driver();
    nlohmann::json j{{"paused", g.paused()},
                     {"play_rate", g.play_rate()},
                     {"note", g.note()},
                     {"target", {{"pid", g.target().pid}, {"tid", g.target().tid}, {"conn", g.target().conn}}},
                     {"gate_closed_in_world", w.gate.closed()},
                     {"events", studio.recording().size()},
                     {"events_that_move", events_that_move(studio.recording())}};
    if (const trace::GateControl* gc = studio.gate_control()) {
        j["tokens_left"] = gc->tokens_left();
        j["waiting"] = gc->waiting();
        j["last_step"] = {{"pid", gc->last_step().pid}, {"kind", std::string(trace::to_string(gc->last_step().kind))}};
    }
    j["workers"] = nlohmann::json::array();
    for (const trace::Process* p : workers_by_age(w)) j["workers"].push_back(worker_json(studio, *p));
    j["client"] = {{"sent", w.client.sent},
                   {"done", w.client.done},
                   {"timeouts", w.client.errors[static_cast<std::size_t>(trace::ClientErrorKind::Timeout)]},
                   {"errors", w.client.error_count()}};
    return j;
}

}  // namespace minicorn::studio
