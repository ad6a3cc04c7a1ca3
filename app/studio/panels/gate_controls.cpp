// app/studio/panels/gate_controls.cpp — see gate_controls.h.
#include "app/studio/panels/gate_controls.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "app/studio/draw/explain.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

// A button of fixed width whose label may change (the ### keeps its id);
// `on` draws it pressed: the state it names is the one in force.
bool state_button(const char* label, const char* id, float width, bool on) {
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    bool pressed = ImGui::Button(fmt::format("{}###{}", label, id).c_str(), ImVec2(width, 0));
    note_item(label);  // the layout checker's text rectangles
    if (on) ImGui::PopStyleColor();
    return pressed;
}

Action target_action(pid_t pid, pid_t tid, std::uint64_t conn) {
    Action a = make_action(Action::Kind::GateTarget, 0, pid);
    a.tid = tid;
    a.conn = conn;
    return a;
}

// "steps go to: everyone / worker 1 / thread 4125 of worker 1 / connection :53122".
void target_combo(const View& view, Actions& actions) {
    const trace::World& w = view.world;
    const trace::GateTarget& t = view.step_target;
    const std::string current = t.anyone() ? std::string("everyone") : fmt::format("{} only", [&] {
        if (t.conn) {
            const trace::Connection* c = w.connection(t.conn);
            return c ? fmt::format("connection :{}", c->peer_port) : std::string("a connection");
        }
        const trace::Process* p = w.process(t.pid);
        std::string who = p ? worker_name(*p) : fmt::format("pid {}", t.pid);
        return t.tid && t.tid != t.pid ? fmt::format("thread {} of {}", t.tid, who) : who;
    }());
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##steps_go_to", fmt::format("steps go to: {}", current).c_str())) {
        if (ImGui::Selectable("everyone (the first to reach a decision point)", t.anyone())) actions.push_back(target_action(0, 0, 0));
        for (const trace::Process* p : w.workers()) {
            if (ImGui::Selectable(fmt::format("{} only (pid {})", worker_name(*p), p->pid).c_str(), t.pid == p->pid && !t.tid && !t.conn)) {
                actions.push_back(target_action(p->pid, 0, 0));
            }
            for (const auto& [tid, th] : p->threads) {
                if (tid == p->pid || th.role != trace::ThreadRole::Pool) continue;
                if (ImGui::Selectable(fmt::format("   thread {} of {} only", tid, worker_name(*p)).c_str(), t.tid == tid)) {
                    actions.push_back(target_action(p->pid, tid, 0));
                }
            }
        }
        int shown = 0;
        for (const auto& [id, c] : w.connections) {
            if (++shown > 16) break;
            if (ImGui::Selectable(fmt::format("connection :{} only ({})", c.peer_port, stage_word(c.stage)).c_str(), t.conn == id)) {
                actions.push_back(target_action(0, 0, id));
            }
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Whose decision points a step lets through. With one chosen, only its accepts, reads, "
                          "writes, … go on; every other worker, thread and the client stay frozen.");
    }
}

}  // namespace

void draw_gate_controls(const View& view, ControlsState& state, bool engine_up, Actions& actions) {
    const bool slow = view.play_rate > 0;
    const bool running = !view.paused;
    const ImGuiStyle& style = ImGui::GetStyle();
    float width = 0;  // the widest label any of the three may carry: no button moves when one changes
    for (const char* label : {"Pause (space)", "Paused", "Step (\u2192)", "Play (space)", "Playing"}) {
        width = std::max(width, ImGui::CalcTextSize(label).x);
    }
    width += 2 * style.FramePadding.x;
    ImGui::BeginDisabled(!engine_up);
    if (state_button(view.paused && !slow ? "Paused" : "Pause (space)", "pause", width, view.paused && !slow)) {
        actions.push_back(make_action(Action::Kind::GatePause));
    }
    ImGui::SameLine();
    if (ImGui::Button("Step (\u2192)###step", ImVec2(width, 0))) actions.push_back(make_action(Action::Kind::GateStep));
    note_item("Step (\u2192)");
    ImGui::SameLine();
    if (state_button(running || slow ? "Playing" : "Play (space)", "play", width, running || slow)) {
        actions.push_back(make_action(Action::Kind::GatePlay));
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    static const char* const kRateNames[] = {"full speed", "100 steps/s", "20 steps/s", "5 steps/s", "1 step/s"};
    ImGui::SetNextItemWidth(-1);
    ImGui::Combo("##rate", &state.play_rate_index, kRateNames, IM_ARRAYSIZE(kRateNames));
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Play speed; a new one applies at once while playing. Below full speed the gate stays "
                          "closed and the studio lets that many decision points (accepts, reads, switches, …) "
                          "through each second.");
    }
    target_combo(view, actions);  // the status bar says paused / playing, once, and who took the last step
}

}  // namespace minicorn::studio
