// engine/lesson/parse_step.cpp — one step's fields turned into a Step: the
// `do:` actions first (so the requests they send may be named by the step's
// other fields, whatever their order), then the narration, conditions,
// highlights and the question.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <charconv>

#include "engine/lesson/highlights.h"
#include "engine/lesson/parse_internal.h"
#include "engine/lesson/vocabulary.h"

namespace minicorn::lesson::detail {

namespace {

constexpr std::string_view kActions =
    "`A = GET /path`, `sleep 0.5s`, `signal TTIN`, `kill worker 1`, `stop worker 1`, `cont worker 1`, "
    "`load <minicorn load flags>`, `load stop`, `pause`, `step 3`, `play`, `restart <minicorn serve flags>`";

struct SignalName {
    std::string_view name;
    int signo;
};
constexpr SignalName kSignals[] = {{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"HUP", SIGHUP},   {"TERM", SIGTERM},
                                   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
                                   {"WINCH", SIGWINCH}};

bool number(std::string_view s, double* out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size();
}

bool duration(std::string_view s, double* out) {
    if (s.ends_with("ms")) {
        if (!number(s.substr(0, s.size() - 2), out)) return false;
        *out /= 1000;
        return true;
    }
    return s.ends_with("s") && number(s.substr(0, s.size() - 1), out);
}

bool worker_number(std::string_view s, std::int64_t* n) {
    if (s.substr(0, 7) != "worker ") return false;
    std::string_view num = trim(s.substr(7));
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), *n);
    return ec == std::errc() && end == num.data() + num.size() && *n >= 1;
}

