// tests/studio/panel_harness.h — Dear ImGui with no backend and no GPU: a
// context whose frames are built and rendered to draw lists only, so the
// studio's panels can be drawn and inspected by tests.
#pragma once

#include <imgui.h>

#include <cfloat>
#include <functional>

#include "app/studio/panels/view.h"
#include "engine/trace/model.h"

namespace minicorn::testing {

// The mouse and modifier keys for one frame.
struct HeadlessInput {
    ImVec2 mouse{-FLT_MAX, -FLT_MAX};
    bool left_down = false;
    float wheel = 0;
    bool ctrl = false;
    bool shift = false;
};

class HeadlessImGui {
public:
    explicit HeadlessImGui(ImVec2 size = {1600, 1000}) : size_(size) {
        ctx_ = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.DisplaySize = size;
        io.DeltaTime = 1.0f / 60.0f;
        io.IniFilename = nullptr;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the font atlas; nothing is uploaded
    }
    ~HeadlessImGui() { ImGui::DestroyContext(ctx_); }
    HeadlessImGui(const HeadlessImGui&) = delete;
    HeadlessImGui& operator=(const HeadlessImGui&) = delete;

    using Input = HeadlessInput;

    // One frame with `draw` inside a window filling `rect` (the whole display by default).
    void frame(const std::function<void()>& draw, Input in = {}, ImVec2 pos = {0, 0}, ImVec2 size = {0, 0}) {
        ImGuiIO& io = ImGui::GetIO();
        io.MousePos = in.mouse;
        io.MouseDown[0] = in.left_down;
        io.MouseWheel = in.wheel;
        io.KeyCtrl = in.ctrl;
        io.KeyShift = in.shift;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(pos);
        ImGui::SetNextWindowSize(size.x > 0 ? size : size_);
        ImGui::Begin("panel", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
        draw();
        ImGui::End();
        ImGui::Render();
    }
    // Triangles of the last frame, all windows.
    static int vertices() { return ImGui::GetDrawData() ? ImGui::GetDrawData()->TotalVtxCount : 0; }

private:
    ImGuiContext* ctx_;
    ImVec2 size_;
};

// A View of the model's latest World (live).
inline studio::View live_view(const trace::TraceModel& model, const trace::Recording& rec, const char* worker_class) {
    return studio::View{model.latest(), rec, model, model.latest().now_ns, true, false, worker_class, 0};
}

}  // namespace minicorn::testing
