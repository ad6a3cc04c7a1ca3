// engine/lesson/parse.cpp — a lesson file split into fields (continuation
// lines joined, comments dropped), the header read, the steps handed to
// StepParser (parse_step.cpp).
#include "engine/lesson/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "engine/lesson/parse_internal.h"

namespace minicorn::lesson {

namespace detail {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

void StepParser::error(int line, const std::string& message) const {
    errors.push_back(fmt::format("{}:{}: {}", file, line, message));
}

}  // namespace detail

namespace {

using detail::RawField;
using detail::trim;

constexpr std::string_view kHeaderFields = "title, summary, models, answers, source, serve";
constexpr std::string_view kStepFields =
    "say, do, wait, pause_when, highlight, ask, measure, choice, expected, explanation, expect";

bool is_header_key(std::string_view k) {
    return k == "title" || k == "summary" || k == "models" || k == "answers" || k == "source" || k == "serve";
}
bool is_step_key(std::string_view k) {
    for (std::string_view s : {"step", "say", "do", "wait", "pause_when", "highlight", "ask", "measure", "choice",
                               "expected", "explanation", "expect"}) {
        if (k == s) return true;
    }
    return false;
}

// Splits the text into fields. A line that starts with whitespace continues the
// field above (its common indentation removed; blank lines between kept).
std::vector<RawField> split_fields(std::string_view text, const std::string& file, std::vector<std::string>& errors) {
    std::vector<RawField> out;
    std::istringstream in{std::string(text)};
    std::string line;
    int n = 0;
    std::size_t indent = 0;
    int blank_run = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (trim(line).empty()) {
            ++blank_run;
            continue;
        }
        const bool continued = std::isspace(static_cast<unsigned char>(line[0]));
        if (continued) {
            if (out.empty()) {
                errors.push_back(fmt::format("{}:{}: an indented line continues a field, but no field is above it",
                                             file, n));
                continue;
            }
            RawField& f = out.back();
            std::size_t lead = line.find_first_not_of(" \t");
            if (f.value.empty() || indent == 0) indent = lead;
            std::string_view body = std::string_view(line).substr(std::min(lead, indent));
            f.value += f.value.empty() ? "" : (blank_run ? "\n\n" : "\n");
            f.value += std::string(body);
            blank_run = 0;
            continue;
        }
        blank_run = 0;
        indent = 0;
        if (line[0] == '#') continue;
        auto colon = line.find(':');
        std::string key(trim(std::string_view(line).substr(0, colon)));
        const bool word = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
            return std::islower(static_cast<unsigned char>(c)) || c == '_';
        });
        if (colon == std::string::npos || !word) {
            errors.push_back(fmt::format("{}:{}: expected `field: value` (a header field: {}; in a step: {}), got '{}'",
                                         file, n, kHeaderFields, kStepFields, line));
            continue;
        }
        out.push_back(RawField{key, std::string(trim(std::string_view(line).substr(colon + 1))), n});
    }
    return out;
}

std::vector<std::string> words(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep || (sep == ' ' && c == '\t')) {
            if (!trim(cur).empty()) out.emplace_back(trim(cur));
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!trim(cur).empty()) out.emplace_back(trim(cur));
    return out;
}

void header_field(const RawField& f, Lesson& l, const detail::StepParser& p) {
    if (f.key == "title") l.title = f.value;
    else if (f.key == "summary") l.summary = f.value;
    else if (f.key == "answers") l.answers = f.value;
    else if (f.key == "source") l.sources.push_back(f.value);
    else if (f.key == "serve") l.serve_args = words(f.value, ' ');
    else if (f.key == "models") {
        for (const std::string& m : words(f.value, ',')) {
            const auto& known = known_models();
            if (std::find(known.begin(), known.end(), m) == known.end()) {
                p.error(f.line, fmt::format("unknown worker class '{}' in models; expected sync, gthread, eventlet, "
                                            "gevent, tornado or asyncio",
                                            m));
            }
            l.models.push_back(m);
        }
    }
}

void identify(Lesson& l, const std::string& path) {
    std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
    if (base.ends_with(".lesson")) base.resize(base.size() - 7);
    l.id = base;
    if (base.size() >= 2 && std::isdigit(static_cast<unsigned char>(base[0])) &&
        std::isdigit(static_cast<unsigned char>(base[1]))) {
        l.number = (base[0] - '0') * 10 + (base[1] - '0');
    }
}

}  // namespace

const std::vector<std::string_view>& known_models() {
    static const std::vector<std::string_view> m = {"sync", "gthread", "eventlet", "gevent", "tornado", "asyncio"};
    return m;
}

ParseResult parse_lesson(std::string_view text, const std::string& path) {
    ParseResult r;
    Lesson l;
    l.path = path;
    identify(l, path);
    std::vector<std::string> sent;
    detail::StepParser steps{path, r.errors, sent};
    std::vector<RawField> fields = split_fields(text, path, r.errors);
    std::vector<RawField> step;
    auto close_step = [&] {
        if (!step.empty()) l.steps.push_back(steps.build(step));
        step.clear();
    };
    for (const RawField& f : fields) {
        if (f.key == "step") close_step();
        if (is_step_key(f.key)) {
            if (step.empty() && f.key != "step") {
                steps.error(f.line, fmt::format("'{}' belongs to a step: write a `step:` line above it", f.key));
                continue;
            }
            step.push_back(f);
        } else if (is_header_key(f.key)) {
            if (!step.empty() || !l.steps.empty()) {
                steps.error(f.line, fmt::format("'{}' is a header field: put it above the first `step:`", f.key));
            }
            header_field(f, l, steps);
        } else {
            steps.error(f.line, fmt::format("unknown field '{}'; expected a header field ({}) or, in a step, one of: {}",
                                            f.key, kHeaderFields, kStepFields));
        }
    }
    close_step();
    if (l.title.empty()) r.errors.push_back(path + ":1: the lesson has no `title:`");
    if (l.serve_args.empty()) r.errors.push_back(path + ":1: the lesson has no `serve:` (the minicorn serve flags)");
    if (l.steps.empty()) r.errors.push_back(path + ":1: the lesson has no `step:`");
    if (r.errors.empty()) r.lesson = std::move(l);
    return r;
}

ParseResult load_lesson(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        ParseResult r;
        r.errors.push_back(path + ": cannot be read");
        return r;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_lesson(ss.str(), path);
}

}  // namespace minicorn::lesson
