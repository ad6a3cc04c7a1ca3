#include "engine/sys/clock.h"

#include <time.h>

#include <cerrno>
#include <cmath>

namespace minicorn::sys {

double wall_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void sleep_for_seconds(double seconds) {
    if (seconds <= 0) return;
    timespec req{};
    req.tv_sec = static_cast<time_t>(seconds);
    req.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
    timespec rem{};
    while (::nanosleep(&req, &rem) != 0 && errno == EINTR) req = rem;
}

}  // namespace minicorn::sys
