// app/minicorn/commands.h — the subcommands of `minicorn`. Each returns the
// process exit status: 0 ok, 1 runtime failure, 2 bad usage.
#pragma once

#include <string>
#include <vector>

namespace minicorn::lesson {
struct Lesson;
}

namespace minicorn::cli {

int serve_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int load_command(const std::vector<std::string>& args);
int lesson_command(const std::vector<std::string>& args);
int compare_command(const std::vector<std::string>& args);

// Thousands of connections need thousands of descriptors: takes what the hard limit allows (load, compare).
void raise_fd_limit();

// lesson_run.cpp: one lesson in the terminal (`minicorn lesson run`).
int run_lesson(const lesson::Lesson& lesson, bool auto_answer);

}  // namespace minicorn::cli
