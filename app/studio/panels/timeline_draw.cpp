// app/studio/panels/timeline_draw.cpp — the Timeline's drawing: step 5 of a
// frame (timeline.cpp lists them all). Lane labels, the ruler, the spans, the
// running bursts, the flows from a client's request to the server's, and the
// marks a signal, a kill or a timeout leaves.
//
// Every text goes through draw_text (draw/shapes.h), so the layout checker
// sees it, and is drawn only where it fits whole: a label too long for its
// bar takes a shorter form, or none.
//
// Index
//   [SECTION] Words
//   [SECTION] Ruler
//   [SECTION] Spans and bursts
//   [SECTION] Flows and marks
#include <imgui.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <csignal>

#include "app/studio/draw/explain.h"
#include "app/studio/draw/highlight.h"
#include "app/studio/draw/request_label.h"
#include "app/studio/draw/shapes.h"
#include "app/studio/panels/passport.h"
#include "app/studio/panels/timeline_parts.h"

namespace minicorn::studio::timeline_detail {

namespace {
constexpr ImU32 kRunningPlain = IM_COL32(170, 178, 196, 255);  // running, no request step under way
constexpr ImU32 kLabelOnBar = IM_COL32(10, 12, 16, 255);
constexpr ImU32 kFlow = IM_COL32(210, 214, 235, 120);

float text_w(const std::string& s) { return ImGui::CalcTextSize(s.c_str()).x; }

// The first of `forms` that fits in `room` px, or "" — a label is never cut.
const std::string* fitting(const std::array<std::string, 4>& forms, float room) {
    for (const std::string& s : forms) {
        if (!s.empty() && text_w(s) + 6 <= room) return &s;
    }
    return nullptr;
}

float row_y(const Frame& f, ImVec2 o, int row) { return o.y + f.ruler_h + static_cast<float>(row) * f.lane_h; }

// A label on a row, remembered so that the marks' words keep off it.
void label(ImDrawList* dl, Frame& f, int row, ImVec2 pos, ImU32 color, const std::string& text) {
    ImVec2 size = draw_text(dl, pos, color, text.c_str());
    f.st.text_boxes.push_back({row, pos.x, pos.x + size.x});
}

bool row_free(const Frame& f, int row, float x0, float x1) {
    for (const TextBox& b : f.st.text_boxes) {
        if (b.row == row && x0 < b.x1 + 2 && b.x0 < x1 + 2) return false;
    }
    return true;
}
}  // namespace

// ============================================================================
// [SECTION] Words
// ============================================================================

const char* lane_span_label(const Lane& L, SpanKind k) {
    if (L.kind != Lane::Kind::Client) return span_label(k);
    switch (k) {
        case SpanKind::Accept: return "connect";
        case SpanKind::Read: return "send";
        case SpanKind::Handle: return "wait for response";
        case SpanKind::Write: return "receive";
        default: return span_label(k);
    }
}

std::string wait_words(const Burst& b, bool long_form) {
    switch (b.on) {
        case WaitOn::Timer: return long_form ? "parked: timer" : "timer";
        case WaitOn::Event: return long_form ? "parked: timer or pool slot" : "parked";
        case WaitOn::FdRead: return long_form ? fmt::format("parked: fd {} read", b.detail) : fmt::format("fd {}", b.detail);
        case WaitOn::FdWrite: return long_form ? fmt::format("parked: fd {} write", b.detail) : fmt::format("fd {}", b.detail);
        case WaitOn::Poll: return long_form ? "idle in the poller" : "idle";
        case WaitOn::PoolSlot: return long_form ? "waits for a free pool slot" : "pool slot";
        case WaitOn::Work: return long_form ? "idle: waits for work" : "idle";
        case WaitOn::Gil: return long_form ? "waits for the GIL" : "GIL";
        case WaitOn::Io: return long_form ? "GIL let go: sleep or I/O" : "I/O";
        case WaitOn::Gate: return long_form ? "paused at the gate" : "paused";
        case WaitOn::Greenlet: return fmt::format("g#{} runs", b.detail);
        case WaitOn::Nothing: break;
    }
    return "";
}

const char* lane_label(const World& w, const Lane& L, char (&buf)[64]) {
    const trace::Process* p = w.process(L.pid);
    fmt::format_to_n_result<char*> r{};
    switch (L.kind) {
        case Lane::Kind::Queue: r = fmt::format_to_n(buf, sizeof buf - 1, "kernel accept queue"); break;
        case Lane::Kind::Process:
            if (L.pid == w.arbiter.pid) {
                r = fmt::format_to_n(buf, sizeof buf - 1, "arbiter {}", L.pid);
            } else if (p && p->role == trace::ProcessRole::Client) {
                r = fmt::format_to_n(buf, sizeof buf - 1, "minicorn load {}", L.pid);
            } else if (p && p->worker_age > 0) {
                using trace::ModelId;
                bool green = p->model == ModelId::Gevent || p->model == ModelId::Eventlet;
                bool loop = p->model == ModelId::Tornado || p->model == ModelId::Asyncio;
                r = fmt::format_to_n(buf, sizeof buf - 1, "worker {} · {}", p->worker_age, green ? "hub" : loop ? "loop" : "main");
            } else {
                r = fmt::format_to_n(buf, sizeof buf - 1, "pid {}", L.pid);
            }
            break;
        case Lane::Kind::Thread: r = fmt::format_to_n(buf, sizeof buf - 1, "   thread {}", L.tid); break;
        case Lane::Kind::Greenlet:
            r = fmt::format_to_n(buf, sizeof buf - 1, "   {}{}", p && p->model == trace::ModelId::Asyncio ? "task " : "g#", L.green);
            break;
        case Lane::Kind::Client: {
            // The virtual user: the requests on its connection are named on its spans.
            const trace::LoadConn* c = nullptr;
            if (auto it = w.clients.find(L.client); it != w.clients.end()) c = &it->second;
            for (auto it = w.clients_closed.rbegin(); !c && it != w.clients_closed.rend(); ++it) {
                if (it->id == L.client) c = &*it;
            }
            r = c ? fmt::format_to_n(buf, sizeof buf - 1, "client {}", client_label(*c))
                  : fmt::format_to_n(buf, sizeof buf - 1, "client (closed)");
            break;
        }
    }
    *r.out = '\0';
    return buf;
}

// ============================================================================
// [SECTION] Ruler
// ============================================================================

namespace {
// A step of 1, 2 or 5 × 10^k ns giving at least `px` pixels between ruler ticks.
std::uint64_t ruler_step(double ns_per_px, float px) {
    double raw = ns_per_px * px;
    double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        if (mag * m >= raw) return static_cast<std::uint64_t>(mag * m);
    }
    return static_cast<std::uint64_t>(mag * 10);
}

// "350 ms", "1.25 s", "12.3456 s": the unit of the window, as many decimals as the step needs.
std::string tick_text(std::uint64_t rel, std::uint64_t step, bool seconds) {
    double unit = seconds ? 1e9 : 1e6;
    int decimals = 0;
    for (double s = static_cast<double>(step); s < unit && decimals < 6; s *= 10) ++decimals;
    return fmt::format("{:.{}f} {}", static_cast<double>(rel) / unit, decimals, seconds ? "s" : "ms");
}
}  // namespace

