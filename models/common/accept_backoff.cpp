#include "models/common/accept_backoff.h"

#include <algorithm>

#include "engine/trace/emit.h"


namespace minicorn::models {

std::chrono::milliseconds AcceptBackoff::failed(process::Logger& log) {
    if (failures_++ == 0) {
        log.error("accept() failed: out of file descriptors or memory (EMFILE, ENFILE, ENOBUFS or ENOMEM); not "
                  "accepting for a while (retrying after {} ms, then up to every {} ms)",
                  kMinDelay.count(), kMaxDelay.count());
    }
    last_failure_ns_ = trace::engine_now_ns();
    const std::chrono::milliseconds wait = delay_;
    delay_ = std::min(kMaxDelay, delay_ * 2);
    return wait;
}

void AcceptBackoff::succeeded(process::Logger& log) {
    if (failures_ == 0) return;
    delay_ = kMinDelay;  // gevent: self.delay = self.min_delay after each accept that works
    if (trace::engine_now_ns() - last_failure_ns_ < std::chrono::nanoseconds(kMaxDelay).count()) return;
    log.info("accepting again (accept() had failed {} time(s))", failures_);
    failures_ = 0;
}

}  // namespace minicorn::models
