// engine/trace/model.cpp — the fold's dispatch (apply) and the keyframes.
//
// apply() counts the event, then hands it to the function of its family in
// the schema (kinds.h: info(kind).family); model_fold.h lists them and the
// rules they keep, model_*.cpp hold them.
//
// Index
//   [SECTION] apply         — dispatch by family
//   [SECTION] TraceModel    — update, keyframes, world_at
#include "engine/trace/model.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

#include "engine/trace/kinds.h"
#include "engine/trace/model_fold.h"

namespace minicorn::trace {

// ============================================================================
// [SECTION] apply
// ============================================================================

void TraceModel::apply(World& w, const Event& e) {
    w.now_ns = e.t_ns;
    Totals& tot = w.totals;
    if (tot.events++ == 0) tot.first_event_ns = e.t_ns;
    tot.last_event_ns = e.t_ns;
    if (static_cast<std::size_t>(e.kind) < kEventKindCount) ++tot.by_kind[static_cast<std::size_t>(e.kind)];

    const KindInfo& k = info(e.kind);
    // A kind without a GREEN column carries the greenlet that emitted it (ev.h).
    if (e.green != 0 && k.green.empty()) fold::note_running_green(w, e);
    switch (k.family) {
        case Family::None:
        case Family::kCount: break;
        case Family::Arbiter: fold::apply_arbiter(w, e); break;
        case Family::Worker: fold::apply_worker(w, e); break;
        case Family::WorkerLoop: fold::apply_worker_loop(w, e); break;
        case Family::Connection: fold::apply_connection(w, e); break;
        case Family::Threads: fold::apply_threads(w, e); break;
        case Family::Poller: fold::apply_poller(w, e); break;
        case Family::Green: fold::apply_green(w, e); break;
        case Family::Gil: fold::apply_gil(w, e); break;
        case Family::Loop: fold::apply_loop(w, e); break;
        case Family::Client: fold::apply_client(w, e); break;
        case Family::Bookkeeping: fold::apply_bookkeeping(w, e); break;
    }
}

World TraceModel::fold(std::span<const Event> events) {
    World w;
    for (const Event& e : events) apply(w, e);
    return w;
}

// ============================================================================
// [SECTION] TraceModel
// ============================================================================

TraceModel::TraceModel(const Recording& rec, std::size_t keyframe_every)
    : rec_(&rec), keyframe_every_(keyframe_every) {
    assert(keyframe_every > 0 && "keyframe_every is a number of events: pass at least 1");
    if (keyframe_every_ == 0) keyframe_every_ = 1;
}

void TraceModel::update() {
    if (rec_->size() < folded_) {  // a different Recording: start over
        folded_ = 0;
        latest_ = World{};
        keyframes_.clear();
    }
    while (folded_ < rec_->size()) {
        apply(latest_, (*rec_)[folded_]);
        ++folded_;
        if (folded_ % keyframe_every_ == 0) keyframes_.push_back(Keyframe{folded_, latest_});
    }
}

World TraceModel::world_at(std::uint64_t t_ns, std::size_t* replayed) const {
    // end: one past the last folded event with t_ns <= t
    std::size_t end = folded_;
    if (t_ns != std::numeric_limits<std::uint64_t>::max()) end = std::min(end, rec_->lower_bound(t_ns + 1));

    World w;
    std::size_t from = 0;
    if (end == folded_) {
        w = latest_;
        from = folded_;
    } else {
        auto it = std::upper_bound(keyframes_.begin(), keyframes_.end(), end,
                                   [](std::size_t pos, const Keyframe& k) { return pos < k.next; });
        if (it != keyframes_.begin()) {
            --it;
            w = it->world;
            from = it->next;
        }
    }
    for (std::size_t i = from; i < end; ++i) apply(w, (*rec_)[i]);
    if (replayed) *replayed = end - from;
    w.now_ns = t_ns;
    return w;
}

}  // namespace minicorn::trace
