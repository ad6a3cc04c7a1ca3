// app/studio/platform.h — the window, the GL context and Dear ImGui's
// backends: everything the studio needs from the desktop, in one place.
//
// GLFW opens a 1600×1000 window with an OpenGL 3.3 core context; glad (the
// loader generated at build time) loads the GL functions; ImGui's GLFW and
// OpenGL3 backends (inside Debian's libimgui.a) feed input and draw. The font
// is DejaVu Sans with glyph ranges for the arrows, dashes and ● shapes the
// panels use (ImGui's built-in font has only Latin-1).
//
// Thread affinity: the main thread only (GLFW requires it). One Platform per
// process.
#pragma once

#include <string>

struct GLFWwindow;

namespace minicorn::studio {

class Platform {
public:
    Platform() = default;
    ~Platform();
    Platform(const Platform&) = delete;
    Platform& operator=(const Platform&) = delete;

    // Opens the window and sets up ImGui. `visible` false: an offscreen-style
    // run (--screenshot, --bench-frames) that still renders into the window's
    // back buffer. Returns false and sets *error when there is no display or
    // no GL 3.3.
    bool open(int width, int height, const char* title, bool vsync, std::string* error);

    bool should_close() const;
    // Polls input (GLFW events).
    void poll_events();
    // Starts an ImGui frame: the backends' NewFrame, then ImGui::NewFrame.
    // `ignore_mouse`: headless runs, where Xvfb's pointer sits mid-screen and
    // would open a tooltip in every screenshot.
    void new_frame(bool ignore_mouse = false);
    // Clears, draws ImGui's draw lists and (when `present`) swaps buffers.
    void end_frame(bool present = true);
    // Reads the back buffer just drawn and writes it as a PNG (top row first).
    bool save_png(const std::string& path, std::string* error) const;

    int width() const { return width_; }
    int height() const { return height_; }
    bool font_loaded() const { return font_loaded_; }

private:
    GLFWwindow* window_ = nullptr;
    bool imgui_ready_ = false;
    bool font_loaded_ = false;
    int width_ = 0;
    int height_ = 0;
};

// Is there a display to open a window on ($DISPLAY or $WAYLAND_DISPLAY set)?
bool display_available();

}  // namespace minicorn::studio
