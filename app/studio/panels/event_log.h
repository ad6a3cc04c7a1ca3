// app/studio/panels/event_log.h — the Event log: every recorded event, newest
// last (a clipped list, so a million rows cost what is on screen), and the
// lines `minicorn serve` and the client wrote (gunicorn's log).
//
// The filter keeps an index of the matching events, extended with each
// frame's new events only, so filtering a million events costs one pass when
// the filter changes and nothing after.
//
// Thread affinity: the main thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/studio/panels/view.h"
#include "app/studio/session.h"

namespace minicorn::studio {

struct EventLogState {
    bool follow = true;                // keep the newest row in view
    std::string filter;                // a kind ("Accept", "green"; any case) or a pid; empty: every event
    bool show_bookkeeping = false;     // also list samples and bookkeeping (AcceptQueueSample, Heartbeat, …)
    bool matched_bookkeeping = false;  // the show_bookkeeping `matches` was built for
    std::string matched_filter;        // the filter `matches` was built for
    std::vector<std::uint32_t> matches;  // positions of the events the filter keeps (built incrementally)
    std::size_t scanned = 0;           // events of the Recording looked at for `matches`
    std::vector<LogLine> output;       // the children's lines, newest last
    std::uint64_t output_seq = 0;      // the last line taken from the Session
};

void draw_event_log(const View& view, EventLogState& state);
// The "server log" tab alone: the children's output, wrapped to the panel.
void draw_server_log(EventLogState& state);

}  // namespace minicorn::studio
