// app/studio/draw/markdown.h — a lesson's narration (Markdown) drawn into the
// current ImGui window: paragraphs, *emphasis*, **strong**, `code`, bulleted
// and numbered lists, and links. md4c parses; parse_markdown() turns its
// callbacks into plain blocks of styled runs, draw_markdown() flows their
// words into the window's width (each word noted for the layout checker).
//
// Thread affinity: draw_markdown() on the studio's main thread; parse_markdown() anywhere.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace minicorn::studio {

struct MdRun {
    enum Style : std::uint8_t { Plain = 0, Em = 1, Strong = 2, Code = 4, Link = 8 };
    std::string text;
    std::uint8_t style = Plain;
    std::string url;  // Link
};

struct MdBlock {
    std::string bullet;  // "" a paragraph; "•" or "3." a list item
    int depth = 0;       // list nesting
    std::vector<MdRun> runs;
};

std::vector<MdBlock> parse_markdown(std::string_view text);
// Draws the blocks at the cursor, wrapping at the window's content width.
void draw_markdown(const std::vector<MdBlock>& blocks);
inline void draw_markdown(std::string_view text) { draw_markdown(parse_markdown(text)); }

}  // namespace minicorn::studio
