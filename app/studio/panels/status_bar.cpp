// app/studio/panels/status_bar.cpp — see status_bar.h.
#include "app/studio/panels/status_bar.h"

#include <fmt/format.h>

#include <string_view>

#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

constexpr float kPadX = 8, kPadY = 3;

float gap() { return ImGui::GetFontSize() * 1.6f; }  // 24 px at the default size

float width_of(const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; }

float part_width(const StatusPart& p, std::size_t form) {
    float w = width_of(p.forms[form]);
    if (p.restart) w += ImGui::GetStyle().ItemSpacing.x + width_of("Restart") + 2 * ImGui::GetStyle().FramePadding.x;
    return w;
}

StatusPart engine_part(const View& view, const SessionStatus& st) {
    switch (st.engine) {
        case SessionStatus::Engine::Starting: return {{"\u25CF engine starting\u2026"}, IM_COL32(255, 204, 77, 255), "", false};
        case SessionStatus::Engine::Running:
            return {{fmt::format("\u25CF engine: {} \u00B7 master pid {} \u00B7 127.0.0.1:{}", view.worker_class, st.serve_pid, st.port),
                     fmt::format("\u25CF engine: {} \u00B7 127.0.0.1:{}", view.worker_class, st.port),
                     fmt::format("\u25CF {}", view.worker_class)},
                    IM_COL32(102, 230, 128, 255), st.serve_command, false};
        case SessionStatus::Engine::Exited:
            return {{fmt::format("\u25CF the engine exited ({})", st.serve_exit), "\u25CF engine exited"},
                    IM_COL32(255, 102, 89, 255), st.serve_command, true};
        case SessionStatus::Engine::Synthetic:
            return {{"\u25CF synthetic recording (no engine)", "\u25CF synthetic"}, IM_COL32(153, 178, 255, 255), "", false};
        case SessionStatus::Engine::Replay:
            return {{fmt::format("\u25CF recording {} (no engine runs)", st.replay_name), fmt::format("\u25CF {}", st.replay_name)},
                    IM_COL32(153, 178, 255, 255),
                    "A recording opened from a file: what the engine did then, replayed. File \u2192 Back to a live engine "
                    "starts one again.",
                    false};
    }
    return {};
}

StatusPart gate_part(const View& view, const SessionStatus& st) {
    const ImU32 amber = IM_COL32(255, 204, 77, 255);
    if (!view.live) {
        return {{"\u25C0 looking back: \u2190 \u2192 step, shift: the request's, ctrl: a moment",
                 "looking back: \u2190 \u2192 step", "looking back"},
                IM_COL32(153, 178, 255, 255),
                "The panels show the World at an earlier instant, restored from the recording. The engine keeps "
                "running and recording meanwhile; \u201Cback to live\u201D in the time bar follows it again.",
                false};
    }
    if (!st.gate_closed) {
        return {{view.replaying ? "at the end \u00B7 \u2190 steps back" : "live \u00B7 \u2190 looks back",
                 view.replaying ? "at the end" : "live"},
                0, "", false};
    }
    if (st.play_rate > 0) {
        const char* s = st.play_rate == 1 ? "" : "s";
        return {{fmt::format("\u25B6 playing at {:.0f} step{}/s (durations in engine time)", st.play_rate, s),
                 fmt::format("\u25B6 {:.0f} step{}/s", st.play_rate, s)},
                amber, "", false};
    }
    return {{"\u2016 paused: engine time stands still (space plays, \u2192 steps)", "\u2016 paused (space plays, \u2192 steps)",
             "\u2016 paused"},
            amber,
            "Every duration shown is in engine time: the time the gate was closed is left out, as the engine leaves "
            "it out of its own timeouts. A step lets engine time run while the stepped thread works.",
            false};
}

}  // namespace

