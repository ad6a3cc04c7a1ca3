// app/studio/panels/compare_plots.cpp — see compare_plots.h.
#include "app/studio/panels/compare_plots.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app/studio/draw/shapes.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

constexpr ImU32 kPlotBg = IM_COL32(22, 26, 36, 255);
constexpr ImU32 kAxisText = IM_COL32(150, 150, 160, 255);

// "0.42", "52", "1.2k": a scale's top, short.
std::string short_number(float v) {
    if (v >= 10'000) return fmt::format("{:.0f}k", v / 1000);
    if (v >= 1'000) return fmt::format("{:.1f}k", v / 1000);
    if (v >= 10) return fmt::format("{:.0f}", v);
    return fmt::format("{:.1f}", v);
}

}  // namespace

void draw_overlaid_lines(const char* what, const std::vector<PlotSeries>& series, float height, float samples_per_s) {
    float top = 0;
    std::size_t longest = 2;
    for (const PlotSeries& s : series) {
        for (float v : s.values) top = std::max(top, v);
        longest = std::max(longest, s.values.size());
    }
    const float scale_top = top > 0 ? top * 1.1f : 1.0f;
    label_wrapped(fmt::format("{} (top: {})", what, short_number(top)), dim_color());
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    dl->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + height), kPlotBg);
    const float step = width / static_cast<float>(longest - 1);
    for (const PlotSeries& s : series) {
        if (s.values.size() < 2) continue;
        // Newest at the right edge: a shorter history starts further right.
        const float x0 = origin.x + width - step * static_cast<float>(s.values.size() - 1);
        std::vector<ImVec2> points;
        points.reserve(s.values.size());
        for (std::size_t k = 0; k < s.values.size(); ++k) {
            const float y = origin.y + height - 2 - (height - 4) * std::clamp(s.values[k] / scale_top, 0.0f, 1.0f);
            points.emplace_back(x0 + step * static_cast<float>(k), y);
        }
        dl->AddPolyline(points.data(), static_cast<int>(points.size()), s.color, ImDrawFlags_None, 1.5f);
    }
    ImGui::Dummy(ImVec2(width, height));
    if (ImGui::IsItemHovered()) {
        const float span_s = static_cast<float>(longest - 1) / samples_per_s;
        ImGui::SetTooltip("%s: the last %.0f s, newest at the right; one line per worker model", what, span_s);
    }
}

void draw_overlaid_histogram(const char* what, const std::vector<PlotSeries>& series, float height) {
    label_wrapped(what, dim_color());
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    const float label_h = ImGui::GetTextLineHeight();
    const float bars_h = height - label_h - 2;
    dl->AddRectFilled(origin, ImVec2(origin.x + width, origin.y + bars_h), kPlotBg);
    const float slot = width / static_cast<float>(kLatencyBins);
    const float bar_w = std::max(1.0f, (slot - 2) / static_cast<float>(std::max<std::size_t>(1, series.size())));
    for (std::size_t m = 0; m < series.size(); ++m) {
        const PlotSeries& s = series[m];
        float total = 0;
        for (float v : s.values) total += v;
        if (total <= 0) continue;
        for (std::size_t i = 0; i < kLatencyBins && i < s.values.size(); ++i) {
            if (s.values[i] <= 0) continue;
            const float share = s.values[i] / total;
            const float x = origin.x + slot * static_cast<float>(i) + 1 + bar_w * static_cast<float>(m);
            const float y1 = origin.y + bars_h;
            dl->AddRectFilled(ImVec2(x, y1 - std::max(2.0f, share * (bars_h - 4))), ImVec2(x + bar_w - 0.5f, y1), s.color);
        }
    }
    for (std::size_t i = 0; i < kLatencyBins; i += 2) {
        draw_text(dl, ImVec2(origin.x + slot * static_cast<float>(i) + 1, origin.y + bars_h + 1), kAxisText, latency_bin_label(i));
    }
    ImGui::Dummy(ImVec2(width, height));
    if (ImGui::IsItemHovered()) {
        const float mx = ImGui::GetIO().MousePos.x - origin.x;
        const auto i = static_cast<std::size_t>(std::clamp(mx / slot, 0.0f, static_cast<float>(kLatencyBins - 1)));
        std::string tip = fmt::format("requests that took up to {} ms, last 10 s, as a share of each model's:", latency_bin_label(i));
        for (const PlotSeries& s : series) {
            float total = 0;
            for (float v : s.values) total += v;
            const float v = i < s.values.size() ? s.values[i] : 0;
            tip += fmt::format("\n  {}: {:.0f} % ({:.0f} requests)", s.name, total > 0 ? 100 * v / total : 0.0f, v);
        }
        ImGui::SetTooltip("%s", tip.c_str());
    }
}