void draw_ruler(ImDrawList* dl, const Frame& f, ImVec2 o, std::uint64_t origin_ns) {
    // Ticks at round values of the time since the recording began (0 at its
    // first event), none before it: nothing happened there.
    std::uint64_t step = ruler_step(f.ns_per_px, 9 * ImGui::GetFontSize());
    bool seconds = f.t1 - std::min(f.t1, origin_ns) >= 1'000'000'000;
    std::uint64_t from = std::max(f.t0, origin_ns) - origin_ns;
    std::uint64_t first = (from + step - 1) / step * step;
    for (std::uint64_t rel = first; origin_ns + rel < f.t1; rel += step) {
        float x = o.x + f.x_of(origin_ns + rel);
        dl->AddLine({x, o.y + f.ruler_h - 5}, {x, o.y + f.ruler_h}, colors::kTextDim);
        std::string text = tick_text(rel, step, seconds);
        if (x + 3 + text_w(text) <= o.x + f.width) draw_text(dl, {x + 3, o.y + 1}, colors::kTextDim, text.c_str());
    }
}

// ============================================================================
// [SECTION] Spans and bursts
// ============================================================================

namespace {
// The accept queue's lane: a step chart of its length, scaled to the
// largest in the window (at least 4, so one pending connection looks small).
void draw_queue(ImDrawList* dl, const Frame& f, ImVec2 o, int rows) {
    const auto& sm = f.st.samples;
    int row = -1;
    for (const Lane& L : f.st.lanes) {
        if (L.kind == Lane::Kind::Queue) row = L.row;
    }
    if (row < 0 || row >= rows) return;
    float y0 = row_y(f, o, row) + 2, y1 = y0 + f.lane_h - 4;
    if (sm.empty()) {
        // No sample inside the window (zoomed in between two): the length at its right edge holds across it.
        std::int64_t len = f.edge.listener.queue_len;
        if (len > 0) {
            float h = (y1 - y0) * static_cast<float>(std::min<std::int64_t>(len, 4)) / 4.0f;
            dl->AddRectFilled({o.x, y1 - h}, {o.x + f.width, y1}, colors::kKernelBorder);
        }
        return;
    }
    std::int64_t top = 4;
    for (const Sample& s : sm) top = std::max(top, s.len);
    for (std::size_t i = 0; i < sm.size(); ++i) {
        if (sm[i].len <= 0) continue;
        float x1 = i + 1 < sm.size() ? sm[i + 1].x : f.x_of(f.t1);
        float h = (y1 - y0) * static_cast<float>(sm[i].len) / static_cast<float>(top);
        dl->AddRectFilled({o.x + sm[i].x, y1 - h}, {o.x + std::max(x1, sm[i].x + 1), y1}, colors::kKernelBorder);
    }
}

// A lesson may point at a request in the Timeline ("request A lane"): each
// span or burst of it registers its rectangle (the board joins them).
void note_request_lane(const std::string& req_short, ImVec2 a, ImVec2 b) {
    const HighlightBoard* board = highlight_board();
    if (req_short.empty() || !board || !board->wanting()) return;
    note_highlight(fmt::format("request {} lane", req_short), a.x, a.y, b.x, b.y);
}

// Spans on lanes without bursts (the arbiter, the clients) as bars with their
// word and request; on burst lanes a step is an outline the bursts fill.
void draw_spans(ImDrawList* dl, Frame& f, ImVec2 o, int rows) {
    // Two passes on plain lanes: inset spans (a GIL wait) faint at full height, then the others.
    for (int pass = 0; pass < 3; ++pass) {
        for (const Span& s : f.st.spans) {
            const Lane& L = f.st.lanes[s.lane];
            if (L.row < 0 || L.row >= rows) continue;
            float y = row_y(f, o, L.row);
            ImVec2 a{o.x + s.x0, y + 2.0f}, b{o.x + std::max(s.x1, s.x0 + 1.0f), y + f.lane_h - 2.0f};
            ImU32 col = span_color(s.kind);
            if (L.bursts) {
                if (pass != 1 || is_inset(s.kind) || s.kind == SpanKind::Wait || s.kind == SpanKind::Dense) continue;
                dl->AddRect({a.x, y + 1.0f}, {b.x, y + f.lane_h - 1.0f}, (col & 0x00FFFFFFu) | (150u << IM_COL32_A_SHIFT));
                ++f.st.stats.spans_drawn;
                continue;
            }
            if (is_inset(s.kind) != (pass != 1)) continue;
            if (pass == 0) col = (col & 0x00FFFFFFu) | (70u << IM_COL32_A_SHIFT);
            if (pass == 2) a.y = y + f.lane_h - 6.0f;
            dl->AddRectFilled(a, b, col, s.x1 - s.x0 > 4 ? 2.0f : 0.0f);
            if (pass != 1) continue;
            ++f.st.stats.spans_drawn;
            std::string word = s.count > 1 ? fmt::format("{} steps", s.count) : lane_span_label(L, s.kind);
            std::string req = s.count == 1 && s.req ? (L.kind == Lane::Kind::Client ? request_label(s.req, 0) : request_label(0, s.req)) : "";
            std::string req_short = req.empty() ? "" : (L.kind == Lane::Kind::Client ? request_label(s.req, 0, LabelForm::Short)
                                                                                      : request_label(0, s.req, LabelForm::Short));
            std::array<std::string, 4> forms{req.empty() ? word : word + " " + req, req, req_short, word};
            if (const std::string* t = fitting(forms, b.x - a.x)) label(dl, f, L.row, {a.x + 3, y + 1}, kLabelOnBar, *t);
            note_request_lane(req_short, a, b);
        }
    }
}

void draw_bursts(ImDrawList* dl, Frame& f, ImVec2 o, int rows) {
    const float line = std::max(2.0f, std::round(f.lane_h / 9));
    for (const Burst& b : f.st.bursts) {
        const Lane& L = f.st.lanes[b.lane];
        if (L.row < 0 || L.row >= rows) continue;
        float y = row_y(f, o, L.row), mid = y + f.lane_h / 2;
        ImVec2 a{o.x + b.x0, y + 2.0f}, z{o.x + std::max(b.x1, b.x0 + 1.0f), y + f.lane_h - 2.0f};
        ImU32 col = b.step == SpanKind::Dense ? kRunningPlain : span_color(b.step);
        if (b.count > 1) {  // many bursts within a pixel or two: busy, none of them drawn as running
            dl->AddRectFilled({a.x, mid - f.lane_h / 4}, {z.x, mid + f.lane_h / 4}, (kRunningPlain & 0x00FFFFFFu) | (110u << IM_COL32_A_SHIFT));
            continue;
        }
        std::string req = b.req ? request_label(0, b.req) : "";
        std::string req_short = b.req ? request_label(0, b.req, LabelForm::Short) : "";
        note_request_lane(req_short, a, z);
        switch (b.state) {
            case RunState::Running: {
                dl->AddRectFilled(a, z, col, z.x - a.x > 4 ? 2.0f : 0.0f);
                std::string word = b.step == SpanKind::Dense ? "running" : span_label(b.step);
                std::array<std::string, 4> forms{req.empty() ? word : word + " " + req, req, req_short, word};
                if (const std::string* t = fitting(forms, z.x - a.x)) label(dl, f, L.row, {a.x + 3, y + 1}, kLabelOnBar, *t);
                break;
            }
            case RunState::Ready:
                dl->AddRectFilled({a.x, mid - line / 2}, {z.x, mid + line / 2}, col);
                break;
            case RunState::Parked: {
                std::string lw = wait_words(b, true), sw = wait_words(b, false);
                std::array<std::string, 4> forms{req.empty() ? lw : lw + " · " + req, lw, sw, ""};
                if (const std::string* t = fitting(forms, z.x - a.x)) label(dl, f, L.row, {a.x + 3, y + 1}, colors::kTextDim, *t);
                break;
            }
            case RunState::None: break;
        }
    }
}
}  // namespace

