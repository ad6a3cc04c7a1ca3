// app/studio/lesson_panel.h — the Lesson panel: the picker (every lesson in
// lessons/, one selected), and the open lesson's step — its narration
// (Markdown), what to look at, the question and its choices, after the step
// the measured answer and why, and Back / Next (Next lights when the step's
// `wait` held). The panel only asks; the studio carries out its commands
// after the frame (opening a lesson restarts the engine).
//
// Thread affinity: the studio's main thread, inside an ImGui window.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/studio/lesson_player.h"

namespace minicorn::studio {

struct LessonCommand {
    enum class Kind { Open, Next, Back, Pick, Resume, Leave, Picker, Select };
    Kind kind;
    int arg = 0;  // Open (-1: the one selected), Select: the entry; Pick: the choice
};
using LessonCommands = std::vector<LessonCommand>;

// --then pick:a | next | continue | leave | start | all-lessons → what the
// Lesson panel would have asked for (nullopt: not a lesson's action).
std::optional<LessonCommand> lesson_command_of(const std::string& name);

void draw_lesson_picker(const LessonPlayer& player, LessonCommands& out);
void draw_lesson_step(const LessonPlayer& player, LessonCommands& out);

// The lesson's title as the learner reads it (a title written in quotes loses them).
std::string lesson_title(const lesson::Lesson& l);

// What the step's phase means to the learner: "Paused: the engine is frozen …".
std::string phase_words(const LessonPlayer& player);

}  // namespace minicorn::studio
