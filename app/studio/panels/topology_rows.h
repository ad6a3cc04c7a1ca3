// app/studio/panels/topology_rows.h — the rows and strips every worker
// model's drawing is made of (topology_workers.cpp): inner sections with a
// title that fits, rows with a token slot before their text, grids of cells
// for boxes with no room for a row each, a loop's phase strip that wraps,
// the poll list, the GIL line, recently closed connections. Internal to the
// Topology panel; each returns the y after what it drew.
#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <string_view>
#include <vector>

#include "app/studio/panels/topology_parts.h"

namespace minicorn::studio::topo {

inline constexpr ImU32 kHubBorder = IM_COL32(90, 190, 120, 255);
inline constexpr ImU32 kPoolBorder = IM_COL32(120, 140, 200, 255);

// An inner box with a title (the first of `titles` that fits); returns where its rows begin.
float section(Painter& p, ImVec2 min, ImVec2 max, std::initializer_list<std::string_view> titles, ImU32 border);
std::size_t rows_in(const Painter& p, float top, float bottom);
const trace::Connection* conn_of(const trace::World& w, std::uint64_t id);

// The slot at the start of a row: a connection's token goes there; otherwise
// a glyph for what the row is (idle, ready, running).
ImVec2 slot_at(const Painter& p, float x, float y);
// Where a row's text begins: after its slot, so a token never lies on it.
float text_x(float x);

// One cell per thread or greenlet, for boxes with no room for a row each.
inline float cell() { return 2 * token_r() + 9 * ImGui::GetFontSize() / 15.0f; }
struct Cell {
    TopoItemKind kind;
    std::uint64_t id;
    std::uint64_t conn;  // its connection's token sits in the cell; 0: a glyph
    Shape glyph;
    bool ring;           // it runs (holds the GIL)
};
float grid_height(std::size_t n, float width);
// The cells in rows from (x, y), as many as fit above max_y (then "+N" for the rest).
float slot_grid(Painter& p, pid_t pid, const std::vector<Cell>& cells, float x, float y, float max_x, float max_y);

// A strip of named steps (a loop's phases) with the current one lit (-1:
// none); wraps onto another line rather than dropping steps.
// `lit_done`: the lit phase has ended (outlined, not filled): its next decision point comes next.
float phase_strip(Painter& p, std::span<const std::string_view> names, int lit, float x0, float y, float max_x,
                  bool lit_done = false);
// How many lines phase_strip takes in `width`.
int phase_lines(std::span<const std::string_view> names, float width);

// The poll list: one row per registered fd (at most max_rows, the last one
// "+N more" when they do not all fit); connection fds claim their token.
float poll_rows(Painter& p, const trace::Process& proc, float x, float y, float max_x, std::size_t max_rows);

// The GIL in one line: who holds it and who waits — only where more than one
// thread could want it (a single-threaded worker's GIL is always its own).
bool gil_matters(const trace::Process& proc);
float gil_line(Painter& p, const trace::Process& proc, float x, float y, float max_x);
float gil_height(const Painter& p, const trace::Process& proc);

// An event loop's phases (tornado's IOLoop, asyncio's loop) with the current
// one lit, then what waits in it: ready callbacks and timers. Nothing before
// the loop's first event.
inline constexpr std::array<std::string_view, 4> kLoopPhases{"timers", "callbacks", "poll", "dispatch"};
float loop_phases_height(const Painter& p, const trace::Process& proc, float width);
float loop_phases(Painter& p, const trace::Process& proc, float x0, float y, float max_x);

// The worker's most recently closed connections, newest first, while there is room.
void recent_rows(Painter& p, const trace::Process& proc, float x, float y, float max_x, float max_y);

}  // namespace minicorn::studio::topo
