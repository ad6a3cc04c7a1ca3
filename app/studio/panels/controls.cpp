// app/studio/panels/controls.cpp — see controls.h.
#include "app/studio/panels/controls.h"

#include "app/studio/draw/highlight.h"

#include <imgui.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "app/studio/panels/gate_controls.h"
#include "app/studio/panels/widgets.h"
#include "engine/compare/compare_config.h"
#include "engine/process/config.h"
#include "engine/process/settings.h"

namespace minicorn::studio {

namespace {

using process::Setting;
using process::SettingKind;

// Settings the session owns: where to listen, where the trace goes, where
// logs go (the studio reads them from a pipe).
bool managed_by_studio(std::string_view name) {
    return name == "bind" || name == "trace" || name == "trace_fd" || name == "pidfile" || name == "errorlog";
}

// The ones a learner changes most, shown first (in this order).
constexpr std::array<std::string_view, 8> kUsual = {"worker_class", "workers",     "threads", "worker_connections",
                                                    "timeout",      "keepalive", "gil",     "max_requests"};

const Setting* find_setting(std::string_view name) {
    for (const Setting& s : process::settings_table()) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

// Why the chosen worker class ignores a setting ("" when it does not), as
// gunicorn does (FIDELITY.md: sync, gthread, the green workers, tornado).
std::string_view ignored_because(std::string_view setting, std::string_view cls) {
    bool sync = cls == "sync", tornado = cls == "tornado";
    bool one_thread = cls == "gevent" || cls == "eventlet" || tornado || cls == "asyncio";
    if (setting == "threads" && one_thread) {
        return "ignored: only gthread (or sync with threads > 1) has a thread pool; this worker runs on one thread";
    }
    if (setting == "keepalive" && sync) return "ignored by sync: it closes every connection after one response";
    if (setting == "keepalive" && tornado) return "ignored by tornado: its own server decides keep-alive";
    if (setting == "worker_connections" && (sync || tornado)) {
        return sync ? "ignored by sync: it serves one connection at a time" : "ignored by tornado: it does not cap connections";
    }
    return "";
}

// One row: the editor for a setting, labelled with gunicorn's name.
void edit_setting(const Setting& s, std::string& value, std::string_view ignored = "") {
    std::string label = std::string(s.name);
    ImGui::PushID(label.c_str());
    ImGui::BeginDisabled(!ignored.empty());
    // The editor takes half the row, less if the name beside it would not fit
    // (a narrow Controls panel); an ignored setting's name then drops "· ignored"
    // (it stays greyed out, and its hover says why).
    const float avail = ImGui::GetContentRegionAvail().x;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    std::string name = ignored.empty() ? label : label + " \u00B7 ignored";
    float name_w = ImGui::CalcTextSize(name.c_str()).x;
    if (!ignored.empty() && avail * 0.35f + spacing + name_w > avail) {
        name = label;
        name_w = ImGui::CalcTextSize(name.c_str()).x;
    }
    ImGui::SetNextItemWidth(std::clamp(avail - spacing - name_w, avail * 0.35f, avail * 0.5f));
    switch (s.kind) {
    case SettingKind::Choice: {
        if (ImGui::BeginCombo("##v", value.c_str())) {
            for (std::string_view choice : s.choices) {
                std::string c(choice);
                if (ImGui::Selectable(c.c_str(), c == value)) value = c;
            }
            ImGui::EndCombo();
        }
        break;
    }
    case SettingKind::Int: {
        int v = std::atoi(value.c_str());
        bool changed = false;
        if (s.name == "workers") changed = ImGui::SliderInt("##v", &v, 1, 8);
        else if (s.name == "threads") changed = ImGui::SliderInt("##v", &v, 1, 32);
        else if (s.name == "timeout" || s.name == "keepalive" || s.name == "graceful_timeout")
            changed = ImGui::SliderInt("##v", &v, 0, 60);
        else changed = ImGui::InputInt("##v", &v, 1, 100);
        if (changed) value = std::to_string(std::max(0, v));
        break;
    }
    case SettingKind::Flag: {
        bool on = value == "True";
        if (ImGui::Checkbox("##v", &on)) value = on ? "True" : "False";
        break;
    }
    case SettingKind::String:
    case SettingKind::List: {
        std::array<char, 256> buf{};
        std::snprintf(buf.data(), buf.size(), "%s", value == "None" ? "" : value.c_str());
        if (ImGui::InputText("##v", buf.data(), buf.size())) value = buf[0] ? std::string(buf.data()) : "None";
        break;
    }
    }
    ImGui::SameLine();
    // Ignored: greyed out, "ignored" beside its name, and why on hover (one
    // line each keeps the gate's buttons in view without scrolling).
    studio::label(name);
    ImGui::EndDisabled();
    explain(ignored.empty() ? std::string(s.help) : std::string(ignored) + ".\n\n" + std::string(s.help));
    ImGui::PopID();
}

void validate(ControlsState& state) {
    process::Config cfg;
    std::vector<std::string> args = serve_args(state);
    auto outcome = process::parse_serve_args(args, cfg);
    state.error = outcome.status == process::ParseOutcome::Status::Error ? outcome.message : "";
}

void signal_button(const char* label, int signo, const char* what, bool enabled, Actions& actions) {
    ImGui::BeginDisabled(!enabled);
    if (ImGui::Button(label)) actions.push_back(make_action(Action::Kind::SignalArbiter, signo, 0, 0));
    note_item(label);
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", what);
    ImGui::SameLine();
}

}  // namespace

void init_controls(ControlsState& state, const std::vector<std::string>& args) {
    process::Config cfg;
    auto outcome = process::parse_serve_args(args, cfg);
    if (outcome.status == process::ParseOutcome::Status::Error) state.error = outcome.message;
    state.values.clear();
    for (const Setting& s : process::settings_table()) state.values[std::string(s.name)] = s.show(cfg);
    state.applied = serve_args(state);
}

std::vector<std::string> serve_args(const ControlsState& state) {
    const process::Config defaults;
    std::vector<std::string> args;
    for (const Setting& s : process::settings_table()) {
        if (managed_by_studio(s.name) || s.kind == SettingKind::List) continue;
        auto it = state.values.find(std::string(s.name));
        if (it == state.values.end() || it->second == s.show(defaults)) continue;
        if (s.kind == SettingKind::Flag) {
            if (it->second == "True") args.emplace_back(s.long_flag);
            continue;
        }
        args.emplace_back(s.long_flag);
        args.push_back(it->second == "None" ? "" : it->second);
    }
    return args;
}

std::vector<std::string> compare_serve_args(const ControlsState& state) {
    std::vector<std::string> args;
    auto workers = state.values.find("workers");
    if (workers != state.values.end()) args = {"--workers", workers->second};
    const std::vector<std::string> all = serve_args(state);
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i] == "--workers") {
            ++i;  // and its value: said first already (apply_compare drops the worker class)
            continue;
        }
        args.push_back(all[i]);
    }
    return args;
}

