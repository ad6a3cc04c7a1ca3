// app/studio/lesson_player.cpp — see lesson_player.h.
#include "app/studio/lesson_player.h"

#include <algorithm>
#include <filesystem>

#include "app/studio/draw/request_label.h"
#include "engine/lesson/catalogue.h"
#include "engine/lesson/parse.h"

namespace minicorn::studio {

LessonPlayer::LessonPlayer(StudioHost::Hooks hooks) : hooks_(std::move(hooks)) {}

void LessonPlayer::load_entries() {
    if (loaded_) return;
    loaded_ = true;
    for (const std::string& file : lesson::lesson_files(lesson::lessons_dir(""))) {
        LessonEntry e;
        e.name = std::filesystem::path(file).stem().string();
        lesson::ParseResult r = lesson::load_lesson(file);
        if (r.lesson) {
            e.lesson = std::move(r.lesson);
        } else {
            e.error = r.errors.empty() ? "could not be read" : r.errors.front();
        }
        entries_.push_back(std::move(e));
    }
}

void LessonPlayer::show_picker(const std::string& selected) {
    load_entries();
    mode_ = Mode::Picker;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].name.rfind(selected, 0) == 0) {
            selected_ = static_cast<int>(i);
            break;
        }
    }
}

bool LessonPlayer::open(const std::string& name, std::size_t step, Session& session, std::string* error) {
    const std::string path = lesson::find_lesson(lesson::lessons_dir(""), name);
    if (path.empty()) {
        *error = "no lesson '" + name + "' in " + lesson::lessons_dir("") + " (minicorn lesson list shows them)";
        return false;
    }
    lesson::ParseResult r = lesson::load_lesson(path);
    if (!r.lesson) {
        *error = r.errors.empty() ? path + ": could not be read" : r.errors.front();
        return false;
    }
    if (r.lesson->steps.empty()) {
        *error = path + ": the lesson has no steps";
        return false;
    }
    runner_.reset();  // cuts the last lesson's requests before its engine goes
    host_.reset();
    lesson_ = std::move(r.lesson);
    session_ = &session;
    if (!hooks_.restart(lesson_->serve_args, error)) return false;
    host_ = std::make_unique<StudioHost>(session, *rec_, hooks_);
    runner_ = std::make_unique<lesson::Runner>(*lesson_, *host_);
    mode_ = Mode::Running;
    step_ = 0;
    target_ = std::min(step, lesson_->steps.size() - 1);
    start_current();
    return true;
}

void LessonPlayer::leave() {
    if (runner_) {
        if (runner_->phase() == lesson::StepPhase::Paused) runner_->resume();  // opens the gate
        runner_->stop_requests();
    }
    runner_.reset();
    host_.reset();
    lesson_.reset();
    mode_ = Mode::Off;
}

void LessonPlayer::rebind(const trace::Recording& rec) {
    rec_ = &rec;
    if (host_) host_->rebind(rec);
}

const lesson::Step* LessonPlayer::current() const {
    if (!lesson_ || step_ >= lesson_->steps.size()) return nullptr;
    return &lesson_->steps[step_];
}

std::optional<lesson::StepPhase> LessonPlayer::phase() const {
    if (!runner_ || !started_) return std::nullopt;
    return runner_->phase();
}

bool LessonPlayer::step_over() const {
    auto p = phase();
    return p && (*p == lesson::StepPhase::Done || *p == lesson::StepPhase::Failed);
}

// A question waits for the learner's pick; catching up, nobody picks.
void LessonPlayer::start_current() {
    picked_ = -1;
    started_ = false;
    const lesson::Step* s = current();
    if (!s) return;
    if (s->ask.present() && !catching_up()) return;
    runner_->start_step(step_);
    started_ = true;
}

void LessonPlayer::tick(RequestIndex& names) {
    if (mode_ != Mode::Running || !runner_) return;
    if (started_) runner_->tick();
    for (const auto& [id, name] : runner_->request_names()) {
        if (!names.name_of(id)) names.set_name(id, name);
    }
    if (!catching_up() || !started_) return;
    if (runner_->phase() == lesson::StepPhase::Paused) runner_->resume();
    if (runner_->phase() == lesson::StepPhase::Failed) target_ = step_;  // show what went wrong
    if (runner_->phase() == lesson::StepPhase::Done) {
        ++step_;
        start_current();
    }
}

void LessonPlayer::next() {
    if (!lesson_ || !step_over() || step_ + 1 >= lesson_->steps.size()) return;
    ++step_;
    target_ = step_;
    start_current();
}

void LessonPlayer::back() {
    if (!lesson_ || step_ == 0 || !session_) return;
    std::string error;
    const std::string id = lesson_->id;
    open(id, step_ - 1, *session_, &error);
}

void LessonPlayer::pick(int choice) {
    const lesson::Step* s = current();
    if (!s || started_ || !s->ask.present()) return;
    picked_ = choice;
    runner_->start_step(step_);
    started_ = true;
}

void LessonPlayer::resume() {
    if (runner_ && runner_->phase() == lesson::StepPhase::Paused) runner_->resume();
}

std::map<std::string, std::uint64_t> LessonPlayer::request_ids() const {
    std::map<std::string, std::uint64_t> out;
    if (!runner_) return out;
    for (const auto& [id, name] : runner_->request_names()) out[name] = id;
    return out;
}

}  // namespace minicorn::studio
