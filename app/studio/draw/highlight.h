// app/studio/draw/highlight.h — the things on screen a lesson may point at
// (engine/lesson/highlights.h lists the names), each registered every frame
// by the panel that draws it, with its rectangle: "worker 1", "accept queue",
// "request A", "timeline". The studio rings the ones the lesson's step names
// (a pulsing ring in kHighlightColor, which the Legend names) and writes the
// board to the screenshot sidecar, so a test can check that a highlight
// landed on something drawn.
//
// Thread affinity: the studio's main thread; the board is rebuilt each frame.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace minicorn::studio {

struct HighlightRect {
    std::string name;
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

class HighlightBoard {
public:
    void clear() { rects_.clear(); }
    // Registers `name` at this rectangle; a second registration grows it to cover both.
    void add(std::string_view name, float x0, float y0, float x1, float y1);
    const HighlightRect* find(std::string_view name) const;
    const std::vector<HighlightRect>& rects() const { return rects_; }
    // What the lesson's step points at; `arriving`: the step has just begun (a
    // panel may scroll its element into view then, and only then).
    void want(std::vector<std::string> names, bool arriving) {
        wanted_ = std::move(names);
        arriving_ = arriving;
    }
    bool arriving(std::string_view name) const;
    // Whether the step points at anything (panels skip naming what nobody wants).
    bool wanting() const { return !wanted_.empty(); }

private:
    std::vector<HighlightRect> rects_;
    std::vector<std::string> wanted_;
    bool arriving_ = false;
};

// The board panels register on this frame (set by the studio; nullptr: none).
void set_highlight_board(HighlightBoard* board);
HighlightBoard* highlight_board();
// Registers `name` at this rectangle on the board in force.
void note_highlight(std::string_view name, float x0, float y0, float x1, float y1);
// Registers the last ImGui item (a group, a button) as `name`, cut to what its
// window shows; on the step's first frames, scrolls it into view.
void note_item_highlight(std::string_view name);

// The ring's colour, as the Legend names it: a bright magenta no panel uses.
constexpr unsigned kHighlightColor = 0xFFFF40FFu;  // IM_COL32(255, 64, 255, 255)
constexpr const char* kHighlightColorName = "magenta";
// Draws the pulsing ring around `r` on the foreground, at ImGui time `t_s`.
void draw_highlight_ring(const HighlightRect& r, double t_s);

}  // namespace minicorn::studio
