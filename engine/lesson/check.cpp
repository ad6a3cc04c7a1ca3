// engine/lesson/check.cpp — a lesson run headless from its first step to its
// last, or to its first claim that did not hold.
#include "engine/lesson/check.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>

#include "engine/lesson/child_engine.h"

namespace minicorn::lesson {

namespace {
// A lesson is meant to take ~15 s; past this something hangs.
constexpr double kLessonLimitS = 90;
// A failed lesson shows this many of the server's last log lines.
constexpr std::size_t kLogTailLines = 12;

std::string last_lines(const std::string& text, std::size_t n) {
    std::size_t from = text.size();
    if (from > 0 && text[from - 1] == '\n') --from;
    for (std::size_t seen = 0; from > 0; --from) {
        if (text[from - 1] == '\n' && ++seen == n) break;
    }
    return text.substr(from);
}
}  // namespace

std::string describe_failure(const Lesson& lesson, const Claim& c) {
    std::size_t step = 0;
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        if (lesson.steps[i].where.line <= c.where.line) step = i + 1;
    }
    return fmt::format("step {} ({}): {} `{}` did not hold — {}", step, c.where.str(), c.kind, c.text, c.figure);
}

CheckResult check_lesson(const Lesson& lesson, const std::string& minicorn_bin) {
    CheckResult out;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    ChildEngine engine(minicorn_bin);
    if (!engine.start(lesson.serve_args, &out.error)) {
        out.seconds = elapsed();
        return out;
    }
    {
        Runner runner(lesson, engine);
        for (std::size_t i = 0; i < lesson.steps.size() && out.error.empty(); ++i) {
            runner.start_step(i);
            while (true) {
                StepPhase p = runner.tick();
                if (p == StepPhase::Paused) runner.resume();
                if (p == StepPhase::Done || p == StepPhase::Failed) break;
                if (elapsed() > kLessonLimitS) {
                    out.error = fmt::format("step {} still {} after {} s", i + 1, to_string(p), kLessonLimitS);
                    break;
                }
                ::usleep(10'000);
            }
            if (runner.phase() == StepPhase::Failed) break;
        }
        out.claims = runner.claims();
        if (const Claim* c = runner.failure()) out.failure = describe_failure(lesson, *c);
        runner.stop_requests();
    }
    if (!out.error.empty() || !out.failure.empty()) out.log_tail = last_lines(engine.log(), kLogTailLines);
    engine.stop();
    // The figures of the claims judged; a lesson that only waits shows its waits'.
    for (const bool waits : {false, true}) {
        for (const Claim& c : out.claims) {
            if ((c.kind == "wait") != waits || c.figure.empty()) continue;
            out.figures += (out.figures.empty() ? "" : "; ") + c.figure;
        }
        if (!out.figures.empty()) break;
    }
    out.passed = out.error.empty() && out.failure.empty();
    out.seconds = elapsed();
    return out;
}

}  // namespace minicorn::lesson
