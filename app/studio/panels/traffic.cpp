// app/studio/panels/traffic.cpp — see traffic.h.
#include "app/studio/panels/traffic.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cstdio>
#include <string>

#include "app/studio/draw/shapes.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

std::vector<std::string> load_args(const TrafficState& s) {
    std::vector<std::string> args;
    if (s.mode == TrafficState::Mode::Users) {
        args.insert(args.end(), {"-c", std::to_string(s.users)});
    } else {
        args.insert(args.end(), {"--rate", std::to_string(s.rate)});
    }
    // Runs until the studio stops it.
    args.insert(args.end(), {"-d", "86400", "--keep-alive", s.keep_alive ? "on" : "off", "--mix", s.mix});
    if (s.slowloris > 0) {
        args.insert(args.end(), {"--slowloris", std::to_string(s.slowloris), "--slowloris-ms",
                                 std::to_string(s.slowloris_ms)});
    }
    if (s.silent > 0) args.insert(args.end(), {"--silent", std::to_string(s.silent)});
    if (s.slow_readers > 0) args.insert(args.end(), {"--slow-readers", std::to_string(s.slow_readers)});
    if (s.aborters > 0) args.insert(args.end(), {"--aborters", std::to_string(s.aborters)});
    args.insert(args.end(), {"--timeout", std::to_string(s.timeout_s)});
    return args;
}

void draw_latency_histogram(const Metrics& metrics, float height) {
    auto hist = metrics.latency_histogram(10);
    std::uint32_t peak = *std::max_element(hist.begin(), hist.end());
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    float width = ImGui::GetContentRegionAvail().x;
    float label_h = ImGui::GetTextLineHeight();
    float bars_h = height - label_h - 2;
    dl->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + bars_h), IM_COL32(22, 26, 36, 255));
    float slot = width / static_cast<float>(kLatencyBins);
    for (std::size_t i = 0; i < kLatencyBins; ++i) {
        float x0 = origin.x + slot * static_cast<float>(i) + 1;
        float frac = peak ? static_cast<float>(hist[i]) / static_cast<float>(peak) : 0.0f;
        float y1 = origin.y + bars_h;
        if (hist[i] > 0) {
            dl->AddRectFilled(ImVec2(x0, y1 - std::max(2.0f, frac * (bars_h - 4))), ImVec2(x0 + slot - 2, y1),
                              IM_COL32(230, 180, 40, 255));
        }
        if (i % 2 == 0) draw_text(dl, ImVec2(x0, y1 + 1), IM_COL32(150, 150, 160, 255), latency_bin_label(i));
    }
    ImGui::Dummy(ImVec2(width, height));
    if (ImGui::IsItemHovered()) {
        float mx = ImGui::GetIO().MousePos.x - origin.x;
        auto i = static_cast<std::size_t>(std::clamp(mx / slot, 0.0f, static_cast<float>(kLatencyBins - 1)));
        ImGui::SetTooltip("%u requests took up to %s ms in the last 10 s (log scale bins)", hist[i], latency_bin_label(i));
    }
}

namespace {

// The client's settings: users or rate, the mix, keep-alive, the bad actors.
void draw_traffic_settings(TrafficState& s) {
    int mode = static_cast<int>(s.mode);
    ImGui::RadioButton("virtual users", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("fixed rate", &mode, 1);
    s.mode = static_cast<TrafficState::Mode>(mode);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    if (s.mode == TrafficState::Mode::Users) {
        ImGui::SliderInt("users (-c)", &s.users, 1, 1000, "%d", ImGuiSliderFlags_Logarithmic);
    } else {
        ImGui::SliderInt("req/s (--rate)", &s.rate, 1, 20000, "%d", ImGuiSliderFlags_Logarithmic);
    }
    std::array<char, 256> mix{};
    std::snprintf(mix.data(), mix.size(), "%s", s.mix.c_str());
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
    if (ImGui::InputText("mix", mix.data(), mix.size())) s.mix = mix.data();
    explain("path:weight, comma-separated. /io?ms=N sleeps (parks a greenlet, blocks a thread), /cpu?ms=N holds "
            "the GIL, /block?ms=N blocks even the hub, / says hello.");
    ImGui::Checkbox("keep-alive", &s.keep_alive);
    if (ImGui::TreeNode("bad actors")) {
        auto slider = [](const char* label, int* v, int max, const char* what) {
            ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.55f);
            ImGui::SliderInt(label, v, 0, max);
            explain(what);
        };
        slider("slowloris", &s.slowloris, 50, "clients that dribble the request head one byte at a time");
        slider("slowloris ms", &s.slowloris_ms, 10, "milliseconds between a slowloris client's bytes");
        slider("silent", &s.silent, 50, "clients that connect and never send a byte");
        slider("slow readers", &s.slow_readers, 50, "clients that read the response very slowly");
        slider("aborters", &s.aborters, 50, "clients that hang up before the response");
        ImGui::TreePop();
    }
}

}  // namespace