std::vector<StatusPart> status_parts(const View& view, const SessionStatus& st, bool behind) {
    std::vector<StatusPart> parts;
    parts.push_back(engine_part(view, st));
    const char* client = st.client == SessionStatus::Client::Running  ? "client: minicorn load"
                         : st.client == SessionStatus::Client::Exited ? "client exited"
                                                                      : "client off";
    parts.push_back({{client}, 0, st.client_command, false});
    const auto dropped = static_cast<unsigned long long>(view.rec.dropped());
    parts.push_back({{fmt::format("{} events ({} dropped) \u00B7 {} open connection{}", view.rec.size(), dropped,
                                  view.world.connections.size(), view.world.connections.size() == 1 ? "" : "s"),
                      fmt::format("{} events \u00B7 {} open", view.rec.size(), view.world.connections.size())},
                     0, "", false});
    if (behind) {
        parts.push_back({{fmt::format("({} behind)", st.backlog)}, IM_COL32(255, 153, 77, 255),
                         "The engine emits events faster than the studio folds them; the view lags by this many and "
                         "catches up when the load drops. Nothing is lost.",
                         false});
    }
    parts.push_back(gate_part(view, st));
    // The gate's note: who took the last step · where steps go; each half moves to a new line whole.
    if (st.gate_closed && !view.gate_note.empty()) {
        std::string_view note = view.gate_note;
        constexpr std::string_view kSep = " \u00B7 ";
        for (std::size_t at = note.find(kSep);; at = note.find(kSep)) {
            parts.push_back({{std::string(note.substr(0, at))}, 0, "", false});
            if (at == std::string_view::npos) break;
            note.remove_prefix(at + kSep.size());
        }
    }
    parts.push_back({{"F1: keys"}, ImGui::GetColorU32(ImGuiCol_TextDisabled), "", false});
    return parts;
}

std::vector<StatusPlace> place_status(const std::vector<StatusPart>& parts, float width) {
    std::vector<StatusPlace> places;
    const float room = width - 2 * kPadX;
    std::size_t line = 0;
    float x = 0;
    for (const StatusPart& p : parts) {
        auto first_fit = [&](float left) {
            for (std::size_t f = 0; f < p.forms.size(); ++f) {
                if (part_width(p, f) <= left) return f;
            }
            return p.forms.size();
        };
        std::size_t form = first_fit(x > 0 ? room - x - gap() : room);
        if (form == p.forms.size() && x > 0) {  // not even the shortest: a new line
            ++line;
            x = 0;
            form = first_fit(room);
        }
        if (form == p.forms.size()) form = p.forms.size() - 1;  // wider than the window: the layout checker says so
        x += (x > 0 ? gap() : 0) + part_width(p, form);
        places.push_back({line, form});
    }
    return places;
}

float status_bar_height(const std::vector<StatusPart>& parts, float width) {
    const std::vector<StatusPlace> places = place_status(parts, width);
    const float lines = places.empty() ? 1.0f : static_cast<float>(places.back().line + 1);
    return 2 * kPadY + lines * ImGui::GetFrameHeight() + (lines - 1) * ImGui::GetStyle().ItemSpacing.y;
}

void draw_status_bar(const std::vector<StatusPart>& parts, float y, float width, Actions& actions) {
    ImGui::SetNextWindowPos(ImVec2(0, y));
    ImGui::SetNextWindowSize(ImVec2(width, status_bar_height(parts, width)));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(kPadX, kPadY));
    ImGui::Begin("##status", nullptr,
                 ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoSavedSettings);
    const std::vector<StatusPlace> places = place_status(parts, width);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const StatusPart& p = parts[i];
        if (i > 0 && places[i].line == places[i - 1].line) ImGui::SameLine(0, gap());
        ImGui::AlignTextToFramePadding();
        label(p.forms[places[i].form], p.color);
        if (!p.tip.empty()) explain(p.tip);
        if (p.restart) {
            ImGui::SameLine();
            if (ImGui::SmallButton("Restart")) actions.push_back(make_action(Action::Kind::Restart));
            note_item("Restart");
        }
    }
    ImGui::End();
    ImGui::PopStyleVar();
}

}  // namespace minicorn::studio
