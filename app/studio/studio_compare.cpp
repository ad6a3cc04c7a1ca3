// app/studio/studio_compare.cpp — the Studio's way into and out of the
// Compare view (compare.h): opened by --compare at start (Studio::start) or by
// the menu bar's Compare menu; left by its "Leave compare" button.
#include <algorithm>
#include <cstdio>

#include "app/studio/compare.h"
#include "app/studio/compare_args.h"
#include "app/studio/studio.h"

namespace minicorn::studio {

// The Compare menu's "Compare side by side": this engine stops, one per ticked
// model starts with the Controls' settings; leaving comes back to them.
void Studio::open_compare() {
    if (replaying() || options_.synthetic || lesson_.mode() == LessonPlayer::Mode::Running) return;
    std::string list;
    for (const std::string& m : controls_.compare_models) list += (list.empty() ? "" : ",") + m;
    StudioOptions picked = options_;
    if (std::string problem = apply_compare(list, compare_serve_args(controls_), picked); !problem.empty()) {
        std::fprintf(stderr, "minicorn-studio: %s\n", problem.c_str());
        return;
    }
    session_.stop();
    reset_recording();
    compare_ = std::make_unique<CompareView>(CompareOptions{picked.compare, picked.compare_flags, options_.config_file,
                                                            traffic_, options_.minicorn_bin});
    std::string error;
    if (compare_->start(&error)) return;
    std::fprintf(stderr, "minicorn-studio: compare: %s\n", error.c_str());
    compare_.reset();
    restart_engine();
}

void Studio::compare_frame() {
    Actions actions;
    actions.swap(queued_);
    // --then leave (a lesson's Leave) leaves Compare too, as its button does.
    const bool leave = std::any_of(lesson_commands_.begin(), lesson_commands_.end(),
                                   [](const LessonCommand& c) { return c.kind == LessonCommand::Kind::Leave; });
    lesson_commands_.clear();
    if (compare_->frame(std::move(actions), rects_) && !leave) return;
    // Left: this studio's one engine with the Controls' settings (after --compare: the first model, the same flags).
    compare_.reset();
    rects_.clear();
    std::string error;
    if (!launch(&error)) std::fprintf(stderr, "minicorn-studio: %s\n", error.c_str());
}

}  // namespace minicorn::studio
