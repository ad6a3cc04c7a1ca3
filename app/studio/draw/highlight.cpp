// app/studio/draw/highlight.cpp — see highlight.h.
#include "app/studio/draw/highlight.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace minicorn::studio {

namespace {
HighlightBoard* g_board = nullptr;
}

void HighlightBoard::add(std::string_view name, float x0, float y0, float x1, float y1) {
    if (x1 <= x0 || y1 <= y0) return;
    for (HighlightRect& r : rects_) {
        if (r.name != name) continue;
        r.x0 = std::min(r.x0, x0);
        r.y0 = std::min(r.y0, y0);
        r.x1 = std::max(r.x1, x1);
        r.y1 = std::max(r.y1, y1);
        return;
    }
    rects_.push_back(HighlightRect{std::string(name), x0, y0, x1, y1});
}

const HighlightRect* HighlightBoard::find(std::string_view name) const {
    for (const HighlightRect& r : rects_) {
        if (r.name == name) return &r;
    }
    return nullptr;
}

void set_highlight_board(HighlightBoard* board) { g_board = board; }
HighlightBoard* highlight_board() { return g_board; }

void note_highlight(std::string_view name, float x0, float y0, float x1, float y1) {
    if (g_board) g_board->add(name, x0, y0, x1, y1);
}

bool HighlightBoard::arriving(std::string_view name) const {
    return arriving_ && std::find(wanted_.begin(), wanted_.end(), name) != wanted_.end();
}

void note_item_highlight(std::string_view name) {
    if (!g_board) return;
    const ImVec2 min = ImGui::GetItemRectMin();
    const ImVec2 max = ImGui::GetItemRectMax();
    if (g_board->arriving(name)) ImGui::SetScrollHereY(1.0f);
    const ImVec2 clip_min = ImGui::GetWindowDrawList()->GetClipRectMin();
    const ImVec2 clip_max = ImGui::GetWindowDrawList()->GetClipRectMax();
    g_board->add(name, std::max(min.x, clip_min.x), std::max(min.y, clip_min.y), std::min(max.x, clip_max.x),
                 std::min(max.y, clip_max.y));
}

void draw_highlight_ring(const HighlightRect& r, double t_s) {
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    // A ring that breathes (a 1.2 s cycle) just outside the element, so it never covers its text.
    const float pulse = 0.5f + 0.5f * static_cast<float>(std::sin(t_s * 2.0 * 3.14159265 / 1.2));
    const float pad = 3.0f + 3.0f * pulse;
    const auto alpha = static_cast<unsigned>(150 + 105 * pulse);
    const ImU32 col = (kHighlightColor & 0x00FFFFFFu) | (alpha << 24);
    dl->AddRect(ImVec2(r.x0 - pad, r.y0 - pad), ImVec2(r.x1 + pad, r.y1 + pad), col, 6.0f, 0, 3.0f);
}

}  // namespace minicorn::studio
