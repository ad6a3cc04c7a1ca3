// engine/trace/gate.cpp — GateControl (the observer closes, opens, steps and
// targets the gate) and GateWatcher (the gate's history as events). The
// producers' side is pass_gate in emit.cpp.
#include "engine/trace/gate.h"

namespace minicorn::trace {

namespace {
// Engine time's fields change together under the seqlock (emit.cpp reads it).
template <typename F>
void write_time(RegionHeader& h, F&& change) {
    h.time_seq.fetch_add(1, std::memory_order_acq_rel);
    change();
    h.time_seq.fetch_add(1, std::memory_order_release);
}

struct PauseState {
    std::int64_t since = 0;
    std::int64_t total = 0;
    std::int64_t last_open = 0;
};

PauseState read_pause(const RegionHeader& h) {
    while (true) {
        std::uint32_t seq = h.time_seq.load(std::memory_order_acquire);
        if (seq & 1u) continue;
        PauseState s{h.paused_since_ns.load(std::memory_order_relaxed), h.paused_total_ns.load(std::memory_order_relaxed),
                     h.last_open_ns.load(std::memory_order_relaxed)};
        std::atomic_thread_fence(std::memory_order_acquire);
        if (h.time_seq.load(std::memory_order_relaxed) == seq) return s;
    }
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
    write_time(h, [&] { h.paused_since_ns.store(static_cast<std::int64_t>(now_ns()), std::memory_order_relaxed); });
}

void GateControl::open() {
    RegionHeader& h = region_.header();
    write_time(h, [&] {
        std::int64_t since = h.paused_since_ns.load(std::memory_order_relaxed);
        if (since) {
            const auto now = static_cast<std::int64_t>(now_ns());
            h.paused_total_ns.fetch_add(now - since, std::memory_order_relaxed);
            h.paused_since_ns.store(0, std::memory_order_relaxed);
            h.last_open_ns.store(now, std::memory_order_relaxed);
        }
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
// before the last opening.
void GateWatcher::poll(std::vector<Event>& out) {
    const PauseState now = read_pause(region_.header());
    const std::int64_t ended = now.total - seen_total_;
    if (ended > 0) {
        const std::int64_t closed_at = seen_since_ ? seen_since_ : now.last_open - ended;
        if (!seen_since_) out.push_back(gate_event(EventKind::GateClose, closed_at, seen_total_));
        out.push_back(gate_event(EventKind::GateOpen, now.last_open, now.total));
    }
    if (now.since && now.since != seen_since_) out.push_back(gate_event(EventKind::GateClose, now.since, now.total));
    seen_since_ = now.since;
    seen_total_ = now.total;
}

}  // namespace minicorn::trace
