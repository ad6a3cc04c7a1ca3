// engine/sys/clock.h — the clocks the engine reads.
//
// Wall time is what gunicorn 20.1 compares heartbeats with (time.time() against
// the heartbeat file's ctime); monotonic time measures durations.
#pragma once

#include <chrono>

namespace minicorn::sys {

using MonoClock = std::chrono::steady_clock;
using MonoTime = MonoClock::time_point;
using WallClock = std::chrono::system_clock;

// Seconds since the epoch as a double, like Python's time.time().
double wall_seconds();

// Sleeps `seconds`, resuming after signal interruptions until the time is up.
void sleep_for_seconds(double seconds);

}  // namespace minicorn::sys
