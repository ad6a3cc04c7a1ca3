// engine/lesson/parse_internal.h — the parser's pieces shared between
// parse.cpp (fields, header, steps) and parse_step.cpp (a step's fields:
// actions, conditions, the question).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/lesson/lesson.h"

namespace minicorn::lesson::detail {

// One `field: value` with its continuation lines joined in.
struct RawField {
    std::string key;
    std::string value;
    int line = 0;
};

struct StepParser {
    const std::string& file;
    std::vector<std::string>& errors;
    std::vector<std::string>& sent;   // request names sent so far in the lesson

    void error(int line, const std::string& message) const;
    // Builds a step from its fields (the `step:` line first).
    Step build(const std::vector<RawField>& fields) const;

private:
    bool action(const RawField& f, Action* out) const;
    void ask_field(const RawField& f, Step& step) const;
    bool timed(const RawField& f, TimedCondition* out) const;
    void finish_ask(Step& step, const std::string& expected, int expected_line) const;
};

std::string_view trim(std::string_view s);

}  // namespace minicorn::lesson::detail
