// app/minicorn/lesson_cmd.cpp — `minicorn lesson list | run NAME | check`.
//
//   list                      number, title, models, what it answers; the
//                             planned lessons not written yet, and what they need
//   run NAME [--auto]         lesson_run.cpp: narration, questions on stdin
//   vocabulary                the measures and highlight names, as Markdown
//   check [NAME…|--all]       every claim of each lesson on a real engine, one
//                             line per lesson; exit 1 if any claim did not hold
// Lessons checked side by side (--jobs, 3 by default) each start their own
// engine; those that send CPU work run alone, after the others.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "app/minicorn/commands.h"
#include "engine/lesson/catalogue.h"
#include "engine/lesson/check.h"
#include "engine/lesson/child_engine.h"
#include "engine/lesson/doc.h"
#include "engine/lesson/parse.h"

namespace minicorn::cli {

namespace {

constexpr const char* kUsage =
    "usage: minicorn lesson list [--dir DIR]\n"
    "       minicorn lesson run NAME [--auto] [--dir DIR]\n"
    "       minicorn lesson check [NAME…|--all] [--jobs N] [--dir DIR]\n"
    "       minicorn lesson vocabulary\n"
    "\n"
    "Lessons teach what gunicorn's worker models do, on a real engine: each sets up\n"
    "a scenario, asks you to predict, lets the engine answer and explains. NAME is a\n"
    "lesson's number (01) or file name (01-sync-one-at-a-time).\n"
    "\n"
    "  list    the lessons, with the worker models they show and what they answer\n"
    "  run     a lesson in this terminal: the narration step by step, the questions\n"
    "          on stdin (--auto: answers nothing, goes on by itself)\n"
    "  check   runs each lesson and checks every claim it makes against the engine;\n"
    "          one line per lesson, exit status 1 if any claim did not hold\n"
    "  vocabulary  the measures a lesson may use and the things it may highlight\n"
    "\n"
    "options:\n"
    "  --dir DIR   where the .lesson files are (default: the source tree's lessons/)\n"
    "  --jobs N    check: lessons run side by side (default 3)\n";

struct Options {
    std::string verb;
    std::vector<std::string> names;
    std::string dir;
    bool all = false;
    bool auto_answer = false;
    int jobs = 3;
};

bool parse_options(const std::vector<std::string>& args, Options* o, std::string* error) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* flag) -> const std::string* {
            if (i + 1 < args.size()) return &args[++i];
            *error = fmt::format("{} needs a value", flag);
            return nullptr;
        };
        if (a == "--dir") {
            const std::string* v = value("--dir");
            if (!v) return false;
            o->dir = *v;
        } else if (a == "--jobs") {
            const std::string* v = value("--jobs");
            if (!v) return false;
            o->jobs = std::max(1, std::atoi(v->c_str()));
        } else if (a == "--all") {
            o->all = true;
        } else if (a == "--auto") {
            o->auto_answer = true;
        } else if (!a.empty() && a[0] == '-') {
            *error = fmt::format("unknown option '{}'", a);
            return false;
        } else if (o->verb.empty()) {
            o->verb = a;
        } else {
            o->names.push_back(a);
        }
    }
    return true;
}

// Loads the lessons `names` picks (all of them with --all); prints every error.
bool load_lessons(const Options& o, std::vector<lesson::Lesson>* out) {
    const std::string dir = lesson::lessons_dir(o.dir);
    std::vector<std::string> paths;
    if (o.all || o.names.empty()) paths = lesson::lesson_files(dir);
    for (const std::string& n : o.names) {
        std::string p = lesson::find_lesson(dir, n);
        if (p.empty()) {
            std::fprintf(stderr, "minicorn lesson: no lesson '%s' in %s (minicorn lesson list shows them)\n", n.c_str(),
                         dir.c_str());
            return false;
        }
        paths.push_back(p);
    }
    if (paths.empty()) {
        std::fprintf(stderr, "minicorn lesson: no .lesson files in %s\n", dir.c_str());
        return false;
    }
    bool ok = true;
    for (const std::string& p : paths) {
        lesson::ParseResult r = lesson::load_lesson(p);
        for (const std::string& e : r.errors) std::fprintf(stderr, "%s\n", e.c_str());
        if (r.lesson) out->push_back(std::move(*r.lesson));
        else ok = false;
    }
    return ok;
}

