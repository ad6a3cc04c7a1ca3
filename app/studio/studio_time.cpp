// app/studio/studio_time.cpp — the Studio's time travel: showing the World at
// an earlier event or instant (from Keyframes, never a re-run), stepping back
// and forth, and the arrow keys. See studio.h and panels/stepping.h.
//
// Live, the engine keeps running and recording while the learner looks back:
// the Recording grows behind the instant shown, and "back to live" (or a step
// forward past the newest event) follows it again.
#include <imgui.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <algorithm>

#include "app/studio/panels/widgets.h"
#include "app/studio/studio.h"

namespace minicorn::studio {

// A recording still being folded (just opened) is shown only as far as it
// is folded: a later instant would be folded here, on the UI thread, from the
// newest keyframe — seconds for a long recording.
std::size_t Studio::showable(std::size_t n) const {
    return replaying() ? std::min(n, keys_->folded()) : n;
}

void Studio::show_event(std::size_t n) {
    if (n >= rec_->size()) {
        live_ = true;  // the newest event: follow the recording again
        return;
    }
    n = showable(n);
    live_ = false;
    shown_events_ = n;
    shown_world_ = keys_->world_after(n);
    shown_ns_ = shown_world_.now_ns;
}

void Studio::show_instant(std::uint64_t t_ns) {
    const std::size_t n = rec_->lower_bound(t_ns + 1);
    if (showable(n) < n) {
        show_event(showable(n));
        return;
    }
    live_ = false;
    shown_events_ = n;
    shown_world_ = keys_->world_at(t_ns);
    shown_ns_ = t_ns;
}

std::uint64_t Studio::followed_conn() const {
    if (picked_conn_) return picked_conn_;
    // The request of the event shown, or the nearest earlier event that has one.
    const std::size_t n = shown_events();
    for (std::size_t i = n, looked = 0; i-- > 0 && looked < 4096; ++looked) {
        if ((*rec_)[i].conn) return (*rec_)[i].conn;
    }
    return 0;
}

void Studio::select_request_text(const std::string& text) {
    if (auto id = parse_request(text, *rec_, shown(), requests_)) {
        passport_.show_when_built = true;  // as the Passport's field does
        queue(Action{Action::Kind::SelectRequest, 0, 0, *id});
    } else {
        passport_.note = "\"" + text + "\" names no request";
    }
}

void Studio::step(StepBy by, StepDirection dir) {
    const std::size_t from = shown_events();
    if (auto to = step_from(*rec_, from, by, dir, followed_conn())) show_event(*to);
}

void Studio::handle_step_keys(Actions& actions) {
    const ImGuiIO& io = ImGui::GetIO();
    const StepBy by = io.KeyCtrl ? StepBy::Moment : io.KeyShift ? StepBy::RequestEvent : StepBy::Event;
    auto step_action = [by](StepDirection dir) {
        Action a = make_action(Action::Kind::Step);
        a.step_by = by;
        a.direction = dir;
        return a;
    };
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow), true)) actions.push_back(step_action(StepDirection::Back));
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow), true)) {
        // Live with the gate closed, → lets the engine take its next step; looking back, it steps the recording.
        const bool gate_step = live_ && by == StepBy::Event && !replaying();
        actions.push_back(gate_step ? make_action(Action::Kind::GateStep) : step_action(StepDirection::Forward));
    }
}

}  // namespace minicorn::studio
