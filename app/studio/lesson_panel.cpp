// app/studio/lesson_panel.cpp — see lesson_panel.h.
//
// Index
//   [SECTION] Picker   — the list of lessons
//   [SECTION] Step     — narration, question, reveal, Back / Next
#include "app/studio/lesson_panel.h"

#include <fmt/format.h>
#include <imgui.h>

#include "app/studio/draw/highlight.h"
#include "app/studio/draw/markdown.h"
#include "app/studio/draw/palette.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

constexpr ImU32 kRight = IM_COL32(120, 220, 140, 255);
const ImVec4 kNextLit(0.20f, 0.55f, 0.30f, 1.0f);

bool button(const char* text, bool enabled = true) {
    if (!enabled) ImGui::BeginDisabled();
    const bool pressed = ImGui::Button(text);
    const std::string_view shown(text);
    note_item(shown.substr(0, shown.find("##")));  // what the button shows
    if (!enabled) ImGui::EndDisabled();
    return pressed && enabled;
}

}  // namespace

std::string lesson_title(const lesson::Lesson& l) {
    const std::string& t = l.title;
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') return t.substr(1, t.size() - 2);
    return t;
}

// ============================================================================
// [SECTION] Picker
// ============================================================================

void draw_lesson_picker(const LessonPlayer& player, LessonCommands& out) {
    label_wrapped("Each lesson sets up one scenario on the real engine, tells you where to look, asks you to "
                  "predict what happens, then lets the engine answer.");
    ImGui::Spacing();
    const auto& entries = player.entries();
    const float list_h = ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() * 4.5f;
    ImGui::BeginChild("##lessons", ImVec2(0, std::max(list_h, ImGui::GetFrameHeight() * 3)), true);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const LessonEntry& e = entries[i];
        const std::string text =
            e.lesson ? fmt::format("{:02}  {}", e.lesson->number, lesson_title(*e.lesson)) : e.name + " (cannot be read)";
        // A long title wraps onto a second line of its entry: nothing is cut off.
        const float wrap_w = ImGui::GetContentRegionAvail().x;
        const float h = ImGui::CalcTextSize(text.c_str(), nullptr, false, wrap_w).y;
        if (!e.lesson) ImGui::BeginDisabled();
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const std::string id = "##" + e.name;
        if (ImGui::Selectable(id.c_str(), player.selected() == static_cast<int>(i), ImGuiSelectableFlags_AllowDoubleClick,
                              ImVec2(0, h))) {
            out.push_back({LessonCommand::Kind::Select, static_cast<int>(i)});
            if (ImGui::IsMouseDoubleClicked(0)) out.push_back({LessonCommand::Kind::Open, static_cast<int>(i)});
        }
        const ImVec2 after = ImGui::GetCursorScreenPos();
        ImGui::SetCursorScreenPos(at);
        label_wrapped(text);
        ImGui::SetCursorScreenPos(after);
        if (!e.lesson) {
            ImGui::EndDisabled();
            if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", e.error.c_str());
        }
    }
    ImGui::EndChild();
    const int sel = player.selected();
    if (sel >= 0 && static_cast<std::size_t>(sel) < entries.size() && entries[static_cast<std::size_t>(sel)].lesson) {
        const lesson::Lesson& l = *entries[static_cast<std::size_t>(sel)].lesson;
        label_wrapped(l.summary, colors::kTextDim);
        if (button("Start this lesson")) out.push_back({LessonCommand::Kind::Open, sel});
        ImGui::SameLine();
    }
    if (player.mode() == LessonPlayer::Mode::Picker && button("Free play (no lesson)")) {
        out.push_back({LessonCommand::Kind::Leave});
    }
}

// ============================================================================
// [SECTION] Step
// ============================================================================

std::string phase_words(const LessonPlayer& player) {
    if (player.catching_up()) return fmt::format("Playing the earlier steps to reach step {}\u2026", player.step() + 1);
    auto phase = player.phase();
    if (!phase) return "Pick one: then the engine runs, and shows what really happens.";
    switch (*phase) {
        case lesson::StepPhase::Booting: return "Starting the engine: waiting for its workers to boot\u2026";
        case lesson::StepPhase::Acting: return "Sending what this step sends\u2026";
        case lesson::StepPhase::Pausing: return "Running until the moment worth freezing\u2026";
        case lesson::StepPhase::Paused: return "Paused: the engine is frozen at this instant. Look, then press Continue.";
        case lesson::StepPhase::Waiting: return "Running: watch the engine\u2026";
        case lesson::StepPhase::Judging: return "Measuring what happened\u2026";
        case lesson::StepPhase::Done: return "Done.";
        case lesson::StepPhase::Failed: return "The engine did not do what this step says (below).";
    }
    return "";
}

