// app/studio/draw/look.h — the studio's font and style, in one place, so the
// window (platform.cpp) and the headless panel tests lay text out alike.
//
// The font is DejaVu Sans with glyph ranges for the arrows, dashes and ●
// shapes the panels use (ImGui's built-in font has only Latin-1). `scale`
// multiplies the font size and every spacing: a HiDPI monitor's content
// scale times the learner's text size (Ctrl + / Ctrl −).
//
// Thread affinity: the ImGui thread, before the font atlas is built (fonts)
// or between frames (style).
#pragma once

namespace minicorn::studio {

inline constexpr float kBaseFontPx = 15.0f;

// Adds the studio's font at kBaseFontPx × scale to the current context's atlas.
// False (and ImGui's default font added instead) when the font file is missing.
bool add_studio_font(float scale);
// Sets the studio's colours and spacing, scaled.
void apply_studio_style(float scale);

}  // namespace minicorn::studio
