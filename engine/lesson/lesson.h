// engine/lesson/lesson.h — a lesson as data: its header, its scenario and its
// steps, exactly as lessons/NN-slug.lesson says them (parse.h reads the file;
// docs/lessons.md describes the format). Conditions and measures are already
// resolved against the vocabulary (vocabulary.h), so a Lesson that exists is a
// lesson whose every word was understood.
//
// Plain values; no threads. The studio's lesson player and `minicorn lesson`
// both drive a Lesson through runner.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace minicorn::lesson {

struct MeasureDef;  // vocabulary.h

// Where a piece of a lesson was written, for messages: "lessons/01-sync.lesson:12".
struct Where {
    std::string file;
    int line = 0;
    std::string str() const { return file + ":" + std::to_string(line); }
};

// A parameter of a measure, as written: latency(B) → Request "B";
// state(worker 1) → Worker 1; parked(A, timer) → Request "A", Word "timer";
// log_contains("Using worker") → Text.
struct Arg {
    enum class Kind : std::uint8_t { Request, Worker, Word, Text };
    Kind kind = Kind::Word;
    std::string text;     // the request name, the word, or the text
    std::int64_t n = 0;   // Worker: its number (gunicorn's worker age: 1 is the first spawned)
};

// What a measure yields.
enum class ValueType : std::uint8_t {
    Bool,      // a yes/no predicate: finished(A)
    Count,     // a whole number: accept_queue, threads(worker 1)
    Duration,  // seconds (engine time): latency(B)
    Word,      // one of a closed list: state(worker 1) == handling
};

struct Value {
    ValueType type = ValueType::Bool;
    bool yes = false;
    double number = 0;  // Count, or Duration in seconds
    std::string word;
};

enum class Op : std::uint8_t { None, Eq, Ne, Lt, Le, Gt, Ge };

// One measure with its parameters, optionally compared: `latency(B) >= 0.9s`,
// `finished(A)`, `not hub_blocked(worker 1)`.
struct Term {
    const MeasureDef* measure = nullptr;
    std::vector<Arg> args;
    Op op = Op::None;      // None: a Bool measure on its own
    Value rhs;             // the right side of op
    bool negate = false;   // written `not …`
    std::string text;      // as written, for messages
};

// Terms joined by `and`: all must hold.
struct Condition {
    std::vector<Term> all;
    std::string text;
    Where where;
    bool empty() const { return all.empty(); }
};

// A condition with a time limit: `wait: finished(A) within 5s`.
struct TimedCondition {
    Condition cond;
    double limit_s = 10;  // `within`; 10 s when not written
};

// What a step does, in order.
struct Action {
    enum class Kind : std::uint8_t {
        Send,       // A = GET /io?ms=1000       (a named request on its own connection)
        Sleep,      // sleep 0.2s                (before the next action)
        Signal,     // signal TTIN               (to the arbiter)
        KillWorker, // kill worker 1             (SIGKILL, as kill -9)
        StopWorker, // stop worker 1             (SIGSTOP)
        ContWorker, // cont worker 1             (SIGCONT)
        LoadStart,  // load -c 4 --mix /:100     (background traffic: minicorn load flags)
        LoadStop,   // load stop
        Pause,      // pause                     (close the gate)
        Step,       // step 5                    (grant that many gate tokens)
        Play,       // play                      (open the gate)
        Restart,    // restart -k gevent -t 3    (a new engine with these serve flags; waits for its boot)
    };
    Kind kind = Kind::Sleep;
    std::string name;      // Send: the request's name
    std::string method;    // Send: GET
    std::string target;    // Send: the path and query
    double seconds = 0;    // Sleep
    int signo = 0;         // Signal
    std::int64_t n = 0;    // worker number, or Step's token count
    std::vector<std::string> load_args;  // LoadStart; Restart: the serve flags
    std::string text;      // as written
    Where where;
};

// A predict-then-reveal question. The measured answer is the choice whose
// `when` holds for `measure` once the step has run.
struct Choice {
    std::string text;      // what the learner reads
    Term when;             // the measure compared (`< 1.5s`), or a Bool measure's yes/no
    Where where;
};

struct Ask {
    std::string question;          // Markdown
    Term measure;                  // e.g. latency(B), with no comparison
    std::vector<Choice> choices;   // a, b, c … in order
    int expected = -1;             // index into choices
    std::string explanation;       // Markdown, shown after the reveal
    Where where;
    bool present() const { return !choices.empty() || !question.empty(); }
};

// A thing on screen a step points at: "worker 1 hub", "accept queue",
// "request A" (highlights.h lists the names).
struct Highlight {
    std::string name;
    Where where;
};

struct Step {
    std::string title;             // `step: …` (may be empty)
    std::string say;               // Markdown
    std::vector<Action> actions;   // `do:` lines, in order
    std::vector<Highlight> highlights;
    Ask ask;
    bool has_pause = false;
    TimedCondition pause_when;
    bool has_wait = false;
    TimedCondition wait;
    std::vector<Condition> expects;
    Where where;
};

struct Lesson {
    std::string path;              // the file it came from
    std::string id;                // "01-sync-one-at-a-time" (the file name without .lesson)
    int number = -1;               // 1 for 01-…
    std::string title;
    std::string summary;
    std::vector<std::string> models;   // worker classes it shows
    std::string answers;           // the seed claim or FIDELITY §11 confusion it answers
    std::vector<std::string> sources;  // links
    std::vector<std::string> serve_args;  // `serve:` — minicorn serve flags
    std::vector<Step> steps;
};

}  // namespace minicorn::lesson
