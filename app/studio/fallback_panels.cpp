// app/studio/fallback_panels.cpp — see fallback_panels.h.
#include "app/studio/fallback_panels.h"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <string>
#include <vector>

namespace minicorn::studio {

namespace {

ImVec4 state_colour(trace::ProcessState s) {
    switch (s) {
    case trace::ProcessState::Handling: return ImVec4(0.95f, 0.45f, 0.35f, 1.0f);
    case trace::ProcessState::Reading:
    case trace::ProcessState::Writing: return ImVec4(0.4f, 0.65f, 1.0f, 1.0f);
    case trace::ProcessState::Waiting: return ImVec4(0.4f, 0.85f, 0.5f, 1.0f);
    case trace::ProcessState::TimedOut:
    case trace::ProcessState::Exited: return ImVec4(1.0f, 0.3f, 0.3f, 1.0f);
    default: return ImVec4(0.75f, 0.75f, 0.8f, 1.0f);
    }
}

}  // namespace

void draw_topology_fallback(const View& view) {
    const trace::World& w = view.world;
    ImGui::Text("arbiter (master) pid %d \u00B7 workers %lld/%lld \u00B7 spawns %llu \u00B7 reaps %llu",
                static_cast<int>(w.arbiter.pid), static_cast<long long>(w.arbiter.workers_live),
                static_cast<long long>(w.arbiter.workers_wanted), static_cast<unsigned long long>(w.arbiter.spawns),
                static_cast<unsigned long long>(w.arbiter.reaps));
    ImGui::TextColored(ImVec4(0.95f, 0.75f, 0.3f, 1.0f), "kernel: listen socket \u00B7 accept queue %lld / %lld",
                       static_cast<long long>(w.listener.queue_len), static_cast<long long>(w.listener.backlog));
    ImGui::Separator();
    const auto workers = w.workers();
    const float col = ImGui::GetContentRegionAvail().x / static_cast<float>(std::max<std::size_t>(1, workers.size()));
    int i = 0;
    for (const trace::Process* p : workers) {
        if (i++ > 0) ImGui::SameLine();
        ImGui::PushID(p->pid);
        ImGui::BeginChild("##w", ImVec2(col - 8, 0), true);
        ImGui::Text("worker %lld (%s) pid %d", static_cast<long long>(p->worker_age),
                    std::string(trace::to_string(p->model)).c_str(), static_cast<int>(p->pid));
        ImGui::TextColored(state_colour(p->state), "\u25CF %s", std::string(trace::to_string(p->state)).c_str());
        ImGui::Text("requests %lld \u00B7 threads %zu \u00B7 greenlets %zu", static_cast<long long>(p->counter(trace::CounterId::Requests)),
                    p->threads.size(), p->greenlets.size());
        ImGui::Text("poll set %zu \u00B7 keep-alive %zu \u00B7 pool queue %zu", p->poll.size(), p->keepalive.size(),
                    p->pool_queue.size());
        int shown = 0;
        for (const auto& [id, g] : p->greenlets) {
            if (shown++ >= 12) break;
            ImGui::TextDisabled("g#%u %s", id, std::string(trace::to_string(g.state)).c_str());
        }
        ImGui::EndChild();
        ImGui::PopID();
    }
}

void draw_timeline_fallback(const View& view, const Metrics& metrics) {
    ImGui::TextDisabled("The timeline lanes are not in this build; requests a second and the accept queue instead.");
    std::vector<float> rates = metrics.rate_history();
    ImGui::PlotLines("##r", rates.empty() ? nullptr : rates.data(), static_cast<int>(rates.size()), 0,
                     "requests / s (60 s)", 0.0f, FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, 120));
    std::vector<float> q(metrics.accept_queue().begin(), metrics.accept_queue().end());
    ImGui::PlotLines("##q", q.empty() ? nullptr : q.data(), static_cast<int>(q.size()), 0, "accept queue (30 s)", 0.0f,
                     FLT_MAX, ImVec2(ImGui::GetContentRegionAvail().x, 80));
    ImGui::Text("%zu events \u00B7 t = %.3f s", view.rec.size(),
                static_cast<double>(view.now_ns - view.rec.first_time()) / 1e9);
}

}  // namespace minicorn::studio
