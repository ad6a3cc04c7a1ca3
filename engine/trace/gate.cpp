#include "engine/trace/gate.h"

namespace minicorn::trace {

namespace {
// Engine time's two fields change together under the seqlock (emit.cpp reads it).
template <typename F>
void write_time(RegionHeader& h, F&& change) {
    h.time_seq.fetch_add(1, std::memory_order_acq_rel);
    change();
    h.time_seq.fetch_add(1, std::memory_order_release);
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
            h.paused_total_ns.fetch_add(static_cast<std::int64_t>(now_ns()) - since, std::memory_order_relaxed);
            h.paused_since_ns.store(0, std::memory_order_relaxed);
        }
    });
    h.gate_closed.store(0, std::memory_order_release);
}

bool GateControl::closed() const { return region_.header().gate_closed.load(std::memory_order_acquire) != 0; }

void GateControl::step(std::int64_t tokens) { region_.header().gate_tokens.fetch_add(tokens, std::memory_order_acq_rel); }

std::int64_t GateControl::tokens_left() const { return region_.header().gate_tokens.load(std::memory_order_acquire); }

std::uint64_t GateControl::passed() const { return region_.header().gated_passed.load(std::memory_order_acquire); }

}  // namespace minicorn::trace