// ============================================================================
// [SECTION] Flows and marks
// ============================================================================

namespace {
// An arrow from a client's request to where the server handles it: the
// client's "wait for response" (or "send") span, to the server's handle span
// whose request RequestTagged joined to it.
void draw_flows(ImDrawList* dl, const Frame& f, ImVec2 o, int rows) {
    const RequestIndex* index = request_naming().index;
    if (!index) return;
    std::size_t drawn = 0;
    for (const Span& c : f.st.spans) {
        const Lane& CL = f.st.lanes[c.lane];
        if (CL.kind != Lane::Kind::Client || c.req == 0 || c.count != 1 || CL.row < 0 || CL.row >= rows) continue;
        if (c.kind != SpanKind::Handle) continue;  // "wait for response": one per request
        for (const Span& s : f.st.spans) {
            const Lane& SL = f.st.lanes[s.lane];
            if (s.kind != SpanKind::Handle || s.req == 0 || SL.kind == Lane::Kind::Client || SL.row < 0 || SL.row >= rows) continue;
            if (index->client_req_of(s.req) != c.req) continue;
            ImVec2 from{o.x + c.x0, row_y(f, o, CL.row) + 2};
            ImVec2 to{o.x + s.x0, row_y(f, o, SL.row) + f.lane_h - 1};
            dl->AddLine(from, to, kFlow, 1.0f);
            float dx = to.x - from.x, dy = to.y - from.y, len = std::max(1.0f, std::sqrt(dx * dx + dy * dy));
            float ux = dx / len, uy = dy / len, h = f.lane_h / 3;
            dl->AddTriangleFilled(to, {to.x - ux * h - uy * h / 2, to.y - uy * h + ux * h / 2},
                                  {to.x - ux * h + uy * h / 2, to.y - uy * h - ux * h / 2}, kFlow);
            break;
        }
        if (++drawn == 200) break;
    }
}
}  // namespace

