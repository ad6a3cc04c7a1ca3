// tests/studio/panel_harness.h — Dear ImGui with no backend and no GPU: a
// context whose frames are built and rendered to draw lists only, so the
// studio's panels can be drawn and inspected by tests; and the small readers
// the panel tests share (find an item, hover it, look for a colour).
#pragma once

#include <imgui.h>

#include <cfloat>
#include <functional>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "app/studio/draw/look.h"
#include "app/studio/draw/text_layout.h"
#include "app/studio/panels/topology.h"
#include "app/studio/panels/view.h"
#include "engine/trace/model.h"
#include "tests/support/trace_script.h"

namespace minicorn::testing {

// The mouse and modifier keys for one frame.
struct HeadlessInput {
    ImVec2 mouse{-FLT_MAX, -FLT_MAX};
    bool left_down = false;
    float wheel = 0;
    bool ctrl = false;
    bool shift = false;
};

// Which font and spacing: ImGui's own (most panel tests), or the studio's
// (DejaVu Sans 15 px and its style: the layout tests, which measure text).
enum class Look { ImGuiDefault, Studio };

class HeadlessImGui {
public:
    explicit HeadlessImGui(ImVec2 size = {1600, 1000}, Look look = Look::ImGuiDefault, float scale = 1.0f) : size_(size) {
        ctx_ = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        if (look == Look::Studio) {
            studio::apply_studio_style(scale);
            studio::add_studio_font(scale);
        }
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


// A recording, its model and a live View over it, kept together.
struct Scene {
    trace::Recording rec;
    trace::TraceModel model;
    studio::View view;
    Scene(const trace_script::Script& s, const char* cls)
        : rec(s.recording()), model(rec, 64), view(live_view((model.update(), model), rec, cls)) {}
};

inline const studio::TopoItem* find_item(const studio::TopologyState& st, studio::TopoItemKind kind, std::uint64_t id) {
    for (const studio::TopoItem& it : st.items) {
        if (it.kind == kind && it.id == id) return &it;
    }
    return nullptr;
}

inline ImVec2 center(const studio::TopoItem& it) { return {(it.min.x + it.max.x) / 2, (it.min.y + it.max.y) / 2}; }
inline bool inside(const studio::TopoItem& inner, const studio::TopoItem& outer) {
    ImVec2 c = center(inner);
    return c.x >= outer.min.x && c.x <= outer.max.x && c.y >= outer.min.y && c.y <= outer.max.y;
}

// Draws the topology `frames` times (tokens finish moving after ~150 ms = 9 frames).
inline void topology_frames(HeadlessImGui& ui, Scene& sc, studio::TopologyState& st, studio::Actions& acts, int frames,
                            HeadlessInput in = {}) {
    for (int i = 0; i < frames; ++i) ui.frame([&] { studio::draw_topology(sc.view, st, acts); }, in);
}

// Hovers the item's centre for two frames (ImGui decides hovering from the previous frame).
inline std::string hover_text(HeadlessImGui& ui, Scene& sc, studio::TopologyState& st, studio::TopoItemKind kind,
                              std::uint64_t id) {
    const studio::TopoItem* it = find_item(st, kind, id);
    REQUIRE(it != nullptr);
    HeadlessInput in;
    in.mouse = center(*it);
    studio::Actions acts;
    topology_frames(ui, sc, st, acts, 2, in);
    return st.tooltip;
}

// Whether the last frame drew a vertex of colour `col` inside the item's rectangle.
inline bool drew_colour_in(const studio::TopoItem& it, ImU32 col) {
    ImDrawData* dd = ImGui::GetDrawData();
    for (int l = 0; l < dd->CmdListsCount; ++l) {
        for (const ImDrawVert& v : dd->CmdLists[l]->VtxBuffer) {
            if (v.col == col && v.pos.x >= it.min.x && v.pos.x <= it.max.x && v.pos.y >= it.min.y && v.pos.y <= it.max.y) {
                return true;
            }
        }
    }
    return false;
}

// The layout checker's notes of one frame of `draw` (after one frame unnoted,
// so hover and tokens have settled).
inline studio::TextLayout noted_frame(HeadlessImGui& ui, const std::function<void()>& draw) {
    ui.frame(draw);
    studio::TextLayout layout;
    studio::set_text_layout(&layout);
    ui.frame(draw);
    studio::set_text_layout(nullptr);
    return layout;
}

inline std::vector<std::string> texts_of(const studio::TextLayout& layout) {
    std::vector<std::string> texts;
    for (const auto& t : layout.texts) texts.push_back(t.text);
    return texts;
}

inline bool has_text(const std::vector<std::string>& texts, std::string_view part) {
    return std::any_of(texts.begin(), texts.end(), [&](const std::string& t) { return t.find(part) != std::string::npos; });
}

}  // namespace minicorn::testing
