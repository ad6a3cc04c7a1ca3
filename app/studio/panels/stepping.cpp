// app/studio/panels/stepping.cpp — see stepping.h.
#include "app/studio/panels/stepping.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "engine/trace/kinds.h"

namespace minicorn::studio {

using trace::EventKind;
using trace::Family;
using trace::TimelineRole;

bool is_moment(EventKind kind) {
    const trace::KindInfo& k = trace::info(kind);
    switch (kind) {
        case EventKind::WorkerCount:
        case EventKind::RequestTagged:
        case EventKind::Heartbeat:
        case EventKind::AcceptQueueSample:
            return false;
        case EventKind::PoolSubmit:
        case EventKind::PoolStart:
            return true;
        default:
            break;
    }
    const bool family = k.family == Family::Arbiter || k.family == Family::Worker || k.family == Family::WorkerLoop ||
                        k.family == Family::Connection;
    return family && k.timeline != TimelineRole::Tick && k.timeline != TimelineRole::Sample;
}

namespace {

// The next/previous position whose last event passes `keep`.
template <typename Keep>
std::optional<std::size_t> scan(const trace::Recording& rec, std::size_t n, StepDirection dir, Keep keep) {
    if (dir == StepDirection::Forward) {
        for (std::size_t i = n; i < rec.size(); ++i) {
            if (keep(rec[i])) return i + 1;
        }
        return std::nullopt;
    }
    // Back: the event shown is n - 1; land on the one before it that passes.
    for (std::size_t i = n >= 1 ? n - 1 : 0; i-- > 0;) {
        if (keep(rec[i])) return i + 1;
    }
    return std::nullopt;
}

// The connection's own index: a binary search, however long the recording.
std::optional<std::size_t> step_in_conn(const trace::Recording& rec, std::size_t n, StepDirection dir, std::uint64_t conn) {
    const trace::Recording::Index* index = rec.by_conn(conn);
    if (!index || index->empty()) return std::nullopt;
    if (dir == StepDirection::Forward) {
        auto it = std::lower_bound(index->begin(), index->end(), n);  // first event at or after position n
        if (it == index->end()) return std::nullopt;
        return std::size_t{*it} + 1;
    }
    if (n < 2) return std::nullopt;
    auto it = std::lower_bound(index->begin(), index->end(), n - 1);  // events before the one shown
    if (it == index->begin()) return std::nullopt;
    return std::size_t{*std::prev(it)} + 1;
}

}  // namespace

std::optional<std::size_t> step_from(const trace::Recording& rec, std::size_t n, StepBy by, StepDirection dir,
                                     std::uint64_t conn) {
    n = std::min(n, rec.size());
    switch (by) {
        case StepBy::Event:
            if (dir == StepDirection::Forward) return n < rec.size() ? std::optional<std::size_t>(n + 1) : std::nullopt;
            return n > 0 ? std::optional<std::size_t>(n - 1) : std::nullopt;
        case StepBy::RequestEvent:
            if (conn == 0) return std::nullopt;
            return step_in_conn(rec, n, dir, conn);
        case StepBy::Moment:
            return scan(rec, n, dir, [](const trace::Event& e) { return is_moment(e.kind); });
    }
    return std::nullopt;
}

std::string describe_position(const trace::Recording& rec, std::size_t n) {
    if (rec.empty()) return "no events yet";
    if (n == 0) return fmt::format("before the first event (of {})", rec.size());
    const trace::Event& e = rec[n - 1];
    const double s = static_cast<double>(e.t_ns - rec.first_time()) / 1e9;
    const trace::KindInfo& k = trace::info(e.kind);
    return fmt::format("event {} of {} \u00B7 {:.6f} s \u00B7 {} (pid {})", n, rec.size(), s, k.label, e.pid);
}

}  // namespace minicorn::studio