void draw_traffic(const View& view, TrafficState& s, const Metrics& metrics, const SessionStatus& status,
                  Actions& actions) {
    // --- the client's state ---
    switch (status.client) {
    case SessionStatus::Client::Off:
        label("client stopped", dim_color());
        break;
    case SessionStatus::Client::Running:
        if (status.engine == SessionStatus::Engine::Exited || view.world.arbiter.stopped) {
            label_wrapped("\u25CF minicorn load running, but the server is gone: every connect fails",
                          IM_COL32(255, 153, 77, 255));
        } else {
            label("\u25CF minicorn load running", IM_COL32(102, 230, 128, 255));
        }
        break;
    case SessionStatus::Client::Exited:
        labelf_wrapped(IM_COL32(255, 153, 77, 255), "client exited ({})", status.client_exit);
        break;
    }
    if (!status.client_command.empty()) explain(status.client_command);

    draw_traffic_settings(s);
    const bool running = status.client == SessionStatus::Client::Running;
    const bool changed = running && load_args(s) != s.applied;
    // A lesson sends its own requests and measures them: traffic of the
    // learner's own would change what it measures.
    if (status.lesson_running) {
        label_wrapped("The lesson sends its own requests: leave the lesson to send your own traffic.",
                      colors::kTextDim);
    }
    ImGui::BeginDisabled(status.engine != SessionStatus::Engine::Running || status.lesson_running);
    const char* start = changed ? "Restart traffic" : "Start traffic";
    if (ImGui::Button(start)) actions.push_back(make_action(Action::Kind::TrafficStart));
    note_item(start);
    ImGui::SameLine();
    if (ImGui::Button("Stop")) actions.push_back(make_action(Action::Kind::TrafficStop));
    note_item("Stop");
    ImGui::EndDisabled();

    // --- what it does ---
    section(metrics.from_client() ? "Live (as the client saw it)" : "Live (server-side, from the server's events)");
    labelf_wrapped(0, "{:.0f} req/s   errors {:.0f}/s   p50 {}   p99 {}", metrics.requests_per_second(),
                   metrics.errors_per_second(), format_latency(metrics.latency_percentile_ms(0.5)),
                   format_latency(metrics.latency_percentile_ms(0.99)));
    explain(metrics.from_client()
                ? "Latency as the client measured it (ClientDone): from sending the request to the whole response, "
                  "time in the kernel's accept queue included. Errors: ClientError (connect, read, timeout, …)."
                : "Latency measured by the server, from a complete request (Parsed) to its response written "
                  "(WriteDone); time spent in the kernel's accept queue is not in it.");
    if (const trace::ClientTotals& c = view.world.client; c.error_count() > 0) {
        // The client's errors by kind, as wrk prints them ("Socket errors: connect 0, read 3, …").
        std::string text = "client errors:";
        for (std::size_t k = 1; k < c.errors.size(); ++k) {
            if (c.errors[k] == 0) continue;
            text += " " + std::string(trace::to_string(static_cast<trace::ClientErrorKind>(k))) + " " +
                    std::to_string(c.errors[k]);
        }
        label_wrapped(text, IM_COL32(255, 153, 102, 255));
    }
    std::vector<float> rates = metrics.rate_history();
    if (!rates.empty()) {
        // The plot's title goes above it, as the histogram's does: ImGui's overlay text sits on the line.
        // On a short screen the plot gives up height (down to 16 px) so the histogram's labels still fit.
        const ImGuiStyle& style = ImGui::GetStyle();
        float line = ImGui::GetTextLineHeight() + style.ItemSpacing.y;
        float after = 2 * line + 50 + style.ItemSpacing.y + 4;  // the latency title, the histogram at its smallest
        float plot_h = std::clamp(ImGui::GetContentRegionAvail().y - line - after, 16.0f, 40.0f);
        label("requests per second, last 60 s", dim_color());
        ImGui::PlotLines("##rate", rates.data(), static_cast<int>(rates.size()), 0, nullptr, 0.0f, FLT_MAX,
                         ImVec2(ImGui::GetContentRegionAvail().x, plot_h));
    }
    label("latency (ms), last 10 s", dim_color());
    draw_latency_histogram(metrics, std::max(50.0f, std::min(90.0f, ImGui::GetContentRegionAvail().y - 4)));
}

}  // namespace minicorn::studio