// The word under an alarm mark: what happened, in gunicorn's terms.
std::string mark_word(const Tick& t) {
    auto sig = [](std::int64_t signo) {
        std::string s = trace::signal_name(signo);
        return s.rfind("SIG", 0) == 0 ? s.substr(3) : s;
    };
    switch (t.kind) {
        case trace::EventKind::SignalReceived: return sig(t.a0);
        case trace::EventKind::SignalCaught: return "caught " + sig(t.a0);
        case trace::EventKind::WorkerTimeout: return "WORKER TIMEOUT";
        case trace::EventKind::KillSent: return t.a1 == SIGKILL ? "kill -9" : "sent " + sig(t.a1);
        case trace::EventKind::WorkerReaped: return t.a1 < 0 ? "reaped: " + (t.a1 == -SIGKILL ? std::string("kill -9") : sig(-t.a1)) : "reaped";
        case trace::EventKind::WorkerSpawn: return "spawn";
        default: return "";
    }
}

// A mark that changes what the learner sees (a worker gone, the arbiter told
// to stop or reload) also draws a faint line across every lane.
bool is_big_mark(const Tick& t) {
    switch (t.kind) {
        case trace::EventKind::WorkerTimeout: return true;
        case trace::EventKind::KillSent: return t.a1 == SIGKILL;
        case trace::EventKind::WorkerReaped: return t.a1 < 0;
        case trace::EventKind::SignalReceived: return t.a0 == SIGTERM || t.a0 == SIGHUP || t.a0 == SIGINT || t.a0 == SIGQUIT;
        default: return false;
    }
}