namespace {

void draw_question(const LessonPlayer& player, const lesson::Ask& ask, LessonCommands& out) {
    label("Predict", colors::kTextWarn);
    draw_markdown(ask.question);
    const int picked = player.picked();
    const auto& result = player.runner() ? player.runner()->ask_result() : std::nullopt;
    const bool revealed = player.step_over() && result;
    for (std::size_t i = 0; i < ask.choices.size(); ++i) {
        const int c = static_cast<int>(i);
        std::string text = fmt::format("{}) {}", lesson::choice_letter(c), ask.choices[i].text);
        if (!player.started()) {
            // A button cannot wrap: the letter is the button, the choice wraps beside it.
            const std::string letter = lesson::choice_letter(c) + "##pick";
            ImGui::PushID(c);
            if (button(letter.c_str())) out.push_back({LessonCommand::Kind::Pick, c});
            ImGui::PopID();
            ImGui::SameLine();
            label_wrapped(ask.choices[i].text);
            continue;
        }
        // After the pick: which one was yours, and (once measured) which one the engine gave.
        if (picked == c) text += "   \u2190 your pick";
        if (revealed && result->measured == c) text += "   \u2190 what the engine did";
        label_wrapped(text, picked == c || (revealed && result->measured == c) ? colors::kText : colors::kTextDim);
    }
}

void draw_reveal(const LessonPlayer& player, const lesson::Ask& ask) {
    const int picked = player.picked();
    const auto& result = player.runner() ? player.runner()->ask_result() : std::nullopt;
    if (!player.step_over() || !result) return;
    ImGui::Separator();
    // The answer appears below what the learner was reading: scroll to it, once.
    const std::string key = fmt::format("revealed {} {}", player.lesson()->id, player.step());
    ImGuiStorage* seen = ImGui::GetStateStorage();
    if (!seen->GetBool(ImGui::GetID(key.c_str()))) {
        seen->SetBool(ImGui::GetID(key.c_str()), true);
        ImGui::SetScrollHereY(0.0f);
    }
    const int measured = result->measured;
    const std::string answer = measured >= 0 ? ask.choices[static_cast<std::size_t>(measured)].text : "none of these";
    labelf_wrapped(colors::kText, "The engine says: {}) {}   ({})", lesson::choice_letter(measured), answer, result->figure);
    if (picked >= 0) {
        if (picked == measured) {
            labelf_wrapped(kRight, "You said {}): right.", lesson::choice_letter(picked));
        } else {
            labelf_wrapped(colors::kTextWarn, "You said {}): not this time. Here is why:", lesson::choice_letter(picked));
        }
    }
    draw_markdown(ask.explanation);
}

void draw_failure(const LessonPlayer& player) {
    const lesson::Claim* c = player.runner() ? player.runner()->failure() : nullptr;
    if (!c) return;
    labelf_wrapped(colors::kTextBad, "Expected: {}", c->text);
    if (!c->figure.empty()) labelf_wrapped(colors::kTextBad, "Measured: {}", c->figure);
    label_wrapped("On a busy machine timings can slip: Back replays the step.", colors::kTextDim);
}

void draw_buttons(const LessonPlayer& player, const lesson::Lesson& l, LessonCommands& out) {
    const bool last = player.step() + 1 >= l.steps.size();
    if (button("\u2190 Back", player.step() > 0)) out.push_back({LessonCommand::Kind::Back});
    ImGui::SameLine();
    const bool lit = player.step_over() && !player.catching_up();
    if (lit) ImGui::PushStyleColor(ImGuiCol_Button, kNextLit);
    if (!last && button("Next \u2192", lit)) out.push_back({LessonCommand::Kind::Next});
    if (last && button("All lessons", true)) out.push_back({LessonCommand::Kind::Picker});
    if (lit) ImGui::PopStyleColor();
    ImGui::SameLine();
    if (button("Leave the lesson")) out.push_back({LessonCommand::Kind::Leave});
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Back to free play: the engine keeps running as it is.");
}

}  // namespace

void draw_lesson_step(const LessonPlayer& player, LessonCommands& out) {
    const lesson::Lesson* l = player.lesson();
    const lesson::Step* s = player.current();
    if (!l || !s) return;
    labelf_wrapped(colors::kText, "{}", lesson_title(*l));
    labelf_wrapped(colors::kTextDim, "step {} of {}{}{}", player.step() + 1, l->steps.size(), s->title.empty() ? "" : ": ",
                   s->title);
    draw_buttons(player, *l, out);
    ImGui::Separator();
    ImGui::BeginChild("##step", ImVec2(0, 0), false);
    // A question comes first: the narration (which tells what happened) and the
    // rings wait until the learner has predicted.
    if (s->ask.present()) draw_question(player, s->ask, out);
    const bool predicting = s->ask.present() && !player.started();
    if (!predicting && !s->say.empty()) {
        if (s->ask.present()) ImGui::Separator();
        draw_markdown(s->say);
    }
    if (!predicting && !s->highlights.empty()) {
        std::string names;
        for (const lesson::Highlight& h : s->highlights) names += (names.empty() ? "" : ", ") + h.name;
        labelf_wrapped(colors::kTextDim, "Look at: {} (ringed in {})", names, kHighlightColorName);
    }
    if (s->ask.present()) draw_reveal(player, s->ask);
    ImGui::Separator();
    const auto phase = player.phase();
    label_wrapped(phase_words(player), phase == lesson::StepPhase::Failed ? colors::kTextBad : colors::kTextDim);
    if (phase == lesson::StepPhase::Paused && button("Continue")) out.push_back({LessonCommand::Kind::Resume});
    if (phase == lesson::StepPhase::Failed) draw_failure(player);
    if (player.step_over() && !player.catching_up() && phase == lesson::StepPhase::Done) {
        label_wrapped(player.step() + 1 < l->steps.size() ? "Press Next when you are ready."
                                                          : "That was the last step: All lessons picks the next one.",
                      kRight);
    }
    ImGui::EndChild();
}

// --then pick:a | next | continue → what the Lesson panel would have asked for.
std::optional<LessonCommand> lesson_command_of(const std::string& name) {
    using Kind = LessonCommand::Kind;
    if (name == "next") return LessonCommand{Kind::Next};
    if (name == "continue") return LessonCommand{Kind::Resume};
    if (name == "leave") return LessonCommand{Kind::Leave};
    if (name == "start") return LessonCommand{Kind::Open, -1};  // the picker's selected lesson
    if (name == "all-lessons") return LessonCommand{Kind::Picker};
    if (name.size() == 6 && name.rfind("pick:", 0) == 0 && name[5] >= 'a' && name[5] <= 'z') {
        return LessonCommand{Kind::Pick, name[5] - 'a'};
    }
    return std::nullopt;
}

}  // namespace minicorn::studio
