// app/studio/panels/compare_plots.h — the Compare view's plots: one series
// per worker model, overlaid on one scale in the model's colour (req/s over
// time, busy workers, the accept queue), the latency histograms side by side
// per bin, the legend, and the table of figures.
//
// Draws into the current ImGui window at the cursor; every text is noted for
// the layout checker (widgets.h).
//
// Thread affinity: the studio's main thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/studio/panels/metrics.h"

namespace minicorn::studio {

struct PlotSeries {
    std::string name;       // the model: "gevent"
    std::uint32_t color;    // its colour (model_color)
    std::vector<float> values;
};

// Values over time, oldest first, newest at the right edge, one line a series.
// `what`: the title; `samples_per_s`: how many values make a second (the x axis' labels).
void draw_overlaid_lines(const char* what, const std::vector<PlotSeries>& series, float height, float samples_per_s);

// Each series is a latency histogram (kLatencyBins counts): per bin, one bar
// a series, side by side, each the share of that model's requests.
void draw_overlaid_histogram(const char* what, const std::vector<PlotSeries>& series, float height);

// The models' names in their colours, on one line (wrapping if need be).
void draw_model_legend(const std::vector<PlotSeries>& series);

// One row a model: req/s, p50, p99, errors a second, from its metrics.
void draw_compare_table(const std::vector<std::string>& models, const std::vector<std::uint32_t>& colors,
                        const std::vector<const Metrics*>& metrics);


// The sum over a model's live workers of how busy each is (0–1: its threads
// or greenlets at work), one value per metrics sample, oldest first.
std::vector<float> busy_workers(const Metrics& metrics);

}  // namespace minicorn::studio
