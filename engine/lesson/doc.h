// engine/lesson/doc.h — the vocabulary and the highlight names as Markdown
// tables, from the tables themselves: `minicorn lesson vocabulary` prints
// them, docs/lessons.md holds them, and a test checks the two agree.
#pragma once

#include <string>

namespace minicorn::lesson {

std::string measures_markdown();
std::string highlights_markdown();

}  // namespace minicorn::lesson
