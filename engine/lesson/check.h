// engine/lesson/check.h — one lesson checked on a real engine, headless: the
// scenario started (ChildEngine), every step run (a pause_when's frozen
// instant judged and released at once), every claim kept. What
// `minicorn lesson check` does per lesson, and what tests call.
//
// Blocking; call it from any thread (lessons may be checked side by side).
#pragma once

#include <string>
#include <vector>

#include "engine/lesson/lesson.h"
#include "engine/lesson/runner.h"

namespace minicorn::lesson {

struct CheckResult {
    bool passed = false;
    double seconds = 0;
    std::vector<Claim> claims;
    std::string error;      // the engine could not start, or the lesson ran out of time
    std::string failure;    // "step 2 (FILE:LINE): expect latency(B) >= 1.8s — latency(B) = 1.02 s"
    std::string figures;    // the measured figures, "; "-joined
    std::string log_tail;   // failed: the server's last log lines (what it said happened)
};

// `minicorn_bin`: the executable to start `serve` from.
CheckResult check_lesson(const Lesson& lesson, const std::string& minicorn_bin);

// "step 2 (lessons/01-x.lesson:23): expect latency(B) >= 1.8s — latency(B) = 1.02 s"
std::string describe_failure(const Lesson& lesson, const Claim& c);

}  // namespace minicorn::lesson