void draw_controls(const View& view, ControlsState& state, const SessionStatus& status, Actions& actions) {
    const bool engine_up = status.engine == SessionStatus::Engine::Running;

    // --- the settings table ---
    const std::string& cls = state.values["worker_class"];
    const bool sync_threads = cls == "sync" && std::atoi(state.values["threads"].c_str()) > 1;
    for (std::string_view name : kUsual) {
        const Setting* s = find_setting(name);
        if (!s) continue;
        // sync with threads > 1 is gthread: judge the other settings as gthread would.
        edit_setting(*s, state.values[std::string(name)], ignored_because(name, sync_threads ? "gthread" : cls));
        if (name == "worker_class" && sync_threads) {
            label_wrapped("sync with threads > 1 runs gthread, as gunicorn does: a poller and a pool of threads",
                          IM_COL32(255, 204, 77, 255));
        }
    }
    if (ImGui::TreeNode("every other setting")) {
        for (const Setting& s : process::settings_table()) {
            bool usual = std::find(kUsual.begin(), kUsual.end(), s.name) != kUsual.end();
            if (usual || managed_by_studio(s.name) || s.kind == SettingKind::List) continue;
            edit_setting(s, state.values[std::string(s.name)]);
        }
        label_wrapped("bind, pid file, logs and trace are the studio's.", dim_color());
        ImGui::TreePop();
    }
    validate(state);
    const bool changed = serve_args(state) != state.applied;
    if (!state.error.empty()) {
        label_wrapped(state.error, IM_COL32(255, 115, 102, 255));
    }
    ImGui::BeginDisabled(!state.error.empty());
    if (changed) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.75f, 0.45f, 0.1f, 1.0f));
    const char* restart = changed ? "Restart engine with these settings" : "Restart engine";
    if (ImGui::Button(restart)) actions.push_back(make_action(Action::Kind::Restart, 0, 0, 0));
    note_item(restart);
    if (changed) ImGui::PopStyleColor();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Checkbox("at once", &state.apply_at_once);
    note_item("at once");
    explain("Restart the engine by itself whenever a setting changes (once you let go of the slider or field).");
    if (changed && state.apply_at_once && state.error.empty() && !ImGui::IsAnyItemActive()) {
        actions.push_back(make_action(Action::Kind::Restart));
    } else if (changed) {
        label("(not applied yet)", dim_color());
    }

    // --- signals ---
    section("Signals to the arbiter");
    signal_button("TTIN", SIGTTIN, "TTIN: one more worker (num_workers + 1)", engine_up, actions);
    signal_button("TTOU", SIGTTOU, "TTOU: one worker fewer (the oldest is retired)", engine_up, actions);
    signal_button("HUP", SIGHUP, "HUP: reload — new workers are started, the old ones stopped gracefully", engine_up,
                  actions);
    signal_button("TERM", SIGTERM, "TERM: graceful shutdown — workers finish their requests, then the master exits",
                  engine_up, actions);
    ImGui::NewLine();
    std::vector<const trace::Process*> workers = view.world.workers();
    bool target_alive = std::any_of(workers.begin(), workers.end(),
                                    [&](const trace::Process* p) { return p->pid == state.kill_target; });
    if (!target_alive) state.kill_target = workers.empty() ? 0 : workers.back()->pid;
    char preview[64];
    std::snprintf(preview, sizeof preview, "pid %d", static_cast<int>(state.kill_target));
    // As wide as its text (scaled fonts too), not a fixed 120 px.
    const char* shown = state.kill_target ? preview : "no worker";
    ImGui::SetNextItemWidth(ImGui::CalcTextSize(shown).x + ImGui::GetFrameHeight() + 2 * ImGui::GetStyle().FramePadding.x);
    if (ImGui::BeginCombo("##victim", shown)) {
        for (const trace::Process* p : workers) {
            char item[64];
            std::snprintf(item, sizeof item, "worker %lld · pid %d", static_cast<long long>(p->worker_age),
                          static_cast<int>(p->pid));
            if (ImGui::Selectable(item, p->pid == state.kill_target)) state.kill_target = p->pid;
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!engine_up || state.kill_target == 0);
    if (ImGui::Button("kill -9")) actions.push_back(make_action(Action::Kind::KillWorker, SIGKILL, state.kill_target, 0));
    note_item("kill -9");
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::SetTooltip("SIGKILL the worker: it cannot clean up; the arbiter reaps it and forks a new one");
    }

    // --- time: the gate ---
    section("Time (the step gate)");
    ImGui::BeginGroup();
    draw_gate_controls(view, state, engine_up, actions);
    ImGui::EndGroup();
    note_item_highlight("gate");
}