int list_lessons(const Options& o) {
    std::vector<lesson::Lesson> lessons;
    const bool ok = load_lessons(o, &lessons);
    std::map<int, const lesson::Lesson*> by_number;
    for (const lesson::Lesson& l : lessons) by_number[l.number] = &l;
    for (const lesson::PlannedLesson& p : lesson::planned_lessons()) {
        auto it = by_number.find(p.number);
        if (it != by_number.end()) {
            const lesson::Lesson& l = *it->second;
            std::string models;
            for (const std::string& m : l.models) models += (models.empty() ? "" : ", ") + m;
            std::printf("%02d  %s\n    models: %s · answers: %s\n    %s\n", p.number, l.title.c_str(),
                        models.c_str(), l.answers.c_str(), l.id.c_str());
        } else if (!p.needs.empty()) {
            std::printf("%02d  %.*s\n    not written yet: needs %.*s\n", p.number, static_cast<int>(p.title.size()),
                        p.title.data(), static_cast<int>(p.needs.size()), p.needs.data());
        } else {
            std::printf("%02d  %.*s\n    not written yet\n", p.number, static_cast<int>(p.title.size()), p.title.data());
        }
    }
    for (const lesson::Lesson& l : lessons) {
        if (l.number < 0 || l.number >= static_cast<int>(lesson::planned_lessons().size())) {
            std::printf("%s  %s\n", l.id.c_str(), l.title.c_str());
        }
    }
    return ok ? 0 : 1;
}

// A lesson that sends CPU work (/cpu) measures how the CPU is shared: it runs
// alone, after the others, so that neither disturbs the other's timings.
bool needs_the_cpu(const lesson::Lesson& l) {
    for (const lesson::Step& s : l.steps) {
        for (const lesson::Action& a : s.actions) {
            if (a.kind == lesson::Action::Kind::Send && a.target.starts_with("/cpu")) return true;
        }
    }
    return false;
}

int check_lessons(const Options& o) {
    std::vector<lesson::Lesson> lessons;
    if (!load_lessons(o, &lessons)) return 1;
    std::stable_partition(lessons.begin(), lessons.end(), [](const lesson::Lesson& l) { return !needs_the_cpu(l); });
    const auto alone = static_cast<std::size_t>(
        std::count_if(lessons.begin(), lessons.end(), [](const lesson::Lesson& l) { return needs_the_cpu(l); }));
    const std::size_t shared = lessons.size() - alone;
    const std::string bin = lesson::self_exe();
    const auto start = std::chrono::steady_clock::now();
    std::atomic<std::size_t> next{0};
    std::atomic<int> failed{0};
    std::mutex out_mu;
    auto worker = [&](std::size_t end) {
        for (std::size_t i = next++; i < end; i = next++) {
            lesson::CheckResult r = lesson::check_lesson(lessons[i], bin);
            std::lock_guard lock(out_mu);
            if (r.passed) {
                std::printf("PASS %s (%.1f s): %s\n", lessons[i].id.c_str(), r.seconds, r.figures.c_str());
            } else {
                ++failed;
                std::printf("FAIL %s (%.1f s): %s\n", lessons[i].id.c_str(), r.seconds,
                            (r.error.empty() ? r.failure : r.error).c_str());
                if (!r.log_tail.empty()) {
                    std::printf("     the server's last log lines:\n");
                    for (std::size_t at = 0; at < r.log_tail.size();) {
                        std::size_t stop = r.log_tail.find('\n', at);
                        if (stop == std::string::npos) stop = r.log_tail.size();
                        std::printf("       %.*s\n", static_cast<int>(stop - at), r.log_tail.c_str() + at);
                        at = stop + 1;
                    }
                }
            }
            std::fflush(stdout);
        }
    };
    std::vector<std::thread> pool;
    const int jobs = std::min(o.jobs, static_cast<int>(shared));
    for (int j = 0; j < jobs; ++j) pool.emplace_back(worker, shared);
    for (std::thread& t : pool) t.join();
    next = shared;
    worker(lessons.size());  // the CPU lessons, one at a time
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%zu lessons checked in %.1f s: %zu passed, %d failed\n", lessons.size(), secs,
                lessons.size() - static_cast<std::size_t>(failed.load()), failed.load());
    return failed.load() ? 1 : 0;
}

}  // namespace

int lesson_command(const std::vector<std::string>& args) {
    Options o;
    std::string error;
    if (!parse_options(args, &o, &error)) {
        std::fprintf(stderr, "%sminicorn lesson: error: %s\n", kUsage, error.c_str());
        return 2;
    }
    if (o.verb.empty() || o.verb == "-h" || o.verb == "--help" || o.verb == "help") {
        std::fputs(kUsage, o.verb.empty() ? stderr : stdout);
        return o.verb.empty() ? 2 : 0;
    }
    if (o.verb == "list") return list_lessons(o);
    if (o.verb == "vocabulary") {
        std::printf("%s\n%s", lesson::measures_markdown().c_str(), lesson::highlights_markdown().c_str());
        return 0;
    }
    if (o.verb == "check") return check_lessons(o);
    if (o.verb == "run") {
        if (o.names.size() != 1) {
            std::fprintf(stderr, "%sminicorn lesson: error: run takes one lesson\n", kUsage);
            return 2;
        }
        std::vector<lesson::Lesson> lessons;
        if (!load_lessons(o, &lessons)) return 1;
        return run_lesson(lessons.front(), o.auto_answer);
    }
    std::fprintf(stderr, "%sminicorn lesson: error: unknown verb '%s'\n", kUsage, o.verb.c_str());
    return 2;
}

}  // namespace minicorn::cli
