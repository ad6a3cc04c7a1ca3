// app/studio/compare_layout.cpp — the Compare view on screen (see compare.h):
//
//   ┌ sync — 2 workers ────────────┐┌ Compare: the same traffic ┐
//   │ (its Topology, compact)      ││ Pause / Step / Play (all)  │
//   ├ gthread — 2 workers ─────────┤│ the one client, the request│
//   │                              ││ picked, Leave compare      │
//   ├ gevent — 2 workers ──────────┤├ Side by side ──────────────┤
//   │                              ││ legend, table, 4 plots     │
//   └──────────────────────────────┘└────────────────────────────┘
//
// Up to three engines stack in one column (a Topology is wide: clients,
// kernel, workers from left to right); four to six take two columns.
#include <imgui.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>  // key codes: ImGui 1.86's GLFW backend indexes keys by them

#include <algorithm>
#include <cmath>

#include "app/studio/compare.h"
#include "app/studio/panels/compare_plots.h"
#include "app/studio/panels/widgets.h"
#include "app/studio/studio.h"

namespace minicorn::studio {

namespace {

constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
    ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;

void begin_panel(const std::string& name, float x, float y, float w, float h) {
    ImGui::SetNextWindowPos(ImVec2(x, y));
    ImGui::SetNextWindowSize(ImVec2(w, h));
    ImGui::Begin(name.c_str(), nullptr, kPanelFlags);
}

void record_panel(const std::string& name, std::vector<PanelRect>& rects) {
    const ImVec2 p = ImGui::GetWindowPos();
    const ImVec2 sz = ImGui::GetWindowSize();
    rects.push_back(PanelRect{name, p.x, p.y, sz.x, sz.y});
}

// A model's colour, darkened for a title bar that white text must stay readable on.
ImVec4 title_tint(std::size_t index, float k) {
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(model_color(index));
    return ImVec4(c.x * k, c.y * k, c.z * k, 1.0f);
}

}  // namespace

bool CompareView::frame(Actions actions, std::vector<PanelRect>& rects) {
    rects.clear();
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput) {
        const bool paused = !engines_.empty() && engines_.front()->gate.paused();
        if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) {
            actions.push_back(make_action(paused ? Action::Kind::GatePlay : Action::Kind::GatePause));
        }
        if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT, true)) actions.push_back(make_action(Action::Kind::GateStep));
    }
    const ImVec2 display = io.DisplaySize;
    const std::size_t n = engines_.size();
    if (n <= 3) {
        // One column of engines on the left; the controls above the plots on the right.
        const float em = ImGui::GetFontSize() / 15.0f;
        const float right_w = std::clamp(display.x * 0.3f, 380.0f * em, std::max(480.0f * em, display.x * 0.3f));
        const float left_w = display.x - right_w;
        const float cell_h = std::floor(display.y / static_cast<float>(std::max<std::size_t>(1, n)));
        for (std::size_t i = 0; i < n; ++i) draw_engine(i, 0, cell_h * static_cast<float>(i), left_w, cell_h, rects);
        const float controls_h = std::floor(display.y * 0.40f);
        draw_controls(left_w, 0, right_w, controls_h, rects);
        draw_plots(left_w, controls_h, right_w, display.y - controls_h, rects, false);
    } else {
        // Four to six: two columns of engines over the whole width (a Topology needs it), and
        // along the bottom the controls beside the plots, laid out in columns.
        const float strip_h = std::floor(display.y * 0.34f);
        const float top_h = display.y - strip_h;
        const std::size_t rows = (n + 1) / 2;
        const float cell_w = std::floor(display.x / 2);
        const float cell_h = std::floor(top_h / static_cast<float>(rows));
        for (std::size_t i = 0; i < n; ++i) {
            draw_engine(i, cell_w * static_cast<float>(i % 2), cell_h * static_cast<float>(i / 2), cell_w, cell_h, rects);
        }
        const float controls_w = std::floor(display.x * 0.3f);
        draw_controls(0, top_h, controls_w, strip_h, rects);
        draw_plots(controls_w, top_h, display.x - controls_w, strip_h, rects, true);
    }
    carry_out(actions);
    return !leave_;
}