void draw_model_legend(const std::vector<PlotSeries>& series) {
    const float right = ImGui::GetWindowContentRegionMax().x;
    for (std::size_t m = 0; m < series.size(); ++m) {
        const float sq = ImGui::GetTextLineHeight() * 0.7f;
        const float item_w = sq + 6 + ImGui::CalcTextSize(series[m].name.c_str()).x;
        if (m > 0) {
            ImGui::SameLine(0, 14);
            if (ImGui::GetCursorPosX() + item_w > right) ImGui::NewLine();
        }
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float dy = (ImGui::GetTextLineHeight() - sq) * 0.5f;
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + dy), ImVec2(p.x + sq, p.y + dy + sq), series[m].color);
        ImGui::Dummy(ImVec2(sq + 2, ImGui::GetTextLineHeight()));
        ImGui::SameLine(0, 4);
        label(series[m].name, series[m].color);
    }
}

void draw_compare_table(const std::vector<std::string>& models, const std::vector<std::uint32_t>& colors,
                        const std::vector<const Metrics*>& metrics) {
    const ImGuiTableFlags flags = ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV;
    if (!ImGui::BeginTable("##figures", 5, flags)) return;
    // Each column as wide as its widest text could be ("eventlet", "1000 ms"), so nothing is cut.
    const float pad = ImGui::GetStyle().CellPadding.x * 2;
    const char* widest[] = {"eventlet", "10000", "1000 ms", "1000 ms", "errors"};
    for (const char* w : widest) ImGui::TableSetupColumn(w, ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize(w).x + pad);
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (const char* head : {"model", "req/s", "p50", "p99", "errors"}) {
        ImGui::TableNextColumn();
        label(head, dim_color());
    }
    for (std::size_t m = 0; m < models.size() && m < metrics.size(); ++m) {
        const Metrics& mx = *metrics[m];
        const auto hist = mx.latency_histogram(10);
        std::uint32_t n = 0;
        for (auto v : hist) n += v;
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        label(models[m], m < colors.size() ? colors[m] : 0);
        ImGui::TableNextColumn();
        label(fmt::format("{:.0f}", mx.requests_per_second()));
        ImGui::TableNextColumn();
        label(n ? format_latency(mx.latency_percentile_ms(0.5)) : "\u2013");
        ImGui::TableNextColumn();
        label(n ? format_latency(mx.latency_percentile_ms(0.99)) : "\u2013");
        ImGui::TableNextColumn();
        label(fmt::format("{:.0f}", mx.errors_per_second()));
    }
    ImGui::EndTable();
}

std::vector<float> busy_workers(const Metrics& metrics) {
    std::vector<float> sum;
    for (const auto& [pid, w] : metrics.workers()) {
        if (!w.alive || w.busy.empty()) continue;
        if (w.busy.size() > sum.size()) sum.insert(sum.begin(), w.busy.size() - sum.size(), 0.0f);
        // Aligned at the newest sample: a worker that came later adds to the last values only.
        const std::size_t offset = sum.size() - w.busy.size();
        for (std::size_t k = 0; k < w.busy.size(); ++k) sum[offset + k] += w.busy[k];
    }
    return sum;
}

}  // namespace minicorn::studio
