// app/studio/file_menu.h — the studio's File menu (the menu bar along the top)
// and its two small dialogs: Open a recording (a path, or one of the .rec
// files in the current directory) and Save the recording (a path). What the
// learner chose comes back as a FileRequest; the Studio carries it out and,
// when a file cannot be opened or saved, hands the reason back with
// show_file_error(), which shows it in a window until dismissed.
//
// Thread affinity: the main thread, inside an ImGui frame.
#pragma once

#include <array>
#include <string>

namespace minicorn::studio {

struct FileMenuState {
    bool open_dialog = false;     // the Open dialog is wanted (opened on the next frame)
    bool save_dialog = false;
    std::array<char, 1024> open_path{};  // the fields' contents
    std::array<char, 1024> save_path{};
    std::string error_title;      // "" : no error window
    std::string error_text;
};

struct FileRequest {
    enum class Kind { None, Open, Save, BackToEngine };
    Kind kind = Kind::None;
    std::string path;
};

// Draws the menu bar and any dialog open. `replaying`: a file is shown (the
// menu offers to go back to a live engine). Returns the menu bar's height.
float draw_file_menu(FileMenuState& state, bool replaying, FileRequest& request);

// Shows `text` in a window titled `title` until the learner closes it.
void show_file_error(FileMenuState& state, std::string title, std::string text);

// A file name for a new recording in the current directory: minicorn-YYYYmmdd-HHMMSS.rec.
std::string default_recording_name();

}  // namespace minicorn::studio
