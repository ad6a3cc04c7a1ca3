// engine/compare/trace_fold.h — what `minicorn compare` takes from a server's
// trace, folded as the events come (nothing is kept): the master's pid, the
// workers that booted, requests in the application per worker (and the peak),
// WORKER TIMEOUTs, events lost to full rings.
//
// Thread affinity: one thread (the run's).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <set>

#include "engine/trace/recording.h"

namespace minicorn::compare {

class TraceFold final : public trace::EventSink {
public:
    void append(std::span<const trace::Event> sorted) override;
    std::uint64_t last_time() const override { return last_; }

    pid_t arbiter_pid() const { return arbiter_; }
    const std::set<pid_t>& booted() const { return booted_; }
    int peak_handlers() const;
    int worker_timeouts() const { return timeouts_; }
    std::uint64_t dropped() const { return dropped_; }
    // From now on only peaks and timeouts seen after this call count (the load starts).
    void reset_counts();

private:
    struct Worker {
        int in_handler = 0;
        int peak = 0;
    };
    std::map<pid_t, Worker> workers_;
    std::set<pid_t> booted_;
    pid_t arbiter_ = 0;
    int timeouts_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t last_ = 0;
};

}  // namespace minicorn::compare
