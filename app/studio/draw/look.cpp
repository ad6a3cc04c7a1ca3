// app/studio/draw/look.cpp — see look.h.
#include "app/studio/draw/look.h"

#include <imgui.h>

#ifndef MINICORN_STUDIO_FONT
#define MINICORN_STUDIO_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#endif

namespace minicorn::studio {

namespace {

// Glyphs beyond Latin-1 that the panels draw: general punctuation (— … •),
// arrows (→ ← ↔), math (≤ ≥ ×), box drawing, geometric shapes (● ○ ■ ▶).
const ImWchar kGlyphRanges[] = {
    0x0020, 0x00FF,  // Basic Latin + Latin-1
    0x2010, 0x205E,  // General Punctuation
    0x2190, 0x21FF,  // Arrows
    0x2200, 0x22FF,  // Mathematical Operators
    0x2500, 0x257F,  // Box Drawing
    0x2580, 0x25FF,  // Block Elements + Geometric Shapes
    0x2600, 0x26FF,  // Miscellaneous Symbols (⚠)
    0,
};

}  // namespace

bool add_studio_font(float scale) {
    ImGuiIO& io = ImGui::GetIO();
    if (io.Fonts->AddFontFromFileTTF(MINICORN_STUDIO_FONT, kBaseFontPx * scale, nullptr, kGlyphRanges)) return true;
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f * scale;
    io.Fonts->AddFontDefault(&cfg);
    return false;
}

void apply_studio_style(float scale) {
    ImGuiStyle& style = ImGui::GetStyle();
    style = ImGuiStyle();
    ImGui::StyleColorsDark(&style);
    style.WindowRounding = 0.0f;
    style.FrameRounding = 3.0f;
    style.GrabRounding = 3.0f;
    style.WindowBorderSize = 1.0f;
    style.WindowPadding = ImVec2(8, 6);
    style.ItemSpacing = ImVec2(6, 4);
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.075f, 0.082f, 0.105f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0.09f, 0.10f, 0.13f, 1.0f);
    c[ImGuiCol_TitleBg] = ImVec4(0.11f, 0.14f, 0.21f, 1.0f);
    c[ImGuiCol_TitleBgActive] = ImVec4(0.14f, 0.20f, 0.33f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0.25f, 0.33f, 0.50f, 0.8f);
    style.ScaleAllSizes(scale);
}

}  // namespace minicorn::studio
