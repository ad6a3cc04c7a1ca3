// engine/lesson/parse.h — reads a lesson file (lessons/NN-slug.lesson) into a
// Lesson. The format is line-oriented: `field: value` lines, a value going on
// over the indented lines below it, `step:` starting each step, `#` at the
// start of a line a comment. docs/lessons.md is its description.
//
// Everything is checked while loading: an unknown field, measure, request
// name, highlight target or action is an error "FILE:LINE: what was wrong;
// what was expected", and no Lesson comes back. Every error is reported, not
// only the first.
//
// Pure functions; no threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/lesson/lesson.h"

namespace minicorn::lesson {

struct ParseResult {
    std::optional<Lesson> lesson;
    std::vector<std::string> errors;  // "lessons/01-x.lesson:12: unknown field 'sayy'; expected …"
};

// `path` names the file in messages and gives the lesson its id and number.
ParseResult parse_lesson(std::string_view text, const std::string& path);
// Reads and parses a file.
ParseResult load_lesson(const std::string& path);

// The worker classes a lesson's `models:` may name.
const std::vector<std::string_view>& known_models();

}  // namespace minicorn::lesson
