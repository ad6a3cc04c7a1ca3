// tests/lesson/test_lesson_parse.cpp — the lesson format: what a teacher
// writes comes out as a Lesson, and every mistake is refused at load time
// with FILE:LINE and what was expected.
#include <catch2/catch.hpp>

#include <string>

#include <fstream>
#include <iterator>

#include "engine/lesson/catalogue.h"
#include "engine/lesson/doc.h"
#include "engine/lesson/highlights.h"
#include "engine/lesson/parse.h"
#include "engine/lesson/vocabulary.h"

using namespace minicorn::lesson;

namespace {

const char* kGood = R"(# a comment
title: One request at a time
summary: A sync worker serves one request at a time.
models: sync, gthread
answers: the blog post's part 1
source: https://example.org/a
source: https://example.org/b
serve: -k sync -w 1 -t 30

step: first
say:
    One **sync** worker.

    A second paragraph.
highlight: worker 1

step: two requests
ask: When does B get its answer?
measure: latency(B)
choice: after about 1 s | < 1.5s
choice: after about 2 s | >= 1.5s
expected: b
explanation: Because.
do: A = GET /io?ms=1000
do: sleep 0.1s
do: B = GET /io?ms=1000
pause_when: running(A) and waiting(B) within 3s
highlight: request A
wait: finished(A) and finished(B) within 6s
expect: latency(B) >= 1.8s
expect: max_concurrent(handler, worker 1) == 1
expect: state(worker 1) != handling
expect: not dropped(A)
)";

// The lesson kGood with line `line` (1-based) replaced by `text`.
std::string with_line(int line, const std::string& text) {
    std::string s = kGood;
    std::size_t start = 0;
    for (int i = 1; i < line; ++i) start = s.find('\n', start) + 1;
    std::size_t end = s.find('\n', start);
    return s.substr(0, start) + text + s.substr(end);
}

// The only error of parsing `text`, which must be refused.
std::string only_error(const std::string& text) {
    ParseResult r = parse_lesson(text, "lessons/99-test.lesson");
    REQUIRE_FALSE(r.lesson);
    REQUIRE(r.errors.size() == 1);
    return r.errors.front();
}

}  // namespace

TEST_CASE("a lesson file reads into its header and steps", "[lesson]") {
    ParseResult r = parse_lesson(kGood, "lessons/99-test.lesson");
    INFO((r.errors.empty() ? "" : r.errors.front()));
    REQUIRE(r.lesson);
    const Lesson& l = *r.lesson;
    CHECK(l.number == 99);
    CHECK(l.id == "99-test");
    CHECK(l.title == "One request at a time");
    CHECK(l.models == std::vector<std::string>{"sync", "gthread"});
    CHECK(l.sources.size() == 2);
    CHECK(l.serve_args == std::vector<std::string>{"-k", "sync", "-w", "1", "-t", "30"});
    REQUIRE(l.steps.size() == 2);
    CHECK(l.steps[0].say == "One **sync** worker.\n\nA second paragraph.");
    CHECK(l.steps[0].highlights.front().name == "worker 1");
    const Step& s = l.steps[1];
    REQUIRE(s.actions.size() == 3);
    CHECK(s.actions[0].kind == Action::Kind::Send);
    CHECK(s.actions[0].name == "A");
    CHECK(s.actions[0].target == "/io?ms=1000");
    CHECK(s.actions[1].kind == Action::Kind::Sleep);
    CHECK(s.actions[1].seconds == Approx(0.1));
    CHECK(s.has_pause);
    CHECK(s.pause_when.limit_s == 3);
    CHECK(s.pause_when.cond.all.size() == 2);
    CHECK(s.wait.limit_s == 6);
    REQUIRE(s.ask.choices.size() == 2);
    CHECK(s.ask.expected == 1);
    CHECK(s.ask.choices[1].when.op == Op::Ge);
    CHECK(s.ask.choices[1].when.rhs.number == Approx(1.5));
    CHECK(s.expects.size() == 4);
    CHECK(s.expects[3].all.front().negate);
}

TEST_CASE("an unknown field is refused with its line and the fields expected", "[lesson]") {
    std::string e = only_error(with_line(12, "sayy: hello"));
    CHECK(e.starts_with("lessons/99-test.lesson:12: unknown field 'sayy'"));
    CHECK(e.find("say, do, wait, pause_when, highlight, ask") != std::string::npos);
}

TEST_CASE("an unknown measure is refused with its line", "[lesson]") {
    std::string e = only_error(with_line(30, "expect: lateny(B) >= 1.8s"));
    CHECK(e.starts_with("lessons/99-test.lesson:30: unknown measure 'lateny'"));
}

TEST_CASE("a request name never sent is refused with the names that were", "[lesson]") {
    std::string e = only_error(with_line(30, "expect: latency(C) >= 1.8s"));
    CHECK(e.starts_with("lessons/99-test.lesson:30: unknown request name 'C'"));
    CHECK(e.find("A, B") != std::string::npos);
    // A request sent only in a later step does not exist yet.
    std::string later = with_line(15, "highlight: request A");
    CHECK(only_error(later).starts_with("lessons/99-test.lesson:15: unknown highlight target 'request A'"));
}

