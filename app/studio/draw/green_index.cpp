// app/studio/draw/green_index.cpp — see green_index.h.
#include "app/studio/draw/green_index.h"

#include <algorithm>

namespace minicorn::studio {

using trace::EventKind;

void GreenConnIndex::update(const trace::Recording& rec, std::size_t budget) {
    if (rec.size() < scanned_) {
        scanned_ = 0;
        conns_.clear();
        greens_.clear();
        running_.clear();
    }
    std::span<const trace::Event> events = rec.events();
    const std::size_t end = std::min(events.size(), scanned_ + budget);
    for (std::size_t i = scanned_; i < end; ++i) {
        const trace::Event& e = events[i];
        pid_t tid = e.tid ? e.tid : e.pid;
        switch (e.kind) {
            case EventKind::GreenSwitch: running_[tid] = e.green; break;
            case EventKind::GreenWake: {
                std::uint32_t& r = running_[tid];
                if (r == 0) r = e.green;
                break;
            }
            case EventKind::GreenPark: {
                std::uint32_t& r = running_[tid];
                if (r == e.green) r = 0;
                break;
            }
            case EventKind::GreenExit: {
                // The greenlet is gone; its connection keeps naming it, for the
                // timeline of the past (conn ids are never reused).
                conns_.erase(key(e.pid, e.green));
                std::uint32_t& r = running_[tid];
                if (r == e.green) r = 0;
                break;
            }
            case EventKind::ReadStart:
            case EventKind::ReadDone:
            case EventKind::Parsed:
            case EventKind::HandlerStart:
            case EventKind::WriteStart: {
                if (e.conn == 0) break;
                std::uint32_t green = e.green;
                if (green == 0) {
                    auto it = running_.find(tid);
                    if (it == running_.end() || it->second == 0) break;  // not a green thread, or the main greenlet
                    green = it->second;
                }
                if (conns_.try_emplace(key(e.pid, green), e.conn).second) {
                    // Bounded: past a million connections the oldest mappings are
                    // forgotten at once (their steps then go to the hub's lane).
                    if (greens_.size() >= kMaxRemembered) greens_.clear();
                    greens_.try_emplace(e.conn, green);
                }
                break;
            }
            default: break;
        }
    }
    scanned_ = end;
}

std::uint64_t GreenConnIndex::conn_of(pid_t pid, std::uint32_t green) const {
    auto it = conns_.find(key(pid, green));
    return it == conns_.end() ? 0 : it->second;
}

std::uint32_t GreenConnIndex::green_of(std::uint64_t conn) const {
    auto it = greens_.find(conn);
    return it == greens_.end() ? 0 : it->second;
}

}  // namespace minicorn::studio
