// app/studio/panels/stats.cpp — see stats.h.
#include "app/studio/panels/stats.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <vector>

#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

float last(const std::deque<float>& q) { return q.empty() ? 0.0f : q.back(); }
float peak(const std::deque<float>& q) { return q.empty() ? 0.0f : *std::max_element(q.begin(), q.end()); }

// One plot row: a label with the latest value, the series as a line.
void series(const char* label, const std::deque<float>& q, float min_scale, const char* fmt, const char* what) {
    std::vector<float> v(q.begin(), q.end());
    char overlay[96];
    std::snprintf(overlay, sizeof overlay, fmt, static_cast<double>(last(q)));
    float top = std::max(min_scale, peak(q) * 1.1f);
    ImGui::PlotLines(label, v.empty() ? nullptr : v.data(), static_cast<int>(v.size()), 0, overlay, 0.0f, top,
                     ImVec2(ImGui::GetContentRegionAvail().x * 0.72f, 30));
    explain(what);
}

}  // namespace

void draw_stats(const View& view, const Metrics& metrics) {
    labelf_wrapped(0, "{} events recorded · {} dropped · {} requests · {} errors", view.rec.size(), view.rec.dropped(),
                   metrics.total_requests(), metrics.total_errors());
    series("accept queue", metrics.accept_queue(), 4.0f, "%.0f pending",
           "Connections the kernel has completed but no worker has accepted yet (TCP_INFO on the listening "
           "socket). It grows when every worker is busy.");
    if (metrics.workers().empty()) {
        label("no worker has booted yet", dim_color());
        return;
    }
    for (const auto& [pid, w] : metrics.workers()) {
        if (!w.alive) continue;
        ImGui::PushID(pid);
        char title[96];
        std::snprintf(title, sizeof title, "worker %lld · pid %d", static_cast<long long>(w.age), static_cast<int>(pid));
        if (ImGui::CollapsingHeader(title, ImGuiTreeNodeFlags_DefaultOpen)) {
            series("requests/s", w.requests_per_s, 5.0f, "%.0f req/s", "Requests this worker finished per second.");
            series("busy", w.busy, 1.0f, "%.2f",
                   "The fraction of its threads doing work (not idle, not waiting in select/poll), sampled every "
                   "100 ms. A sync worker is busy or not; a pool of 4 can be 0.25, 0.5, …");
            if (peak(w.pool_queue) > 0 || view.worker_class == "gthread") {
                series("pool queue", w.pool_queue, 4.0f, "%.0f queued",
                       "gthread: connections submitted to the thread pool, waiting for a free thread.");
            }
            series("keep-alive", w.keepalive, 4.0f, "%.0f parked",
                   "Connections parked between requests, waiting for the next one (keep-alive).");
            series("poll set", w.poll_fds, 4.0f, "%.0f fds", "File descriptors registered with its poller.");
            series("connections", w.open_conns, 4.0f, "%.0f open", "Connections this worker has accepted and not closed.");
        }
        ImGui::PopID();
    }
}

}  // namespace minicorn::studio
