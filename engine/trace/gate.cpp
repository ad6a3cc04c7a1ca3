// engine/trace/gate.cpp — GateControl (the observer closes, opens, steps and
// targets the gate) and GateWatcher (the gate's history as events). The
// producers' side is pass_gate in emit.cpp.
#include "engine/trace/gate.h"

#include "engine/trace/gate_time.h"

namespace minicorn::trace {

namespace {
void forget_step(RegionHeader& h) {
    h.step_owner_pid.store(0, std::memory_order_relaxed);
    h.step_owner_tid.store(0, std::memory_order_relaxed);
}

Event gate_event(EventKind kind, std::int64_t t_ns, std::int64_t paused_total) {
    Event e{};
    e.t_ns = static_cast<std::uint64_t>(t_ns);
    e.kind = kind;
    e.a0 = paused_total;
    return e;
}
}  // namespace

void GateControl::set_gated_mode(bool on) { region_.header().gated_mode.store(on ? 1 : 0, std::memory_order_release); }
bool GateControl::gated_mode() const { return region_.header().gated_mode.load(std::memory_order_acquire) != 0; }

void GateControl::close() {
    RegionHeader& h = region_.header();
    if (h.gate_closed.exchange(1, std::memory_order_acq_rel)) return;
    const auto now = static_cast<std::int64_t>(now_ns());
    change_pause(h, [&](PauseState& s) {
        stop_time(s, now);
        forget_step(h);
    });
}

void GateControl::open() {
    RegionHeader& h = region_.header();
    const auto now = static_cast<std::int64_t>(now_ns());
    change_pause(h, [&](PauseState& s) {
        run_time(s, now, 0);
        forget_step(h);
    });
    h.gate_closed.store(0, std::memory_order_release);
}

bool GateControl::closed() const { return region_.header().gate_closed.load(std::memory_order_acquire) != 0; }

void GateControl::step(std::int64_t tokens) { region_.header().gate_tokens.fetch_add(tokens, std::memory_order_acq_rel); }

std::int64_t GateControl::tokens_left() const { return region_.header().gate_tokens.load(std::memory_order_acquire); }

std::uint64_t GateControl::passed() const { return region_.header().gated_passed.load(std::memory_order_acquire); }

void GateControl::set_target(GateTarget target) {
    RegionHeader& h = region_.header();
    h.target_pid.store(target.pid, std::memory_order_relaxed);
    h.target_tid.store(target.tid, std::memory_order_relaxed);
    h.target_conn.store(target.conn, std::memory_order_release);
}

GateTarget GateControl::target() const {
    const RegionHeader& h = region_.header();
    return GateTarget{h.target_pid.load(std::memory_order_relaxed), h.target_tid.load(std::memory_order_relaxed),
                      h.target_conn.load(std::memory_order_acquire)};
}

GateStepTaken GateControl::last_step() const {
    const RegionHeader& h = region_.header();
    return GateStepTaken{h.last_step_pid.load(std::memory_order_relaxed), h.last_step_tid.load(std::memory_order_relaxed),
                         static_cast<EventKind>(h.last_step_kind.load(std::memory_order_acquire))};
}

std::uint32_t GateControl::waiting() const { return region_.header().gate_waiting.load(std::memory_order_acquire); }

// Between two polls the gate may have opened (total grew), closed (a new
// since), or both; a pause that began and ended between polls is placed just
// before the last opening. A step's window that ran out is a closing at the
// window's end (PauseState::paused_from).
void GateWatcher::poll(std::vector<Event>& out) {
    const PauseState now = read_pause(region_.header());
    const std::int64_t since = now.paused_from(static_cast<std::int64_t>(now_ns()));
    const std::int64_t ended = now.total - seen_total_;
    if (ended > 0) {
        const std::int64_t closed_at = seen_since_ ? seen_since_ : now.last_open - ended;
        if (!seen_since_) out.push_back(gate_event(EventKind::GateClose, closed_at, seen_total_));
        out.push_back(gate_event(EventKind::GateOpen, now.last_open, now.total));
    }
    if (since && since != seen_since_) out.push_back(gate_event(EventKind::GateClose, since, now.total));
    seen_since_ = since;
    seen_total_ = now.total;
}

}  // namespace minicorn::trace