// Marks: a thin tick for a heartbeat, a red triangle for an alarm (a faint
// line across every lane for a big one). Then their words, the big marks'
// first: a word is written only where no other mark or label of its row lies.
void draw_marks(ImDrawList* dl, Frame& f, ImVec2 o, int rows, float height) {
    const float s = f.lane_h / 4;
    auto visible = [&](const Tick& t) { return f.st.lanes[t.lane].row >= 0 && f.st.lanes[t.lane].row < rows; };
    for (const Tick& t : f.st.ticks) {
        if (!visible(t)) continue;
        float y = row_y(f, o, f.st.lanes[t.lane].row), x = o.x + t.x;
        if (!t.alarm) {
            dl->AddLine({x, y + 1}, {x, y + 5}, colors::kHeartbeat, 2.0f);
            continue;
        }
        if (is_big_mark(t)) dl->AddLine({x, o.y + f.ruler_h}, {x, o.y + height}, IM_COL32(240, 110, 100, 90), 1.0f);
        dl->AddTriangleFilled({x - s, y + 1}, {x + s, y + 1}, {x, y + 2 * s}, colors::kTextBad);
    }
    for (bool big : {true, false}) {
        for (const Tick& t : f.st.ticks) {
            if (!t.alarm || is_big_mark(t) != big || !visible(t)) continue;
            std::string word = mark_word(t);
            int row = f.st.lanes[t.lane].row;
            float x0 = o.x + t.x + s + 2, x1 = x0 + text_w(word);
            if (word.empty() || x1 > o.x + f.width || !row_free(f, row, x0, x1)) continue;
            bool clear = std::none_of(f.st.ticks.begin(), f.st.ticks.end(), [&](const Tick& u) {
                return u.alarm && &u != &t && f.st.lanes[u.lane].row == row && o.x + u.x + s >= x0 && o.x + u.x - s <= x1;
            });
            if (clear) label(dl, f, row, {x0, row_y(f, o, row) + 1}, colors::kTextBad, word);
        }
    }
}

// The selected request's spans (the Passport), outlined over whatever they hold.
void outline_selected_spans(ImDrawList* dl, Frame& f, ImVec2 o, int rows) {
    const View& v = f.view;
    if (!v.selected_conn && !v.selected_client_conn) return;
    for (const Span& s : f.st.spans) {
        // A span with a request id is the request's (server and client ids never collide); a read
        // carries none: it is this request's when it is on its connection, within the request's life.
        const bool req = s.req != 0 && (s.req == v.selected_req || s.req == v.selected_client_req);
        const bool conn = s.req == 0 && s.conn != 0 && (s.conn == v.selected_conn || s.conn == v.selected_client_conn) &&
                          s.t1 > v.selected_from_ns && s.t0 < v.selected_to_ns;
        const Lane& L = f.st.lanes[s.lane];
        if ((!conn && !req) || s.count != 1 || L.row < 0 || L.row >= rows) continue;
        const float y = row_y(f, o, L.row);
        dl->AddRect({o.x + s.x0 - 1, y}, {o.x + std::max(s.x1, s.x0 + 1.0f) + 1, y + f.lane_h}, kSelectedColor, 2.0f, 0,
                    2.0f);
    }
}

void draw_lanes_content(ImDrawList* dl, Frame& f, ImVec2 o, int rows, float height) {
    draw_spans(dl, f, o, rows);
    draw_bursts(dl, f, o, rows);
    outline_selected_spans(dl, f, o, rows);
    draw_queue(dl, f, o, rows);
    for (const PhaseMark& m : f.st.phases) {
        int row = f.st.lanes[m.lane].row;
        if (row < 0 || row >= rows) continue;
        float y = row_y(f, o, row);
        dl->AddRectFilled({o.x + m.x0, y}, {o.x + m.x1, y + 3}, loop_phase_color(m.phase));
    }
    draw_flows(dl, f, o, rows);
    draw_marks(dl, f, o, rows, height);
}

}  // namespace minicorn::studio::timeline_detail
