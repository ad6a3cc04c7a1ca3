// app/studio/lesson_player.h — the studio's lesson player: which lesson is
// open, at which step, what the learner picked, and the Runner that drives
// the live engine through a StudioHost (lesson_host.h).
//
// A step with a question waits for the learner's pick before it starts (the
// question is asked before the action that answers it); then the runner acts,
// waits, judges, and the panel reveals the measured answer. Next starts the
// next step; Back restarts the lesson and plays the earlier steps again up
// to the one before (the engine cannot go back in time, so the player
// replays it). Opening at step K (--lesson-step) plays steps 0…K-1 the same
// way ("catching up"), resuming their pauses and giving no picks.
//
// Thread affinity: the studio's main thread; tick() once a frame after the
// studio took the new events.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/studio/lesson_host.h"
#include "engine/lesson/lesson.h"
#include "engine/lesson/runner.h"

namespace minicorn::studio {

class RequestIndex;

// One file of lessons/, as the picker lists it.
struct LessonEntry {
    std::string name;               // "01-sync-one-at-a-time"
    std::optional<lesson::Lesson> lesson;
    std::string error;              // why it could not be loaded
};

class LessonPlayer {
public:
    enum class Mode { Off, Picker, Running };

    explicit LessonPlayer(StudioHost::Hooks hooks);

    // Reads lessons/ (once) and shows the picker with `selected` chosen.
    void show_picker(const std::string& selected);
    // Opens lesson `name` ("00", "01-sync…") at step `step`: the engine restarts
    // with its serve flags. False with *error if no such lesson.
    bool open(const std::string& name, std::size_t step, Session& session, std::string* error);
    // Back to free play: the requests are cut, the gate opens, the engine stays.
    void leave();
    // The studio's Recording, now and whenever it replaces it (the engine restarted).
    void rebind(const trace::Recording& rec);

    // Once a frame: advances the runner; names the lesson's requests in `names`.
    void tick(RequestIndex& names);

    void next();
    void back();
    void pick(int choice);
    // Paused at a pause_when: the learner has looked; the step goes on.
    void resume();

    Mode mode() const { return mode_; }
    const std::vector<LessonEntry>& entries() const { return entries_; }
    int selected() const { return selected_; }
    void select(int i) { selected_ = i; }
    const lesson::Lesson* lesson() const { return lesson_ ? &*lesson_ : nullptr; }
    std::size_t step() const { return step_; }
    const lesson::Step* current() const;
    // The step has started (its question, if any, was answered).
    bool started() const { return started_; }
    bool catching_up() const { return step_ < target_; }
    const lesson::Runner* runner() const { return runner_.get(); }
    std::optional<lesson::StepPhase> phase() const;
    int picked() const { return picked_; }
    // The step is over (Done or Failed) and the learner may go on.
    bool step_over() const;
    // Request name → X-Request-Id, for highlights.
    std::map<std::string, std::uint64_t> request_ids() const;

private:
    void start_current();
    void load_entries();

    StudioHost::Hooks hooks_;
    Mode mode_ = Mode::Off;
    std::vector<LessonEntry> entries_;
    bool loaded_ = false;
    int selected_ = 0;
    std::optional<lesson::Lesson> lesson_;
    std::unique_ptr<StudioHost> host_;
    std::unique_ptr<lesson::Runner> runner_;
    std::size_t step_ = 0;
    std::size_t target_ = 0;     // catching up until this step
    bool started_ = false;
    int picked_ = -1;
    Session* session_ = nullptr;
    const trace::Recording* rec_ = nullptr;
};

}  // namespace minicorn::studio
