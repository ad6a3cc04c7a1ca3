// app/studio/panels/topology_parts.h — what topology.cpp (clients, listener,
// arbiter, tokens, hover) shares with topology_workers.cpp (the inside of a
// worker, per model). Internal to the Topology panel.
#pragma once

#include <imgui.h>

#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

#include "app/studio/draw/palette.h"
#include "app/studio/draw/shapes.h"
#include "app/studio/panels/topology.h"

namespace minicorn::studio::topo {

// Token placement priorities: the most specific place a connection is wins.
inline constexpr int kPrioWorker = 0;     // "somewhere in this worker" (overflow)
inline constexpr int kPrioPoll = 1;       // its fd is in a poll list
inline constexpr int kPrioQueue = 2;      // the executor queue
inline constexpr int kPrioServer = 3;     // the thread / greenlet / loop serving it

// A token's radius: 5 px at the base text size, scaled with the text (HiDPI, Ctrl + / Ctrl -).
inline float token_r() { return 5.0f * ImGui::GetFontSize() / 15.0f; }

// One frame's drawing context. Text goes through a fixed buffer: no allocation per row.
struct Painter {
    ImDrawList* dl;
    const View& view;
    TopologyState& st;
    float line_h;    // one text line
    float row_h;     // one row (line + spacing)
    char buf[256];

    const trace::World& world() const { return view.world; }

    void item(TopoItemKind kind, pid_t pid, std::uint64_t id, ImVec2 min, ImVec2 max) {
        st.items.push_back({kind, pid, id, {min.x, min.y}, {max.x, max.y}});
    }
    // A connection's token belongs at `pos` (if nothing more specific claims it).
    void anchor(std::uint64_t conn, ImVec2 pos, int priority);

    template <typename... Args>
    const char* fmt(fmt::format_string<Args...> f, Args&&... args) {
        auto r = fmt::format_to_n(buf, sizeof buf - 1, f, std::forward<Args>(args)...);
        *r.out = '\0';
        return buf;
    }
    template <typename... Args>
    void text(ImVec2 pos, float max_x, ImU32 color, fmt::format_string<Args...> f, Args&&... args) {
        auto r = fmt::format_to_n(buf, sizeof buf - 1, f, std::forward<Args>(args)...);
        *r.out = '\0';
        draw_text_clipped(dl, pos, max_x, color, buf, r.out);
    }
    // The text wrapped at word boundaries to [pos.x, max_x); returns the height it took.
    template <typename... Args>
    float text_wrapped(ImVec2 pos, float max_x, ImU32 color, fmt::format_string<Args...> f, Args&&... args) {
        auto r = fmt::format_to_n(buf, sizeof buf - 1, f, std::forward<Args>(args)...);
        *r.out = '\0';
        return draw_text_wrapped(dl, pos, max_x, color, buf, r.out);
    }
    // The first of `options` (longest first) that fits in [pos.x, max_x); the
    // last, cut, when none does. A narrow box says less rather than cutting
    // a word in half.
    void text_fit(ImVec2 pos, float max_x, ImU32 color, std::initializer_list<std::string_view> options);
};

// "1.2 s" in a small buffer, for row texts: Dur(ns).sv() lives to the end of the statement.
struct Dur {
    char s[24];
    std::size_t n = 0;
    explicit Dur(std::uint64_t ns);
    std::string_view sv() const { return {s, n}; }
};

// "1 fd", "3 fds".
inline std::string fds(std::size_t n) { return fmt::format("{} fd{}", n, n == 1 ? "" : "s"); }

// In engine time: the spans the gate was closed are left out (the status bar says "paused" once).
inline std::uint64_t since(const trace::World& w, std::uint64_t t) { return w.gate.engine_span(t, w.now_ns); }

// Draws the workers (and the recently reaped ones) in a grid filling [min, max).
void draw_workers(Painter& p, ImVec2 min, ImVec2 max);

// Draws the inside of one worker's box (below its title) for its model.
// Returns nothing; registers items and token anchors in the painter.
void draw_worker_insides(Painter& p, const trace::Process& proc, ImVec2 min, ImVec2 max);

}  // namespace minicorn::studio::topo
