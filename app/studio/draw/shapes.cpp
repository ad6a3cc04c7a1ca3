// app/studio/draw/shapes.cpp — see shapes.h.
#include "app/studio/draw/shapes.h"

#include <algorithm>
#include <cstring>

#include "app/studio/draw/text_layout.h"

namespace minicorn::studio {

float draw_box(ImDrawList* dl, ImVec2 min, ImVec2 max, const char* title, ImU32 border, ImU32 bg) {
    dl->AddRectFilled(min, max, bg, 4.0f);
    dl->AddRect(min, max, border, 4.0f, 0, 1.5f);
    float pad = 6.0f;
    if (title && *title) {
        draw_text_clipped(dl, {min.x + pad, min.y + 3.0f}, max.x - pad, colors::kText, title);
        return min.y + 3.0f + ImGui::GetTextLineHeight() + 3.0f;
    }
    return min.y + pad;
}

void draw_shape(ImDrawList* dl, Shape shape, ImVec2 c, float r, ImU32 color) {
    switch (shape) {
        case Shape::Token:
            dl->AddCircleFilled(c, r, color, 16);
            dl->AddCircle(c, r, IM_COL32(0, 0, 0, 160), 16, 1.0f);
            break;
        case Shape::Pending: dl->AddCircle(c, r - 0.5f, color, 16, 1.5f); break;
        case Shape::Running:
            dl->AddCircleFilled(c, r * 0.6f, color, 12);
            dl->AddCircle(c, r + 2.5f, colors::kRunningRing, 20, 2.0f);
            break;
        case Shape::Idle: {
            float h = r * 0.55f;
            dl->AddRectFilled({c.x - h, c.y - h}, {c.x + h, c.y + h}, color, 1.0f);
            break;
        }
        case Shape::Span: dl->AddRectFilled({c.x - r * 1.6f, c.y - r * 0.7f}, {c.x + r * 1.6f, c.y + r * 0.7f}, color, 2.0f); break;
        case Shape::Tick: dl->AddLine({c.x, c.y - r}, {c.x, c.y + r}, color, 2.0f); break;
    }
}

void draw_text_clipped(ImDrawList* dl, ImVec2 pos, float max_x, ImU32 color, const char* text, const char* end) {
    if (!end) end = text + std::strlen(text);
    float avail = max_x - pos.x;
    if (avail <= 0) return;
    ImFont* font = ImGui::GetFont();
    float size = ImGui::GetFontSize();
    ImVec2 full = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text, end);
    if (full.x <= avail) {
        dl->AddText(font, size, pos, color, text, end);
        note_text(dl, pos, full, {text, static_cast<std::size_t>(end - text)}, false);
        return;
    }
    note_text(dl, pos, {avail, full.y}, {text, static_cast<std::size_t>(end - text)}, true);
    // Cut where the text plus ".." fits: a learner sees it was cut, and the hover has it all.
    float dots = font->CalcTextSizeA(size, FLT_MAX, 0.0f, "..").x;
    const char* cut = end;
    font->CalcTextSizeA(size, avail - dots, 0.0f, text, end, &cut);
    dl->AddText(font, size, pos, color, text, cut);
    float w = font->CalcTextSizeA(size, FLT_MAX, 0.0f, text, cut).x;
    dl->AddText(font, size, {pos.x + w, pos.y}, colors::kTextDim, "..");
}

ImVec2 draw_text(ImDrawList* dl, ImVec2 pos, ImU32 color, const char* text, const char* end) {
    if (!end) end = text + std::strlen(text);
    ImVec2 size = ImGui::CalcTextSize(text, end);
    dl->AddText(pos, color, text, end);
    note_text(dl, pos, size, {text, static_cast<std::size_t>(end - text)}, false);
    return size;
}

float wrapped_height(float width, const char* text, const char* end) {
    if (!end) end = text + std::strlen(text);
    return ImGui::CalcTextSize(text, end, false, std::max(1.0f, width)).y;
}

float draw_text_wrapped(ImDrawList* dl, ImVec2 pos, float max_x, ImU32 color, const char* text, const char* end) {
    if (!end) end = text + std::strlen(text);
    float width = std::max(1.0f, max_x - pos.x);
    ImVec2 size = ImGui::CalcTextSize(text, end, false, width);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), pos, color, text, end, width);
    note_text(dl, pos, size, {text, static_cast<std::size_t>(end - text)}, false);
    return size.y;
}

}  // namespace minicorn::studio
