// app/studio/platform.cpp — GLFW + glad + Dear ImGui set-up, and the
// screenshot (glReadPixels → stb_image_write).
//
// glad's header must come before GLFW's, and GLFW must not include its own GL
// header (GLFW_INCLUDE_NONE), or the two declare the same GL symbols.
#include "app/studio/platform.h"

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include "app/studio/draw/look.h"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace minicorn::studio {

namespace {

std::string g_glfw_error;

extern "C" void on_glfw_error(int code, const char* text) {
    g_glfw_error = "GLFW error " + std::to_string(code) + ": " + (text ? text : "?");
}

}  // namespace

bool display_available() {
    const char* x = std::getenv("DISPLAY");
    const char* w = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (w && *w);
}

std::string settings_path() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    std::string dir = xdg && *xdg ? std::string(xdg) : home && *home ? std::string(home) + "/.config" : std::string();
    return dir.empty() ? std::string() : dir + "/minicorn/studio.ini";
}

float load_text_size() {
    std::ifstream in(settings_path());
    std::string line;
    while (std::getline(in, line)) {
        float v = 0;
        if (std::sscanf(line.c_str(), " text_size = %f", &v) == 1 && v >= 0.6f && v <= 2.5f) return v;
    }
    return 1.0f;
}

void save_text_size(float size) {
    std::string path = settings_path();
    if (path.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    std::ofstream out(path);
    out << "# minicorn studio (Ctrl + / Ctrl - change the text size)\ntext_size = " << size << "\n";
}

namespace {

extern "C" void on_key(GLFWwindow* window, int key, int, int action, int mods) {
    if (action == GLFW_RELEASE || !(mods & GLFW_MOD_CONTROL)) return;
    auto* platform = static_cast<Platform*>(glfwGetWindowUserPointer(window));
    if (key == GLFW_KEY_EQUAL || key == GLFW_KEY_KP_ADD) platform->request_text_step(+1);
    if (key == GLFW_KEY_MINUS || key == GLFW_KEY_KP_SUBTRACT) platform->request_text_step(-1);
}

// Files dropped on the window: kept for take_dropped_paths().
extern "C" void on_drop(GLFWwindow* window, int count, const char** paths) {
    auto* platform = static_cast<Platform*>(glfwGetWindowUserPointer(window));
    for (int i = 0; i < count; ++i) platform->note_dropped_path(paths[i]);
}

// The work area of the monitor the window will open on (the primary one).
void screen_size(int* w, int* h) {
    int x = 0, y = 0;
    *w = 1600;
    *h = 1000;
    if (GLFWmonitor* m = glfwGetPrimaryMonitor()) glfwGetMonitorWorkarea(m, &x, &y, w, h);
}

}  // namespace

bool Platform::open(int width, int height, float scale, const char* title, bool vsync, std::string* error) {
    glfwSetErrorCallback(on_glfw_error);
    if (!glfwInit()) {
        *error = "cannot initialise GLFW (is there a display?) " + g_glfw_error;
        return false;
    }
    if (width <= 0 || height <= 0) {
        // Sized to the screen, leaving room for the window's decorations, at most 1600×1000.
        int sw = 0, sh = 0;
        screen_size(&sw, &sh);
        width = std::clamp(sw - 40, 640, 1600);
        height = std::clamp(sh - 60, 480, 1000);
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    window_ = glfwCreateWindow(width, height, title, nullptr, nullptr);
    if (!window_) {
        *error = "cannot open a " + std::to_string(width) + "x" + std::to_string(height) +
                 " window with OpenGL 3.3 core: " + g_glfw_error;
        return false;
    }
    glfwSetWindowUserPointer(window_, this);
    glfwSetKeyCallback(window_, on_key);  // ImGui's backend chains to it
    glfwSetDropCallback(window_, on_drop);
    if (scale > 0) {
        content_scale_ = scale;
    } else {
        float sx = 1, sy = 1;
        glfwGetWindowContentScale(window_, &sx, &sy);
        content_scale_ = std::max(1.0f, sx);
        text_size_ = load_text_size();
    }
    glfwMakeContextCurrent(window_);
    glfwSwapInterval(vsync ? 1 : 0);
    if (gladLoadGL(glfwGetProcAddress) == 0) {
        *error = "glad could not load the OpenGL 3.3 functions";
        return false;
    }
    glfwGetFramebufferSize(window_, &width_, &height_);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the layout is fixed (studio.cpp); nothing to remember
    apply_studio_style(this->scale());
    font_loaded_ = add_studio_font(this->scale());
    if (!font_loaded_) {
        std::fprintf(stderr, "minicorn-studio: %s not found (install fonts-dejavu-core); arrows and ● draw as '?'\n",
                     MINICORN_STUDIO_FONT);
    }
    ImGui_ImplGlfw_InitForOpenGL(window_, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    imgui_ready_ = true;
    return true;
}

Platform::~Platform() {
    if (imgui_ready_) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplGlfw_Shutdown();
        ImGui::DestroyContext();
    }
    if (window_) glfwDestroyWindow(window_);
    glfwTerminate();
}

bool Platform::should_close() const { return glfwWindowShouldClose(window_) != 0; }

void Platform::poll_events() {
    glfwPollEvents();
    glfwGetFramebufferSize(window_, &width_, &height_);
    if (text_step_ != 0) {
        text_size_ = std::clamp(text_size_ * (text_step_ > 0 ? 1.1f : 1.0f / 1.1f), 0.6f, 2.5f);
        text_step_ = 0;
        build_font();
        save_text_size(text_size_);
    }
}

void Platform::build_font() {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    font_loaded_ = add_studio_font(scale());
    apply_studio_style(scale());
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

void Platform::new_frame(bool ignore_mouse) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (ignore_mouse) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::NewFrame();
}

void Platform::end_frame(bool present) {
    glViewport(0, 0, width_, height_);
    glClearColor(0.05f, 0.055f, 0.07f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (present) glfwSwapBuffers(window_);
}

bool Platform::save_png(const std::string& path, std::string* error) const {
    const int w = width_;
    const int h = height_;
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
    glFinish();
    glReadBuffer(GL_BACK);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    // GL's first row is the bottom one; PNG's is the top.
    stbi_flip_vertically_on_write(1);
    if (stbi_write_png(path.c_str(), w, h, 3, pixels.data(), w * 3) == 0) {
        *error = "cannot write " + path;
        return false;
    }
    return true;
}

}  // namespace minicorn::studio
