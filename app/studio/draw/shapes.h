// app/studio/draw/shapes.h — the few shapes the panels draw with ImDrawList:
// boxes with a title, tokens, pending slots, the running ring. Each takes the
// draw list explicitly, so a panel can draw into its own window or a child.
//
// Thread affinity: the ImGui thread, between NewFrame and Render.
#pragma once

#include <imgui.h>

#include "app/studio/draw/palette.h"

namespace minicorn::studio {

// A rounded box with a title line; returns the y where its content begins.
float draw_box(ImDrawList* dl, ImVec2 min, ImVec2 max, const char* title, ImU32 border, ImU32 bg = colors::kBoxBg);
// One of the legend's shapes centred at `c` (radius r), in `color`.
void draw_shape(ImDrawList* dl, Shape shape, ImVec2 c, float r, ImU32 color);
// Text clipped to [x, max_x): cut with ".." when it does not fit (the layout
// checker, draw/text_layout.h, counts that as a fault: make room instead).
void draw_text_clipped(ImDrawList* dl, ImVec2 pos, float max_x, ImU32 color, const char* text, const char* end = nullptr);
// Text as it is, noted for the layout checker; returns its size.
ImVec2 draw_text(ImDrawList* dl, ImVec2 pos, ImU32 color, const char* text, const char* end = nullptr);
// Text wrapped at word boundaries to [x, max_x); returns its height (lines × line height).
float draw_text_wrapped(ImDrawList* dl, ImVec2 pos, float max_x, ImU32 color, const char* text, const char* end = nullptr);
// The height draw_text_wrapped would take.
float wrapped_height(float width, const char* text, const char* end = nullptr);

inline bool point_in(ImVec2 p, ImVec2 min, ImVec2 max) { return p.x >= min.x && p.y >= min.y && p.x < max.x && p.y < max.y; }
inline ImVec2 lerp(ImVec2 a, ImVec2 b, float t) { return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t}; }

}  // namespace minicorn::studio
