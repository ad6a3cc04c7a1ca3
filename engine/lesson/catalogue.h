// engine/lesson/catalogue.h — where the lesson files are, which of them a
// name picks, and the lessons LESSONS.md plans that are not written yet
// (with what they wait for), for `minicorn lesson list`.
//
// Plain functions; no threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minicorn::lesson {

// The lessons directory: `explicit_dir` if given, else $MINICORN_LESSONS, else
// lessons/ beside the source tree the binary was built from (MINICORN_LESSONS_DIR).
std::string lessons_dir(const std::string& explicit_dir);
// Every NN-slug.lesson in `dir`, sorted by name.
std::vector<std::string> lesson_files(const std::string& dir);
// The file `name` picks: "01", "1", "01-sync-one-at-a-time", or a path.
// Empty if none (or more than one) matches.
std::string find_lesson(const std::string& dir, const std::string& name);

struct PlannedLesson {
    int number;
    std::string_view title;
    std::string_view needs;  // what must exist first; empty: it could be written today
};
// LESSONS.md §3's catalogue, 00–29.
const std::vector<PlannedLesson>& planned_lessons();

}  // namespace minicorn::lesson
