// app/studio/studio_lesson.cpp — the Studio's side of the lesson player (see
// studio.h, lesson_player.h): the Lesson window, the commands it returns, the
// rings around what a step highlights, and the tab a step's highlight opens.
#include <imgui.h>

#include "app/studio/studio.h"

namespace minicorn::studio {

void Studio::draw_lesson_window(float x, float y, float w, float h) {
    char title[200];
    const lesson::Lesson* l = lesson_.lesson();
    if (l && lesson_.mode() == LessonPlayer::Mode::Running) {
        // The title bar cannot wrap: the lesson's title is in the panel.
        std::snprintf(title, sizeof title, "Lesson %02d###Lesson", l->number);
    } else {
        std::snprintf(title, sizeof title, "Lessons \u2014 pick one###Lesson");
    }
    begin_panel(title, x, y, w, h);
    if (lesson_.mode() == LessonPlayer::Mode::Running) {
        draw_lesson_step(lesson_, lesson_commands_);
    } else {
        draw_lesson_picker(lesson_, lesson_commands_);
    }
}

void Studio::carry_out(const LessonCommands& commands) {
    for (const LessonCommand& c : commands) {
        std::string error;
        switch (c.kind) {
            case LessonCommand::Kind::Open: {
                const auto& entries = lesson_.entries();
                const int pick = c.arg < 0 ? lesson_.selected() : c.arg;  // -1: the one selected in the picker
                if (pick < 0 || static_cast<std::size_t>(pick) >= entries.size()) break;
                if (!lesson_.open(entries[static_cast<std::size_t>(pick)].name, 0, session_, &error)) {
                    std::fprintf(stderr, "minicorn-studio: lesson: %s\n", error.c_str());
                }
                return;  // the engine is new
            }
            case LessonCommand::Kind::Next: lesson_.next(); break;
            case LessonCommand::Kind::Back: lesson_.back(); return;
            case LessonCommand::Kind::Pick: lesson_.pick(c.arg); break;
            case LessonCommand::Kind::Resume: lesson_.resume(); break;
            case LessonCommand::Kind::Leave: lesson_.leave(); break;
            case LessonCommand::Kind::Picker: {
                const lesson::Lesson* l = lesson_.lesson();
                const std::string after = l ? l->id : "";
                if (l) lesson_.leave();
                lesson_.show_picker("00");
                // After a lesson, the next one is selected.
                const auto& entries = lesson_.entries();
                for (std::size_t i = 0; i + 1 < entries.size(); ++i) {
                    if (entries[i].name == after) lesson_.select(static_cast<int>(i + 1));
                }
                break;
            }
            case LessonCommand::Kind::Select: lesson_.select(c.arg); break;
        }
    }
    gate_.follow(session_.gate());
}

void Studio::follow_lesson_step() {
    const lesson::Step* s = lesson_.mode() == LessonPlayer::Mode::Running ? lesson_.current() : nullptr;
    const lesson::Lesson* l = lesson_.lesson();
    const std::string key = s && l ? l->id + "#" + std::to_string(lesson_.step()) : "";
    if (key == step_key_) return;
    step_key_ = key;
    step_arriving_ = 3;  // a tab it selects shows its content a frame later
    if (!s) return;
    for (const lesson::Highlight& h : s->highlights) {
        if (h.name == "controls" || h.name == "gate") tab_for_step_ = "Controls";
        if (h.name == "traffic") tab_for_step_ = "Traffic";
        if (h.name == "event log") tab_for_step_ = "Event log";
    }
}

void Studio::follow_lesson_load(const std::vector<std::string>* args) {
    traffic_launched_ = true;  // the lesson's client, not one keep_traffic_going() starts
    traffic_.wanted = args != nullptr;
    if (!args) return;
    traffic_.applied = *args;
    for (std::size_t i = 0; i + 1 < args->size(); ++i) {
        const std::string& flag = (*args)[i];
        const std::string& value = (*args)[i + 1];
        if (flag == "-c") {
            traffic_.mode = TrafficState::Mode::Users;
            traffic_.users = std::atoi(value.c_str());
        } else if (flag == "--rate") {
            traffic_.mode = TrafficState::Mode::Rate;
            traffic_.rate = std::atoi(value.c_str());
        } else if (flag == "--mix") {
            traffic_.mix = value;
        } else if (flag == "--keep-alive") {
            traffic_.keep_alive = value != "off";
        }
    }
}

void Studio::want_highlights() {
    const lesson::Step* s = lesson_.mode() == LessonPlayer::Mode::Running ? lesson_.current() : nullptr;
    std::vector<std::string> names;
    if (s) {
        for (const lesson::Highlight& h : s->highlights) names.push_back(h.name);
    }
    highlights_.want(std::move(names), step_arriving_ > 0);
    if (step_arriving_ > 0) --step_arriving_;
}

void Studio::ring_highlights() {
    const lesson::Step* s = lesson_.mode() == LessonPlayer::Mode::Running ? lesson_.current() : nullptr;
    // No ring while catching up, nor before a pick (it would hint at the answer).
    if (!s || lesson_.catching_up() || (s->ask.present() && !lesson_.started())) return;
    for (const lesson::Highlight& h : s->highlights) {
        if (const HighlightRect* r = highlights_.find(h.name)) draw_highlight_ring(*r, ImGui::GetTime());
    }
}

std::map<std::string, std::uint64_t> Studio::request_conns(const trace::World& world) const {
    std::map<std::string, std::uint64_t> out;
    const lesson::Runner* runner = lesson_.runner();
    if (!runner || runner->requests().empty()) return out;
    // The server knows a request's X-Request-Id once it has read it; before
    // that (queued) the connection is known by the client's local port.
    for (const auto& [conn, c] : world.connections) {
        for (const auto& [name, r] : runner->requests()) {
            if ((c.client_req != 0 && c.client_req == r.id) || (r.local_port != 0 && c.peer_port == r.local_port)) {
                out[name] = conn;
            }
        }
    }
    return out;
}

}  // namespace minicorn::studio
