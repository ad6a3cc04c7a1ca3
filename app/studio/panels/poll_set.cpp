// app/studio/panels/poll_set.cpp — drawing the Poll set panel, and picking
// its worker from a click in the Topology (see poll_set.h; the words are
// poll_set_rows.cpp's).
#include "app/studio/panels/poll_set.h"

#include <imgui.h>

#include <algorithm>

#include <fmt/format.h>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/palette.h"
#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

constexpr std::size_t kMaxRowsShown = 200;  // a worker with hundreds of connections: the rest as "and N more"
constexpr ImU32 kReadyColor = colors::kRunningRing;

std::string worker_choice(const trace::Process& p) { return fmt::format("{}, pid {}", worker_name(p), p.pid); }

void worker_combo(const trace::World& world, const trace::Process& shown, PollSetState& state) {
    label("Worker:");
    ImGui::SameLine();
    const std::string current = worker_choice(shown);
    ImGui::SetNextItemWidth(std::min(ImGui::GetContentRegionAvail().x, ImGui::CalcTextSize(current.c_str()).x + 48.0f));
    if (ImGui::BeginCombo("##pollset-worker", current.c_str())) {
        for (const trace::Process* p : world.workers()) {
            if (ImGui::Selectable(worker_choice(*p).c_str(), p->pid == shown.pid)) state.pid = p->pid;
        }
        ImGui::EndCombo();
    }
    note_item(current);
}

void draw_row(const PollSetRow& row, const std::string& call) {
    labelf_wrapped(row.ready ? kReadyColor : 0, "fd {}: {}", row.fd, row.what);
    ImGui::Indent();
    if (!row.waiter.empty()) label_wrapped(row.waiter, dim_color());
    if (row.ready) labelf_wrapped(kReadyColor, "came back from the last {}: {}", call, row.ready_for);
    ImGui::Unindent();
}

void draw_rows(const PollSetSummary& s) {
    section("Registered with the kernel (the interest list)");
    if (s.rows.empty()) label_wrapped("Nothing registered at this instant.", dim_color());
    const std::size_t shown = std::min(s.rows.size(), kMaxRowsShown);
    for (std::size_t i = 0; i < shown; ++i) draw_row(s.rows[i], s.call);
    if (s.rows.size() > shown) labelf_wrapped(dim_color(), "\u2026 and {} more fds", s.rows.size() - shown);
    if (!s.ready_gone.empty()) {
        section("Returned ready, unregistered since");
        for (const PollSetRow& row : s.ready_gone) draw_row(row, s.call);
    }
    if (!s.timers.empty()) {
        ImGui::Spacing();
        label_wrapped(s.timers, dim_color());
    }
}

}  // namespace

void pick_worker_from_topology(const TopologyState& topology, PollSetState& state) {
    if (!ImGui::IsMouseClicked(ImGuiMouseButton_Left)) return;
    const ImVec2 m = ImGui::GetIO().MousePos;
    for (const TopoItem& item : topology.items) {
        if (m.x < item.min.x || m.y < item.min.y || m.x >= item.max.x || m.y >= item.max.y) continue;
        switch (item.kind) {
            case TopoItemKind::Worker: state.pid = static_cast<pid_t>(item.id); return;
            case TopoItemKind::Thread:
            case TopoItemKind::Greenlet:
            case TopoItemKind::PollFd:
            case TopoItemKind::PoolQueue:
            case TopoItemKind::KeepAlive:
            case TopoItemKind::Gil:
                if (item.pid) state.pid = item.pid;
                return;
            default: break;
        }
    }
}

void draw_poll_set(const View& view, PollSetState& state, const GreenConnIndex* greens) {
    label_wrapped("An event loop hands the kernel a list of file descriptors (fds) to watch \u2014 the interest "
                  "list \u2014 and sleeps in epoll_wait until one of them is ready. Here is one worker's list at "
                  "the instant shown, and which fds its last wait returned ready. Click a worker in the Topology "
                  "to show its list.",
                  dim_color());
    const trace::Process* proc = poll_set_worker(view.world, state);
    if (!proc) {
        label_wrapped("No worker is running at this instant.");
        return;
    }
    worker_combo(view.world, *proc, state);
    const PollSetSummary s = poll_set_rows(view.world, *proc, greens);
    if (!s.polls) {
        label_wrapped("A sync worker keeps no poll set: each time round its loop it calls select() on the "
                      "listening sockets (and its signal pipe), accepts one connection and serves it to the end "
                      "before it looks again.");
        label_wrapped(s.now, dim_color());
        return;
    }
    const std::int64_t ready = std::max<std::int64_t>(s.ready_count, static_cast<std::int64_t>(s.ready_listed));
    ImGui::Spacing();
    labelf_wrapped(0, "{} fd{} registered \u00B7 the last {} returned {} ready", s.rows.size(),
                   s.rows.size() == 1 ? "" : "s", s.call, ready);
    label_wrapped(s.now, dim_color());
    if (ready > static_cast<std::int64_t>(s.ready_listed)) {
        const std::int64_t unnamed = ready - static_cast<std::int64_t>(s.ready_listed);
        labelf_wrapped(dim_color(), "Not named below: {} ready fd{} — the loop's own wake-up fd, or more than 8 "
                                    "ready at once (the trace names at most 8).",
                       unnamed, unnamed == 1 ? "" : "s");
    }
    ImGui::BeginChild("##pollset-rows");  // the list scrolls, the header stays
    draw_rows(s);
    ImGui::EndChild();
}

}  // namespace minicorn::studio
