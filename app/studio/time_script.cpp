// app/studio/time_script.cpp — see time_script.h.
#include "app/studio/time_script.h"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

Action step(StepBy by, StepDirection dir) {
    Action a = make_action(Action::Kind::Step);
    a.step_by = by;
    a.direction = dir;
    return a;
}

bool starts(const std::string& name, std::string_view prefix) {
    return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0;
}

std::size_t count_after(const std::string& name, std::size_t colon) {
    return static_cast<std::size_t>(std::max(1, std::atoi(name.c_str() + colon)));
}

}  // namespace

bool is_time_script(const std::string& name) {
    return starts(name, "back:") || starts(name, "forward:") || starts(name, "scrub:") || name == "moment-back" ||
           name == "moment-forward" || name == "request-back" || name == "request-forward" || name == "live";
}

std::vector<Action> time_script_actions(const std::string& name, const Studio& studio) {
    if (starts(name, "back:")) return std::vector<Action>(count_after(name, 5), step(StepBy::Event, StepDirection::Back));
    if (starts(name, "forward:")) return std::vector<Action>(count_after(name, 8), step(StepBy::Event, StepDirection::Forward));
    if (name == "moment-back") return {step(StepBy::Moment, StepDirection::Back)};
    if (name == "moment-forward") return {step(StepBy::Moment, StepDirection::Forward)};
    if (name == "request-back") return {step(StepBy::RequestEvent, StepDirection::Back)};
    if (name == "request-forward") return {step(StepBy::RequestEvent, StepDirection::Forward)};
    if (name == "live") return {make_action(Action::Kind::FollowLive)};
    if (starts(name, "scrub:")) {
        const trace::Recording& rec = studio.recording();
        const double f = std::clamp(std::atof(name.c_str() + 6), 0.0, 1.0);
        const auto span = static_cast<double>(rec.last_time() - rec.first_time());
        return {make_action(Action::Kind::ShowInstant, 0, 0, rec.first_time() + static_cast<std::uint64_t>(f * span))};
    }
    return {};
}

nlohmann::json time_snapshot(const Studio& studio) {
    const trace::World& w = studio.shown();
    nlohmann::json workers = nlohmann::json::array();
    for (const trace::Process* p : w.workers()) workers.push_back({{"pid", p->pid}, {"state", std::string(trace::to_string(p->state))}});
    return {{"live", studio.live()},
            {"position", studio.shown_events()},
            {"events", studio.recording().size()},
            {"now_ns", w.now_ns},
            {"connections", w.connections.size()},
            {"workers", workers},
            {"keyframes", studio.keyframes().count()}};
}

}  // namespace minicorn::studio
