// app/minicorn/lesson_run.cpp — `minicorn lesson run NAME`: a lesson in a
// terminal. Each step prints its narration and what it points at, asks its
// question before the engine answers (a letter on stdin; --auto answers
// nothing), performs its actions, stops at its frozen instant, then shows
// the measured answer, the explanation, the claims checked and the server's
// log lines of the step.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "app/minicorn/commands.h"
#include "engine/lesson/check.h"
#include "engine/lesson/child_engine.h"
#include "engine/lesson/runner.h"

namespace minicorn::cli {

namespace {

std::string read_line(bool auto_answer) {
    if (auto_answer) return "";
    std::string s;
    if (!std::getline(std::cin, s)) return "";
    return s;
}

void indent(const std::string& text) {
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::printf("  %s\n", line.c_str());
        if (end == std::string::npos) break;
        start = end + 1;
    }
}

void say(const lesson::Step& s) {
    if (!s.say.empty()) indent(s.say);
    for (const lesson::Highlight& h : s.highlights) std::printf("  [look at: %s]\n", h.name.c_str());
}

int ask_before(const lesson::Ask& ask, bool auto_answer) {
    if (!ask.present()) return -1;
    std::printf("\n? ");
    indent(ask.question);
    for (std::size_t i = 0; i < ask.choices.size(); ++i) {
        std::printf("    %s) %s\n", lesson::choice_letter(static_cast<int>(i)).c_str(), ask.choices[i].text.c_str());
    }
    std::printf("  your guess (a letter, Enter to skip): ");
    std::fflush(stdout);
    std::string pick = read_line(auto_answer);
    if (auto_answer) std::printf("(--auto)\n");
    if (pick.size() == 1 && pick[0] >= 'a' && pick[0] < 'a' + static_cast<int>(ask.choices.size())) return pick[0] - 'a';
    return -1;
}

void reveal(const lesson::Ask& ask, const lesson::AskResult& r, int pick) {
    std::printf("\n= the engine says: %s) %s   (%s)\n", lesson::choice_letter(r.measured).c_str(),
                r.measured >= 0 ? ask.choices[static_cast<std::size_t>(r.measured)].text.c_str() : "no choice matched",
                r.figure.c_str());
    if (pick >= 0) std::printf("  you said %s) — %s\n", lesson::choice_letter(pick).c_str(), pick == r.measured ? "right" : "not this time");
    if (!ask.explanation.empty()) indent(ask.explanation);
}

}  // namespace

int run_lesson(const lesson::Lesson& l, bool auto_answer) {
    std::printf("%s\n%s\n\n%s\n", l.title.c_str(), std::string(l.title.size(), '=').c_str(), l.summary.c_str());
    for (const std::string& s : l.sources) std::printf("  source: %s\n", s.c_str());
    lesson::ChildEngine engine(lesson::self_exe());
    std::string error;
    std::printf("\nstarting: minicorn serve");
    for (const std::string& a : l.serve_args) std::printf(" %s", a.c_str());
    std::printf("\n");
    if (!engine.start(l.serve_args, &error)) {
        std::fprintf(stderr, "minicorn lesson: %s\n", error.c_str());
        return 1;
    }
    lesson::Runner runner(l, engine);
    std::size_t claims_seen = 0;
    std::size_t log_seen = 0;
    int status = 0;
    for (std::size_t i = 0; i < l.steps.size() && status == 0; ++i) {
        const lesson::Step& s = l.steps[i];
        std::printf("\n--- step %zu of %zu%s%s\n", i + 1, l.steps.size(), s.title.empty() ? "" : ": ", s.title.c_str());
        // A step that freezes an instant describes that instant: its say waits for it.
        if (!s.has_pause) say(s);
        const int pick = ask_before(s.ask, auto_answer);
        for (const lesson::Action& a : s.actions) std::printf("  > %s\n", a.text.c_str());
        runner.start_step(i);
        while (true) {
            lesson::StepPhase p = runner.tick();
            if (p == lesson::StepPhase::Paused) {
                std::printf("  || paused: %s\n", s.pause_when.cond.text.c_str());
                say(s);
                std::printf("     (Enter to go on) ");
                std::fflush(stdout);
                if (auto_answer) ::sleep(1);
                read_line(auto_answer);
                if (auto_answer) std::printf("\n");
                runner.resume();
            }
            if (p == lesson::StepPhase::Done || p == lesson::StepPhase::Failed) break;
            ::usleep(10'000);
        }
        if (runner.ask_result()) reveal(s.ask, *runner.ask_result(), pick);
        for (; claims_seen < runner.claims().size(); ++claims_seen) {
            const lesson::Claim& c = runner.claims()[claims_seen];
            std::printf("  %s %s: %s — %s\n", c.held ? "ok" : "NOT", c.kind.c_str(), c.text.c_str(), c.figure.c_str());
        }
        std::string log = engine.log();
        if (log.size() > log_seen) {
            std::printf("  server log:\n");
            indent(log.substr(log_seen));
            log_seen = log.size();
        }
        if (runner.phase() == lesson::StepPhase::Failed) {
            std::printf("\nThis lesson's claim did not hold: %s\n", lesson::describe_failure(l, *runner.failure()).c_str());
            status = 1;
        } else if (i + 1 < l.steps.size() && !auto_answer) {
            std::printf("  (Enter for the next step) ");
            std::fflush(stdout);
            read_line(false);
        }
    }
    runner.stop_requests();
    engine.stop();
    return status;
}

}  // namespace minicorn::cli