void CompareView::draw_plots(float x, float y, float w, float h, std::vector<PanelRect>& rects, bool in_columns) {
    begin_panel("Side by side: the same traffic, one colour per model###ComparePlots", x, y, w, h);
    record_panel("Compare plots", rects);
    std::vector<PlotSeries> rate, busy, queue, latency;
    std::vector<std::string> models;
    std::vector<std::uint32_t> colors;
    std::vector<const Metrics*> metrics;
    for (std::size_t i = 0; i < engines_.size(); ++i) {
        const CompareEngine& eng = *engines_[i];
        const std::uint32_t c = model_color(i);
        models.push_back(eng.model);
        colors.push_back(c);
        metrics.push_back(&eng.metrics);
        std::vector<float> per_s = eng.metrics.rate_history();
        if (!per_s.empty()) per_s.pop_back();  // the second under way: not a drop, only unfinished
        rate.push_back({eng.model, c, std::move(per_s)});
        busy.push_back({eng.model, c, busy_workers(eng.metrics)});
        queue.push_back({eng.model, c, {eng.metrics.accept_queue().begin(), eng.metrics.accept_queue().end()}});
        const auto hist = eng.metrics.latency_histogram(10);
        latency.push_back({eng.model, c, std::vector<float>(hist.begin(), hist.end())});
    }
    // In columns (a wide, short strip): the table | two plots | two plots; else one under the other.
    const bool columns = in_columns && ImGui::BeginTable("##plot-columns", 3, ImGuiTableFlags_SizingStretchSame);
    if (columns) ImGui::TableNextColumn();
    draw_compare_table(models, colors, metrics);
    label_wrapped("The same traffic for all: more requests a second and a lower p99 mean that model copes better "
                  "with this mix, on this machine.", dim_color());
    ImGui::Spacing();
    const float line = ImGui::GetTextLineHeightWithSpacing();
    if (columns) ImGui::TableNextColumn();
    // Titles that may wrap on a narrow screen, and the histogram's labels.
    const float plot_h = std::max(24.0f, (ImGui::GetContentRegionAvail().y - (columns ? 5 : 7) * line) / (columns ? 2.0f : 4.0f));
    draw_overlaid_lines("requests a second, last 60 s", rate, plot_h, 1.0f);
    draw_overlaid_histogram("latency (ms), last 10 s: share of each model's requests", latency, plot_h + line);
    if (columns) ImGui::TableNextColumn();
    const int workers = engines_.empty() ? 1 : engines_.front()->workers;
    draw_overlaid_lines(fmt::format("busy workers ({} = all at work)", workers).c_str(), busy, plot_h,
                        1e9f / static_cast<float>(Metrics::kSampleEvery));
    draw_overlaid_lines("accept queue: connections no worker has accepted yet", queue, plot_h,
                        1e9f / static_cast<float>(Metrics::kSampleEvery));
    if (columns) ImGui::EndTable();
    ImGui::End();
}

void CompareView::draw_engine(std::size_t i, float x, float y, float w, float h, std::vector<PanelRect>& rects) {
    CompareEngine& eng = *engines_[i];
    View view = view_of(eng);
    const std::string title = view.world.arbiter.stopped
                                  ? fmt::format("{}, stopped###Compare{}", eng.model, i)
                                  : fmt::format("{} \u2014 {} worker{}, its own engine on port {}###Compare{}", eng.model,
                                                view.num_workers, view.num_workers == 1 ? "" : "s",
                                                eng.session.port(), i);
    ImGui::PushStyleColor(ImGuiCol_TitleBg, title_tint(i, 0.35f));
    ImGui::PushStyleColor(ImGuiCol_TitleBgActive, title_tint(i, 0.45f));
    begin_panel(title, x, y, w, h);
    ImGui::PopStyleColor(2);
    record_panel("Compare " + eng.model, rects);
    if (eng.session.serve().state == ChildState::Exited) {
        labelf_wrapped(IM_COL32(255, 120, 100, 255), "\u26A0 This engine has exited ({}). The others go on.",
                       eng.session.serve().exit_text);
    }
    const auto hist = eng.metrics.latency_histogram(10);
    std::uint32_t done = 0;
    for (auto v : hist) done += v;
    if (done > 0) {
        labelf(model_color(i), "{:.0f} requests a second \u00B7 p99 {} \u00B7 {:.0f} errors a second",
               eng.metrics.requests_per_second(), format_latency(eng.metrics.latency_percentile_ms(0.99)),
               eng.metrics.errors_per_second());
    } else {
        label(eng.booted() ? "no request answered yet" : "starting\u2026", dim_color());
    }
    set_request_naming({&eng.requests, &mix_paths_});
    Actions mine;
    draw_topology(view, eng.topology, mine);
    for (const Action& a : mine) act_on_engine(eng, a);
    take_click(eng);
    ring_picked(i, eng);
    set_request_naming({});
    ImGui::End();
}

// A click on a token (or a client row) picks its request in every engine.
void CompareView::take_click(const CompareEngine& eng) {
    if (!ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) || !ImGui::IsMouseClicked(0)) return;
    const ImVec2 m = ImGui::GetIO().MousePos;
    for (const TopoItem& item : eng.topology.items) {
        if (item.kind != TopoItemKind::Token && item.kind != TopoItemKind::Client) continue;
        if (m.x < item.min.x || m.x > item.max.x || m.y < item.min.y || m.y > item.max.y) continue;
        const auto it = eng.latest->connections.find(item.id);
        if (it == eng.latest->connections.end()) continue;
        if (const std::uint64_t req = client_request(*eng.latest, it->second)) pick(eng, req);
        return;
    }
}

