// app/studio/panels/topology_grid.cpp — the workers' part of the Topology:
// a box per live worker, laid out in the grid that comes nearest the size
// each model wants, with its title, what it does now and its insides
// (topology_workers.cpp); and a fading box, for a few seconds, per worker
// reaped, saying why it went.
#include <csignal>

#include <algorithm>
#include <string>
#include <vector>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/loop_step.h"
#include "app/studio/panels/topology_parts.h"

namespace minicorn::studio::topo {

using trace::Process;
using trace::World;

namespace {

ImU32 worker_border(const Process& proc) {
    using trace::ProcessState;
    switch (proc.state) {
        case ProcessState::TimedOut:
        case ProcessState::Exited: return colors::kBoxBorderBad;
        case ProcessState::Handling:
        case ProcessState::Reading:
        case ProcessState::Writing: return colors::kBoxBorderBusy;
        default: return colors::kBoxBorder;
    }
}

void draw_worker(Painter& p, const Process& proc, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    draw_box(p.dl, min, max, nullptr, worker_border(proc));
    p.item(TopoItemKind::Worker, proc.pid, static_cast<std::uint64_t>(proc.pid), min, max);
    // Title: name and pid, and its counts at the right when they fit beside it.
    std::string name = fmt::format("{}  pid {}", worker_name(proc), proc.pid);
    std::string stats = fmt::format("{} req  ·  up {}", proc.counter(trace::CounterId::Requests),
                                    Dur(proc.uptime_ns(w.now_ns, &w.gate)).sv());
    float sw = ImGui::CalcTextSize(stats.c_str()).x;
    float title_max = max.x - 6;
    if (ImGui::CalcTextSize(name.c_str()).x + sw + 30 < max.x - min.x) {
        draw_text(p.dl, {max.x - sw - 8, min.y + 3}, colors::kTextDim, stats.c_str());
        title_max = max.x - sw - 20;
    }
    p.text_fit({min.x + 6, min.y + 3}, title_max, colors::kText,
               {name, worker_name(proc), fmt::format("w{}", proc.worker_age)});
    float y = min.y + p.row_h + 1;
    // What it does now. Its heartbeat only when it says something: the
    // arbiter's box lists them all. 2 s of silence while it works is already
    // odd (the default timeout is 30 s) — unless the gate is closed: then the
    // worker waits for a step, and its engine clock, which the arbiter's
    // timeout reads, stands still. A worker waiting in select()/poll() beats
    // again when the wait returns (an idle sync worker's select() waits
    // timeout/2, 15 s by default): a long silence there is normal, said in
    // plain colour — on the tour's first screen an orange "no heartbeat for
    // 4 s" over two idle workers looked like a fault.
    bool booting = proc.state == trace::ProcessState::Spawned || proc.state == trace::ProcessState::Booting;
    // Engine time: it stands still while paused (the status bar says "paused" once).
    const std::uint64_t silent_ns = proc.silence_ns(w.now_ns, &w.gate);
    const bool silent = !booting && silent_ns > 2'000'000'000 && !p.view.paused;
    const bool idle_wait = proc.state == trace::ProcessState::Waiting;
    const char* paused = "";
    ImU32 col = silent && !idle_wait ? colors::kTextWarn : colors::kTextDim;
    std::string silence;
    if (silent) {
        silence = idle_wait ? fmt::format("last heartbeat {} ago  ·  ", Dur(silent_ns).sv())
                            : fmt::format("no heartbeat for {}  ·  ", Dur(silent_ns).sv());
    }
    const std::string step = loop_step(w, proc).text;  // done/next, as the stage strip shows it
    if (max.y - min.y > 14 * p.row_h) {
        y += p.text_wrapped({min.x + 8, y}, max.x - 6, col, "{}{}{}", silence, step, paused);
    } else {
        p.text_fit({min.x + 8, y}, max.x - 6, col,
                   {fmt::format("{}{}{}", silence, step, paused),
                    fmt::format("{}{}{}", silence, process_state_word(proc), paused),
                    fmt::format("{}{}", process_state_word(proc), paused)});
        y += p.line_h;
    }
    y += 7;
    if (max.y - y < p.row_h) return;
    p.dl->PushClipRect(min, max, true);
    draw_worker_insides(p, proc, {min.x + 6, y}, {max.x - 6, max.y - 6});
    p.dl->PopClipRect();
}

// The size a worker box of this model wants: wide enough for a row's text,
// tall enough for its sections with a row per thread (greenlet).
ImVec2 wanted_box(const Painter& p, const Process& proc) {
    float rows = 8;
    switch (proc.model) {
        case trace::ModelId::Sync: rows = 8; break;
        case trace::ModelId::Gthread: rows = 8 + static_cast<float>(proc.threads.size()); break;
        case trace::ModelId::Tornado: rows = 11; break;
        default: rows = 12; break;
    }
    return {ImGui::CalcTextSize("thread 00000  handling :00000  00 ms").x + 30, rows * p.row_h};
}

// Columns and rows for n boxes in (W, H): the arrangement that comes
// nearest the box each wants (its worse side counts).
void grid_shape(std::size_t n, float W, float H, float gap, ImVec2 want, std::size_t& cols, std::size_t& rows) {
    float best = -1;
    cols = rows = 1;
    for (std::size_t c = 1; c <= n; ++c) {
        std::size_t r = (n + c - 1) / c;
        float bw = (W - gap * static_cast<float>(c - 1)) / static_cast<float>(c);
        float bh = (H - gap * static_cast<float>(r - 1)) / static_cast<float>(r);
        float score = std::min(bw / want.x, bh / want.y);
        if (score > best) {
            best = score;
            cols = c;
            rows = r;
        }
    }
}

// Why a gone worker went, in the words of the lesson it teaches.
std::string why_gone(const World& w, const Process& g) {
    if (g.timed_out_ns) return "WORKER TIMEOUT: its heartbeat stopped for longer than timeout; the arbiter killed it";
    bool sigkill = std::any_of(g.kills.begin(), g.kills.end(), [](const trace::SignalMark& k) { return k.signo == SIGKILL; });
    if (sigkill || g.reap_status == -SIGKILL) return "killed with kill -9 (SIGKILL): it could not finish or clean up";
    // The arbiter's last signal before the reap says why it stopped the worker.
    for (auto it = w.arbiter.signals.rbegin(); it != w.arbiter.signals.rend(); ++it) {
        if (it->received_ns > g.reaped_ns) continue;
        switch (it->signo) {
            case SIGTERM:
            case SIGINT:
            case SIGQUIT: return "stopped: the arbiter was told to shut down (TERM)";
            case SIGHUP: return "replaced: HUP reloads, new workers start, the old ones stop gracefully";
            case SIGTTOU: return "retired by TTOU: one worker fewer";
            default: break;
        }
        break;
    }
    if (g.reap_status && *g.reap_status < 0) return fmt::format("killed by signal {}", trace::signal_name(-*g.reap_status));
    return fmt::format("exited with status {}", g.reap_status.value_or(0));
}

// The same cause in a few words, for a ghost box too small for the sentence.
std::string why_gone_short(const World& w, const Process& g) {
    const std::string why = why_gone(w, g);
    if (g.timed_out_ns) return "WORKER TIMEOUT";
    if (why.rfind("killed with kill -9", 0) == 0) return "kill -9";
    if (why.rfind("stopped", 0) == 0) return "TERM: shut down";
    if (why.rfind("replaced", 0) == 0) return "replaced by HUP";
    if (why.rfind("retired", 0) == 0) return "retired by TTOU";
    return why;
}

// A worker reaped in the last few seconds: its box fades, saying why it went.
constexpr std::uint64_t kGhostNs = 6'000'000'000;
void draw_ghost(Painter& p, const Process& g, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    float age = static_cast<float>(since(w, g.reaped_ns)) / static_cast<float>(kGhostNs);
    auto alpha = static_cast<int>(255 * std::clamp(1.0f - 0.7f * age, 0.3f, 1.0f));
    ImU32 border = (colors::kBoxBorderBad & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
    draw_box(p.dl, min, max, nullptr, border, colors::kBoxBg);
    p.item(TopoItemKind::Worker, g.pid, static_cast<std::uint64_t>(g.pid), min, max);
    p.text_fit({min.x + 6, min.y + 3}, max.x - 6, colors::kTextBad,
               {fmt::format("{}  pid {}  — gone {} ago", worker_name(g), g.pid, Dur(since(w, g.reaped_ns)).sv()),
                fmt::format("{} — gone", worker_name(g)), std::string("gone")});
    std::string why = why_gone(w, g);
    float y = min.y + p.row_h + 2;
    if (y + wrapped_height(max.x - min.x - 14, why.c_str()) <= max.y) {
        draw_text_wrapped(p.dl, {min.x + 8, y}, max.x - 6, colors::kTextWarn, why.c_str());
    } else if (y + p.line_h <= max.y) {
        p.text_fit({min.x + 8, y}, max.x - 6, colors::kTextWarn, {why_gone_short(w, g)});
    }
}

// The gone workers' boxes, side by side in a strip under the live ones (they
// fade in a few seconds; the live workers keep their room).
void draw_ghost_strip(Painter& p, const std::vector<const Process*>& ghosts, ImVec2 min, ImVec2 max, float gap) {
    const auto n = static_cast<float>(ghosts.size());
    const float bw = (max.x - min.x - gap * (n - 1)) / n;
    for (std::size_t i = 0; i < ghosts.size(); ++i) {
        const float x = min.x + static_cast<float>(i) * (bw + gap);
        draw_ghost(p, *ghosts[i], {x, min.y}, {x + bw, max.y});
    }
}

}  // namespace

void draw_workers(Painter& p, ImVec2 min, ImVec2 max) {
    const World& w = p.world();
    std::vector<const Process*> workers = w.workers();  // a handful of pointers
    std::size_t live = workers.size();
    for (auto it = w.gone.rbegin(); it != w.gone.rend() && workers.size() < live + 4; ++it) {
        if (it->role == trace::ProcessRole::Worker && it->reaped_ns && since(w, it->reaped_ns) < kGhostNs) workers.push_back(&*it);
    }
    if (workers.empty()) {
        p.text_wrapped({min.x + 8, min.y + 8}, max.x, colors::kTextDim, "{}",
                       w.arbiter.stopped ? "no workers: the arbiter has shut down (restart the engine in Controls)"
                                         : "no workers yet: the arbiter forks them at start");
        return;
    }
    const float gap = 10;
    std::size_t boxes = workers.size();
    std::size_t cols = 1, rows = 1;
    const ImVec2 want = wanted_box(p, *workers.front());
    if (live > 0) grid_shape(live, max.x - min.x, max.y - min.y, gap, want, cols, rows);
    // Ghosts go into the live workers' grid where it has free cells; else into a strip of their own.
    if (live > 0 && boxes > live && cols * rows < boxes) {
        const float strip_h = std::min((max.y - min.y) * 0.3f, 3 * p.row_h + 8);
        draw_ghost_strip(p, {workers.begin() + static_cast<std::ptrdiff_t>(live), workers.end()},
                         {min.x, max.y - strip_h}, max, gap);
        max.y -= strip_h + gap;
        boxes = live;
        grid_shape(boxes, max.x - min.x, max.y - min.y, gap, want, cols, rows);
    } else if (live == 0) {
        grid_shape(boxes, max.x - min.x, max.y - min.y, gap, want, cols, rows);
    }
    float bw = (max.x - min.x - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
    float bh = (max.y - min.y - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows);
    for (std::size_t i = 0; i < boxes; ++i) {
        float x = min.x + static_cast<float>(i % cols) * (bw + gap);
        float y = min.y + static_cast<float>(i / cols) * (bh + gap);
        if (i < live) {
            draw_worker(p, *workers[i], {x, y}, {x + bw, y + bh});
        } else {
            draw_ghost(p, *workers[i], {x, y}, {x + bw, y + bh});
        }
    }
}

}  // namespace minicorn::studio::topo
