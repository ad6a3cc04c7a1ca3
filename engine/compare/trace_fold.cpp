// engine/compare/trace_fold.cpp — the few kinds compare counts.
#include "engine/compare/trace_fold.h"

#include <algorithm>

namespace minicorn::compare {

using trace::EventKind;

void TraceFold::append(std::span<const trace::Event> sorted) {
    for (const trace::Event& e : sorted) {
        switch (e.kind) {
            case EventKind::ArbiterStart: arbiter_ = e.pid; break;
            case EventKind::WorkerBooted: booted_.insert(e.pid); break;
            case EventKind::HandlerStart: {
                Worker& w = workers_[e.pid];
                w.peak = std::max(w.peak, ++w.in_handler);
                break;
            }
            case EventKind::HandlerEnd: {
                Worker& w = workers_[e.pid];
                if (w.in_handler > 0) --w.in_handler;
                break;
            }
            case EventKind::WorkerTimeout: ++timeouts_; break;
            case EventKind::RingDrops: dropped_ += static_cast<std::uint64_t>(e.a0); break;
            default: break;
        }
    }
    if (!sorted.empty()) last_ = sorted.back().t_ns;
}

int TraceFold::peak_handlers() const {
    int peak = 0;
    for (const auto& [pid, w] : workers_) peak = std::max(peak, w.peak);
    return peak;
}

void TraceFold::reset_counts() {
    for (auto& [pid, w] : workers_) w.peak = w.in_handler;
    timeouts_ = 0;
    dropped_ = 0;
}

}  // namespace minicorn::compare
