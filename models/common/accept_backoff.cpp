#include "models/common/accept_backoff.h"

#include <algorithm>


namespace minicorn::models {

std::chrono::milliseconds AcceptBackoff::failed(process::Logger& log) {
    if (failures_++ == 0) {
        log.error("accept() failed: out of file descriptors or memory (EMFILE, ENFILE, ENOBUFS or ENOMEM); not "
                  "accepting for a while (retrying after {} ms, then up to every {} ms)",
                  kMinDelay.count(), kMaxDelay.count());
    }
    const std::chrono::milliseconds now = delay_;
    delay_ = std::min(kMaxDelay, delay_ * 2);
    return now;
}

void AcceptBackoff::succeeded(process::Logger& log) {
    if (failures_ == 0) return;
    log.info("accepting again (accept() had failed {} time(s))", failures_);
    failures_ = 0;
    delay_ = kMinDelay;
}

}  // namespace minicorn::models