TEST_CASE("an unknown highlight target is refused with the names expected", "[lesson]") {
    std::string e = only_error(with_line(15, "highlight: worker 1 heap"));
    CHECK(e.starts_with("lessons/99-test.lesson:15: unknown highlight target 'worker 1 heap'"));
    CHECK(e.find("worker N hub") != std::string::npos);
    std::string err;
    CHECK(valid_highlight("worker 2 executor queue", {}, &err));
    CHECK(valid_highlight("request A greenlet", {"A"}, &err));
    CHECK_FALSE(valid_highlight("worker x", {}, &err));
}

TEST_CASE("mistakes in actions, comparisons and questions say what was expected", "[lesson]") {
    CHECK(only_error(with_line(25, "do: sleep a while")).starts_with("lessons/99-test.lesson:25: unknown action 'sleep a while'"));
    CHECK(only_error(with_line(25, "do: signal HUPP")).find("unknown signal 'HUPP'") != std::string::npos);
    CHECK(only_error(with_line(25, "do: C = POST /x")).find("the method is GET or HEAD") != std::string::npos);
    CHECK(only_error(with_line(30, "expect: latency(B) >= 2")).find("write it with its unit") != std::string::npos);
    CHECK(only_error(with_line(30, "expect: latency(B)")).find("compare it") != std::string::npos);
    CHECK(only_error(with_line(30, "expect: finished(B) == 1")).find("yes/no predicate") != std::string::npos);
    CHECK(only_error(with_line(30, "expect: state(worker 1) == dancing")).find("state is one of: spawned") != std::string::npos);
    CHECK(only_error(with_line(30, "expect: state(1) == idle")).find("expected a worker such as `worker 1`") != std::string::npos);
    CHECK(only_error(with_line(22, "expected: c")).starts_with("lessons/99-test.lesson:22: expected: 'c' names no choice"));
    ParseResult r = parse_lesson(with_line(20, "choice: after about 1 s"), "lessons/99-test.lesson");
    REQUIRE_FALSE(r.errors.empty());
    CHECK(r.errors.front().starts_with("lessons/99-test.lesson:20: expected `choice: what the learner reads | the comparison`"));
}

TEST_CASE("a header field below a step, and a field outside any step, are refused", "[lesson]") {
    CHECK(only_error(with_line(30, "title: again")).starts_with("lessons/99-test.lesson:30: 'title' is a header field"));
    std::string no_step = "title: t\nserve: -k sync\nsay: hello\nstep: s\n";
    CHECK(only_error(no_step).starts_with("lessons/99-test.lesson:3: 'say' belongs to a step"));
}

TEST_CASE("every error in a file is reported, not only the first", "[lesson]") {
    std::string text = with_line(12, "sayy: x");
    text = text.substr(0, text.rfind("expect: not dropped(A)")) + "expect: wat(A)\n";
    ParseResult r = parse_lesson(text, "lessons/99-test.lesson");
    CHECK_FALSE(r.lesson);
    CHECK(r.errors.size() == 2);
}

TEST_CASE("every lesson in lessons/ loads", "[lesson]") {
    const auto files = lesson_files(lessons_dir(""));
    REQUIRE(files.size() >= 5);
    for (const std::string& f : files) {
        ParseResult r = load_lesson(f);
        INFO(f << ": " << (r.errors.empty() ? "" : r.errors.front()));
        CHECK(r.lesson);
        if (r.lesson) {
            CHECK_FALSE(r.lesson->summary.empty());
            CHECK_FALSE(r.lesson->sources.empty());
            CHECK_FALSE(r.lesson->answers.empty());
            CHECK(r.lesson->number >= 0);
        }
    }
}

TEST_CASE("lesson names pick files by number or by name", "[lesson]") {
    const std::string dir = lessons_dir("");
    CHECK(find_lesson(dir, "01").ends_with("01-sync-one-at-a-time.lesson"));
    CHECK(find_lesson(dir, "1").ends_with("01-sync-one-at-a-time.lesson"));
    CHECK(find_lesson(dir, "01-sync-one-at-a-time").ends_with("01-sync-one-at-a-time.lesson"));
    CHECK(find_lesson(dir, "77").empty());
}

TEST_CASE("docs/lessons.md lists every measure and highlight name, as the tables say", "[lesson]") {
    std::ifstream in(lessons_dir("") + "/../docs/lessons.md");
    const std::string doc(std::istreambuf_iterator<char>(in), {});
    REQUIRE_FALSE(doc.empty());
    INFO("regenerate with: minicorn lesson vocabulary");
    CHECK(doc.find(measures_markdown()) != std::string::npos);
    CHECK(doc.find(highlights_markdown()) != std::string::npos);
}
