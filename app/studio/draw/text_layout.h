// app/studio/draw/text_layout.h — the layout checker: every text the panels
// draw and every token (moving dot), each with its rectangle, collected over
// one frame; and the three faults a learner sees at once: a text cut off, two
// texts drawn over each other, a dot lying on a text.
//
// Panels note what they draw: draw_text and draw_text_clipped (draw/shapes.h)
// note themselves, ImGui widgets are noted with note_item (panels/widgets.h),
// the Topology notes its tokens. The studio writes one frame's list into the
// screenshot sidecar (X.png.json); the headless panel tests and the [studio]
// screenshot tests run layout_faults over it.
//
// Like ImGui's own context there is one current TextLayout, or none (the
// usual case: then noting costs one pointer test). Not owned: the caller
// installs it for the frames it wants and removes it.
//
// Thread affinity: the ImGui thread, between NewFrame and Render.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minicorn::studio {

struct LayoutRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

struct NotedText {
    std::string panel;   // the window it was drawn in (its ImGui name, after any "###")
    std::string text;
    LayoutRect rect;     // the part of it that shows (inside the space it was given)
    bool clipped = false;  // cut short, or partly outside the space it was given
};

struct NotedToken {
    std::string panel;
    std::uint64_t id = 0;  // the connection
    LayoutRect rect;
    bool moving = false;   // easing between two places (in flight, as RaftScope's messages)
};

struct TextLayout {
    std::vector<NotedText> texts;
    std::vector<NotedToken> tokens;
};

// Installs `layout` as where notes go (nullptr: notes are dropped).
void set_text_layout(TextLayout* layout);
TextLayout* text_layout();

// How a text's clipping is judged.
enum class ClipAxes : std::uint8_t {
    Both,        // drawn into a fixed panel: cut on any side is a fault
    Horizontal,  // an ImGui item in a scrolling window: only a cut on the right is
};

// A text of `size` drawn at `pos` into `dl` (judged against dl's clip rect);
// `cut`: the caller shortened it to fit (then `size` is what was drawn). A text wholly outside the clip rect
// (scrolled out of view) is not noted.
void note_text(ImDrawList* dl, ImVec2 pos, ImVec2 size, std::string_view text, bool cut,
               ClipAxes axes = ClipAxes::Both);
void note_token(ImDrawList* dl, ImVec2 min, ImVec2 max, std::uint64_t id, bool moving);

// What is wrong with a frame's layout, one plain sentence per fault ("" none):
// clipped texts, pairs of overlapping texts, tokens over a text (at rest or in flight).
// Rectangles touching by at most `slack` pixels do not count.
std::vector<std::string> layout_faults(const TextLayout& layout, float slack = 1.0f);

}  // namespace minicorn::studio
