// models/common/accept_backoff.h — what an acceptor does when the process is
// out of file descriptors or memory (accept(2): EMFILE, ENFILE, ENOBUFS,
// ENOMEM), as gevent's BaseServer._do_read does: stop accepting, retry after
// a delay that doubles from 10 ms up to 1 s while accept keeps failing, back
// to 10 ms after one succeeds. Meanwhile the listener stays unwatched, so a
// readable listener does not spin the worker, and the connections already
// open go on being served. Unlike gevent (which prints each failure) the
// error is logged once per episode: failures that follow each other with
// less than kMaxDelay of working accepts between them are one episode. Its
// end is logged at the first accept that works kMaxDelay after the last
// failure. Times are engine time.
//
// Used by every model that can hold many connections (gevent, eventlet,
// asyncio, gthread, tornado). Where the originals differ (read from their
// code, not observed): gunicorn 20.1's gthread re-raises EMFILE out of its
// run loop (the worker dies, the arbiter boots another), eventlet's acceptor
// greenthread dies with it (the worker stops accepting), tornado's
// accept_handler raises into the IOLoop, which logs it and polls the still
// readable listener again (a logging spin); minicorn backs off in all of them.
//
// Thread affinity: the acceptor's thread (or greenlet) only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "engine/process/log.h"

namespace minicorn::models {

class AcceptBackoff {
public:
    static constexpr std::chrono::milliseconds kMinDelay{10};
    static constexpr std::chrono::milliseconds kMaxDelay{1000};

    // An accept failed for want of fds or memory (AcceptResult::Exhausted):
    // how long to stop accepting.
    std::chrono::milliseconds failed(process::Logger& log);
    // An accept succeeded (or found nobody waiting): the episode, if any, ends.
    void succeeded(process::Logger& log);
    bool backing_off() const { return failures_ > 0; }

private:
    std::chrono::milliseconds delay_ = kMinDelay;
    std::size_t failures_ = 0;  // in this episode (0: none open)
    std::int64_t last_failure_ns_ = 0;
};

}  // namespace minicorn::models
