// app/studio/file_menu.cpp — see file_menu.h.
#include "app/studio/file_menu.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <vector>

#include "app/studio/panels/widgets.h"

namespace minicorn::studio {

namespace {

void set_field(std::array<char, 1024>& field, const std::string& text) {
    std::snprintf(field.data(), field.size(), "%s", text.c_str());
}

// The .rec files in the current directory, newest first (at most 12).
std::vector<std::string> recordings_here() {
    namespace fs = std::filesystem;
    std::vector<std::pair<fs::file_time_type, std::string>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(".", ec)) {
        if (entry.path().extension() == ".rec" && entry.is_regular_file(ec)) {
            found.emplace_back(entry.last_write_time(ec), entry.path().filename().string());
        }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> names;
    for (std::size_t i = 0; i < found.size() && i < 12; ++i) names.push_back(found[i].second);
    return names;
}

void centre_next_window() {
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.4f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
}

void draw_open_dialog(FileMenuState& state, FileRequest& request) {
    centre_next_window();
    if (!ImGui::BeginPopupModal("Open a recording", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    label("A recording made by `minicorn serve --trace run.rec` or `minicorn load --trace run.rec`,");
    label("or saved here with File \u2192 Save recording. You can also drop a .rec file on the window.");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 32);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool entered = ImGui::InputText("##path", state.open_path.data(), state.open_path.size(),
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    const std::vector<std::string> here = recordings_here();
    if (!here.empty()) {
        label("In this directory:", dim_color());
        for (const std::string& name : here) {
            if (ImGui::Selectable(name.c_str())) set_field(state.open_path, name);
        }
    }
    if (ImGui::Button("Open") || entered) {
        request = {FileRequest::Kind::Open, state.open_path.data()};
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void draw_save_dialog(FileMenuState& state, FileRequest& request) {
    centre_next_window();
    if (!ImGui::BeginPopupModal("Save the recording", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    label("Every event recorded so far goes into this file; open it later with");
    label("`minicorn-studio FILE.rec` or File \u2192 Open, or turn it into a Perfetto trace with `minicorn export`.");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 32);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool entered = ImGui::InputText("##path", state.save_path.data(), state.save_path.size(),
                                          ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button("Save") || entered) {
        request = {FileRequest::Kind::Save, state.save_path.data()};
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void draw_error(FileMenuState& state) {
    if (state.error_title.empty()) return;
    centre_next_window();
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 34, 0));
    bool open = true;
    const std::string title = state.error_title + "###file-error";
    ImGui::Begin(title.c_str(), &open, ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse);
    label_wrapped(state.error_text, IM_COL32(255, 140, 120, 255));
    if (ImGui::Button("OK")) open = false;
    ImGui::End();
    if (!open) state.error_title.clear();
}

}  // namespace

float draw_file_menu(FileMenuState& state, bool replaying, FileRequest& request) {
    float height = 0;
    if (ImGui::BeginMainMenuBar()) {
        if (ImGui::BeginMenu("File")) {
            if (ImGui::MenuItem("Open a recording\u2026")) state.open_dialog = true;
            if (ImGui::MenuItem("Save recording\u2026")) state.save_dialog = true;
            if (replaying && ImGui::MenuItem("Back to a live engine")) request = {FileRequest::Kind::BackToEngine, ""};
            ImGui::EndMenu();
        }
        height = ImGui::GetWindowSize().y;
        ImGui::EndMainMenuBar();
    }
    if (state.open_dialog) {
        state.open_dialog = false;
        ImGui::OpenPopup("Open a recording");
    }
    if (state.save_dialog) {
        state.save_dialog = false;
        if (state.save_path[0] == '\0') set_field(state.save_path, default_recording_name());
        ImGui::OpenPopup("Save the recording");
    }
    draw_open_dialog(state, request);
    draw_save_dialog(state, request);
    draw_error(state);
    return height;
}

void show_file_error(FileMenuState& state, std::string title, std::string text) {
    state.error_title = std::move(title);
    state.error_text = std::move(text);
}

std::string default_recording_name() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char name[64];
    std::strftime(name, sizeof name, "minicorn-%Y%m%d-%H%M%S.rec", &tm);
    return name;
}

}  // namespace minicorn::studio
