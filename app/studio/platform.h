// app/studio/platform.h — the window, the GL context and Dear ImGui's
// backends: everything the studio needs from the desktop, in one place.
//
// GLFW opens a window with an OpenGL 3.3 core context — sized to the screen
// it is on (its work area, at most 1600×1000) unless a size is given; glad
// (the loader generated at build time) loads the GL functions; ImGui's GLFW
// and OpenGL3 backends (inside Debian's libimgui.a) feed input and draw. The
// font and style (draw/look.h) are scaled by the monitor's content scale
// (HiDPI) times the learner's text size, which Ctrl + / Ctrl − change and
// $XDG_CONFIG_HOME/minicorn/studio.ini (or ~/.config/…) remembers.
//
// Thread affinity: the main thread only (GLFW requires it). One Platform per
// process.
#pragma once

#include <string>
#include <utility>
#include <vector>

struct GLFWwindow;

namespace minicorn::studio {

class Platform {
public:
    Platform() = default;
    ~Platform();
    Platform(const Platform&) = delete;
    Platform& operator=(const Platform&) = delete;

    // Opens the window and sets up ImGui. width/height 0: sized to the
    // screen. scale 0: the monitor's content scale × the remembered text
    // size; else exactly `scale` (screenshots). `vsync` false: an
    // offscreen-style run (--screenshot, --bench-frames) that still renders
    // into the window's back buffer. Returns false and sets *error when
    // there is no display or no GL 3.3.
    bool open(int width, int height, float scale, const char* title, bool vsync, std::string* error);

    bool should_close() const;
    // Polls input (GLFW events); applies a Ctrl + / Ctrl − pressed since
    // (rebuilds the font, saves the text size).
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
    float scale() const { return content_scale_ * text_size_; }

    // Ctrl + / Ctrl − (from the key callback): a step of the text size.
    void request_text_step(int step) { text_step_ += step; }
    // Files dropped on the window since the last call (from the drop callback), in order.
    std::vector<std::string> take_dropped_paths() { return std::exchange(dropped_, {}); }
    void note_dropped_path(const char* path) { dropped_.emplace_back(path); }

private:
    void build_font();

    GLFWwindow* window_ = nullptr;
    bool imgui_ready_ = false;
    bool font_loaded_ = false;
    int width_ = 0;
    int height_ = 0;
    float content_scale_ = 1.0f;  // the monitor's (HiDPI), or a --scale given
    float text_size_ = 1.0f;      // the learner's, 0.6–2.5, remembered
    int text_step_ = 0;           // Ctrl + / Ctrl − pressed, not yet applied
    std::vector<std::string> dropped_;  // files dropped on the window, not yet taken
};

// The studio's settings file ($XDG_CONFIG_HOME/minicorn/studio.ini, else
// ~/.config/minicorn/studio.ini): "text_size = 1.2". Missing: 1.0.
float load_text_size();
void save_text_size(float size);

// Is there a display to open a window on ($DISPLAY or $WAYLAND_DISPLAY set)?
bool display_available();

}  // namespace minicorn::studio
