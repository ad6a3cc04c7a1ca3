// engine/lesson/highlights.h — the closed list of things on screen a lesson
// may point at. The studio registers a rectangle under each name it draws
// ("worker 1 hub", "request A", "accept queue") and rings the one a step
// names; here a lesson's `highlight:` is checked against the list when it
// is loaded, so a name that could never match is an error in the file.
//
// Plain data; no threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minicorn::lesson {

struct HighlightKind {
    std::string_view pattern;  // "worker N hub": N a worker number, R a request name; else literal
    std::string_view meaning;  // what the studio rings, for docs/lessons.md
};

const std::vector<HighlightKind>& highlight_kinds();

// True if `name` matches a pattern; `requests` are the names sent so far (R
// must be one of them). On false, *error says what was expected.
bool valid_highlight(std::string_view name, const std::vector<std::string>& requests, std::string* error);

}  // namespace minicorn::lesson