bool request_name(std::string_view s) {
    if (s.empty() || !std::isupper(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
    return true;
}

}  // namespace

bool StepParser::action(const RawField& f, Action* a) const {
    a->text = f.value;
    a->where = {file, f.line};
    std::string_view v = trim(f.value);
    if (auto eq = v.find(" = "); eq != std::string_view::npos) {
        a->kind = Action::Kind::Send;
        a->name = std::string(trim(v.substr(0, eq)));
        std::string_view rest = trim(v.substr(eq + 3));
        auto sp = rest.find(' ');
        a->method = std::string(rest.substr(0, sp));
        a->target = sp == std::string_view::npos ? "" : std::string(trim(rest.substr(sp)));
        if (!request_name(a->name)) {
            error(f.line, fmt::format("a request's name starts with a capital letter (A, B, Slow1); got '{}'", a->name));
            return false;
        }
        if (a->method != "GET" && a->method != "HEAD") {
            error(f.line, fmt::format("expected `{} = GET /path`: the method is GET or HEAD, got '{}'", a->name, a->method));
            return false;
        }
        if (a->target.empty() || a->target[0] != '/' || a->target.find(' ') != std::string::npos) {
            error(f.line, fmt::format("expected `{} = {} /path`: the target starts with / and has no spaces", a->name,
                                      a->method));
            return false;
        }
        if (std::find(sent.begin(), sent.end(), a->name) != sent.end()) {
            error(f.line, fmt::format("request {} is sent twice; give each request its own name", a->name));
            return false;
        }
        sent.push_back(a->name);
        return true;
    }
    auto sp = v.find(' ');
    std::string_view verb = v.substr(0, sp);
    std::string_view arg = sp == std::string_view::npos ? "" : trim(v.substr(sp));
    if (verb == "sleep" && duration(arg, &a->seconds)) a->kind = Action::Kind::Sleep;
    else if (verb == "pause" && arg.empty()) a->kind = Action::Kind::Pause;
    else if (verb == "play" && arg.empty()) a->kind = Action::Kind::Play;
    else if (verb == "load" && arg == "stop") a->kind = Action::Kind::LoadStop;
    else if (verb == "step") {
        double n = 0;
        if (!number(arg, &n) || n < 1) {
            error(f.line, fmt::format("expected `step N` (N gate steps, 1 or more), got '{}'", v));
            return false;
        }
        a->kind = Action::Kind::Step;
        a->n = static_cast<std::int64_t>(n);
    } else if ((verb == "load" || verb == "restart") && !arg.empty()) {
        a->kind = verb == "load" ? Action::Kind::LoadStart : Action::Kind::Restart;
        std::string cur;
        for (char c : arg) {
            if (c == ' ') {
                if (!cur.empty()) a->load_args.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        if (!cur.empty()) a->load_args.push_back(cur);
    } else if ((verb == "kill" || verb == "stop" || verb == "cont") && worker_number(arg, &a->n)) {
        a->kind = verb == "kill" ? Action::Kind::KillWorker : verb == "stop" ? Action::Kind::StopWorker
                                                                             : Action::Kind::ContWorker;
    } else if (verb == "signal") {
        for (const SignalName& s : kSignals) {
            if (arg == s.name) {
                a->kind = Action::Kind::Signal;
                a->signo = s.signo;
                return true;
            }
        }
        error(f.line, fmt::format("unknown signal '{}'; expected TTIN, TTOU, HUP, TERM, INT, QUIT, USR1, USR2 or WINCH", arg));
        return false;
    } else {
        error(f.line, fmt::format("unknown action '{}'; expected one of: {}", v, kActions));
        return false;
    }
    return true;
}

bool StepParser::timed(const RawField& f, TimedCondition* out) const {
    std::string_view v = trim(f.value);
    if (auto w = v.rfind(" within "); w != std::string_view::npos) {
        if (!duration(trim(v.substr(w + 8)), &out->limit_s)) {
            error(f.line, fmt::format("expected `within` and a duration such as 5s, got '{}'", v.substr(w + 8)));
            return false;
        }
        v = v.substr(0, w);
    }
    std::string err;
    out->cond.where = {file, f.line};
    if (!parse_condition(v, sent, &out->cond, &err)) {
        error(f.line, err);
        return false;
    }
    return true;
}

void StepParser::ask_field(const RawField& f, Step& step) const {
    Ask& ask = step.ask;
    std::string err;
    if (f.key == "ask") {
        ask.question = f.value;
        ask.where = {file, f.line};
    } else if (f.key == "measure") {
        if (!parse_term(f.value, sent, &ask.measure, &err, true)) error(f.line, err);
        else if (ask.measure.op != Op::None || ask.measure.negate) {
            error(f.line, "`measure:` names the measure alone (latency(B)); each `choice:` says its comparison after |");
            ask.measure.measure = nullptr;
        }
    } else if (f.key == "choice") {
        auto bar = f.value.rfind('|');
        if (bar == std::string::npos) {
            error(f.line, "expected `choice: what the learner reads | the comparison`, e.g. `choice: about 2 s | >= 1.5s`");
            return;
        }
        if (ask.measure.measure == nullptr) {
            error(f.line, "a `choice:` needs the `measure:` it is compared against above it");
            return;
        }
        Choice c;
        c.text = std::string(trim(std::string_view(f.value).substr(0, bar)));
        c.where = {file, f.line};
        if (!parse_when(std::string_view(f.value).substr(bar + 1), ask.measure, &c.when, &err)) error(f.line, err);
        else ask.choices.push_back(std::move(c));
    } else if (f.key == "explanation") {
        ask.explanation = f.value;
    }
}

void StepParser::finish_ask(Step& step, const std::string& expected, int line) const {
    Ask& ask = step.ask;
    const int at = line ? line : ask.where.line;
    if (ask.question.empty() && ask.choices.empty() && expected.empty() && ask.measure.measure == nullptr) return;
    if (ask.question.empty()) error(at, "a step with choices needs its question: `ask: …`");
    if (ask.measure.measure == nullptr) error(at, "the question needs `measure:` (what the trace answers it with)");
    if (ask.choices.size() < 2) error(at, "the question needs at least two `choice:` lines");
    if (expected.empty()) {
        error(at, "the question needs `expected:` (the letter of the right choice: a, b, …)");
        return;
    }
    for (std::size_t i = 0; i < ask.choices.size(); ++i) {
        if (expected == std::string(1, static_cast<char>('a' + i)) || expected == ask.choices[i].text) {
            ask.expected = static_cast<int>(i);
        }
    }
    if (ask.expected < 0 && !ask.choices.empty()) {
        error(line, fmt::format("expected: '{}' names no choice; write a letter from a to {} (choices in order)",
                                expected, static_cast<char>('a' + ask.choices.size() - 1)));
    }
}

Step StepParser::build(const std::vector<RawField>& fields) const {
    Step step;
    step.title = fields.front().value;
    step.where = {file, fields.front().line};
    for (const RawField& f : fields) {
        if (f.key != "do") continue;
        Action a;
        if (action(f, &a)) step.actions.push_back(std::move(a));
    }
    std::string expected;
    int expected_line = 0;
    for (const RawField& f : fields) {
        std::string err;
        if (f.key == "say") {
            if (!step.say.empty()) error(f.line, "a step has one `say:`; continue the narration on indented lines");
            step.say = f.value;
        } else if (f.key == "wait") {
            if (step.has_wait) error(f.line, "a step has one `wait:`; join conditions with `and`");
            step.has_wait = timed(f, &step.wait);
        } else if (f.key == "pause_when") {
            if (step.has_pause) error(f.line, "a step has one `pause_when:`; join conditions with `and`");
            step.has_pause = timed(f, &step.pause_when);
        } else if (f.key == "expect") {
            Condition c;
            c.where = {file, f.line};
            if (parse_condition(f.value, sent, &c, &err)) step.expects.push_back(std::move(c));
            else error(f.line, err);
        } else if (f.key == "highlight") {
            if (valid_highlight(trim(f.value), sent, &err)) step.highlights.push_back({std::string(trim(f.value)), {file, f.line}});
            else error(f.line, err);
        } else if (f.key == "expected") {
            expected = f.value;
            expected_line = f.line;
        } else if (f.key != "step" && f.key != "do") {
            ask_field(f, step);
        }
    }
    finish_ask(step, expected, expected_line);
    return step;
}

}  // namespace minicorn::lesson::detail