// The menu bar's "Compare": a tick per model, then the button that opens them
// side by side (the Compare view: one engine each, the same traffic to all).
// Appended to the menu bar File began (ImGui keeps its place).
void draw_compare_menu(ControlsState& state, const SessionStatus& status, Actions& actions) {
    if (!ImGui::BeginMainMenuBar()) return;
    // --then compare-menu: opened as a click would (the same id: inside the bar, before BeginMenu).
    if (std::exchange(state.open_compare_menu, false)) ImGui::OpenPopup("Compare");
    if (ImGui::BeginMenu("Compare")) {
        label("Run several worker models side by side: one engine each,");
        label("the same traffic to all, with the Controls' settings.");
        const std::vector<std::string>& models = compare::all_models();
        auto& picked = state.compare_models;
        for (std::size_t i = 0; i < models.size(); ++i) {
            bool on = std::find(picked.begin(), picked.end(), models[i]) != picked.end();
            if (i % 3 != 0) ImGui::SameLine(ImGui::GetFontSize() * 7.0f * static_cast<float>(i % 3));
            if (ImGui::Checkbox(models[i].c_str(), &on)) {
                // Kept in the table's order, whatever the order of the clicks.
                std::vector<std::string> next;
                for (std::size_t j = 0; j < models.size(); ++j) {
                    bool ticked = j == i ? on : std::find(picked.begin(), picked.end(), models[j]) != picked.end();
                    if (ticked) next.push_back(models[j]);
                }
                picked = std::move(next);
            }
            note_item(models[i]);
        }
        const bool enough = picked.size() >= 2;
        const bool can = enough && !status.lesson_running && status.engine != SessionStatus::Engine::Replay &&
                         status.engine != SessionStatus::Engine::Synthetic;
        ImGui::BeginDisabled(!can);
        if (ImGui::Button("Compare side by side")) {
            actions.push_back(make_action(Action::Kind::Compare));
            ImGui::CloseCurrentPopup();
        }
        note_item("Compare side by side");
        ImGui::EndDisabled();
        if (!enough) {
            label("Tick two models or more.", dim_color());
        } else if (status.lesson_running) {
            label("Leave the lesson first: it runs its own engine.", dim_color());
        } else if (!can) {
            label("Go back to a live engine first (File).", dim_color());
        }
        ImGui::EndMenu();
    }
    ImGui::EndMainMenuBar();
}

}  // namespace minicorn::studio