void CompareView::ring_picked(std::size_t i, const CompareEngine& eng) {
    rings_[i] = {0, 0, 0, 0};
    if (picked_ == 0) return;
    std::uint64_t conn = 0;
    for (const auto& [id, c] : eng.latest->connections) {
        if (request_number(client_request(*eng.latest, c)) == picked_) conn = id;
    }
    if (conn == 0) return;
    for (const TopoItem& item : eng.topology.items) {
        if (item.kind != TopoItemKind::Token || item.id != conn) continue;
        const ImVec2 c((item.min.x + item.max.x) * 0.5f, (item.min.y + item.max.y) * 0.5f);
        const float r = std::max(item.max.x - item.min.x, item.max.y - item.min.y) * 0.5f + 5;
        ImGui::GetWindowDrawList()->AddCircle(c, r, IM_COL32(255, 255, 255, 255), 0, 2.5f);
        rings_[i] = {c.x - r, c.y - r, 2 * r, 2 * r};
        return;
    }
}

void CompareView::draw_controls(float x, float y, float w, float h, std::vector<PanelRect>& rects) {
    begin_panel("Compare: one traffic, every worker model###CompareControls", x, y, w, h);
    record_panel("Compare controls", rects);
    Actions actions;
    labelf_wrapped(0, "The same requests go to {} engines, one per worker model, each on its own port with the same "
                      "settings. Watch where the requests wait.", engines_.size());
    if (ImGui::Button("Leave compare: back to one engine")) leave_ = true;
    explain("Stops these engines and opens the usual studio with one engine and the same settings.");
    section("Time: every engine together");
    const bool paused = !engines_.empty() && engines_.front()->gate.paused();
    if (ImGui::Button(paused ? "Play all (space)" : "Pause all (space)")) {
        actions.push_back(make_action(paused ? Action::Kind::GatePlay : Action::Kind::GatePause));
    }
    note_item(paused ? "Play all (space)" : "Pause all (space)");
    ImGui::SameLine();
    if (ImGui::Button("Step all (\u2192)")) actions.push_back(make_action(Action::Kind::GateStep));
    note_item("Step all (\u2192)");
    explain("Each engine runs one more decision point (an accept, a read, a switch, \u2026): engine time moves "
            "the same way in all of them.");
    if (paused) label_wrapped("paused: engine time stands still in every engine", IM_COL32(255, 204, 77, 255));

    section("Traffic: one client schedule, sent to every engine");
    int mode = static_cast<int>(traffic_.mode);
    ImGui::RadioButton("virtual users", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("fixed rate", &mode, 1);
    traffic_.mode = static_cast<TrafficState::Mode>(mode);
    ImGui::SetNextItemWidth(std::min(200.0f, ImGui::GetContentRegionAvail().x));
    if (traffic_.mode == TrafficState::Mode::Users) ImGui::SliderInt("users", &traffic_.users, 1, 200);
    else ImGui::SliderInt("requests a second", &traffic_.rate, 1, 500);
    char mix[256];
    std::snprintf(mix, sizeof mix, "%s", traffic_.mix.c_str());
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.8f);
    if (ImGui::InputText("mix", mix, sizeof mix)) traffic_.mix = mix;
    if (ImGui::Button("Send to every engine")) actions.push_back(make_action(Action::Kind::TrafficStart));
    ImGui::SameLine();
    if (ImGui::Button("Stop traffic")) actions.push_back(make_action(Action::Kind::TrafficStop));
    std::size_t running = 0;
    for (const auto& eng : engines_) running += eng->session.load().state == ChildState::Running ? 1u : 0u;
    labelf_wrapped(dim_color(), "client running on {} of {} engines, the same seed ({}) for all", running,
                   engines_.size(), kCompareSeed);

    section("One request, followed in every engine");
    if (picked_ == 0) {
        label_wrapped("Click a request's dot in any engine: the same request is ringed in all of them.", dim_color());
    } else {
        std::string where;
        for (std::size_t i = 0; i < engines_.size(); ++i) {
            const bool shown = rings_[i][2] > 0;
            where += fmt::format("{}{}: {}", i ? " \u00B7 " : "", engines_[i]->model,
                                 shown ? "ringed" : "not on a connection now");
        }
        labelf_wrapped(0, "{} \u2014 {}", picked_name_, where);
    }
    ImGui::End();
    carry_out(actions);
}

}  // namespace minicorn::studio
