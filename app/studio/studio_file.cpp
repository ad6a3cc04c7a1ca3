// app/studio/studio_file.cpp — the Studio's recordings on disk: opening one
// (FILE.rec, File → Open, a drop on the window) in place of the engine,
// saving the one recorded (File → Save, --save on exit), and the File menu's
// choices. See studio.h and file_menu.h.
#include <imgui.h>

#include <cstdio>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "app/studio/panels/widgets.h"
#include "app/studio/studio.h"

#include "app/studio/compare.h"
#include "engine/trace/ev.h"

namespace minicorn::studio {

void Studio::shutdown() {
    if (std::exchange(shut_down_, true)) return;
    compare_.reset();  // its engines stop
    session_.stop();
    if (options_.save_path.empty()) return;
    while (session_.update(*rec_) > 0) {}  // every event collected, none left behind
    std::string error;
    if (save_recording(options_.save_path, &error)) {
        std::printf("minicorn-studio: saved %zu events to %s\n", rec_->size(), options_.save_path.c_str());
    } else {
        std::fprintf(stderr, "minicorn-studio: cannot save the recording: %s\n", error.c_str());
    }
}

bool Studio::open_recording(const std::string& path, std::string* error) {
    std::optional<trace::Recording> loaded = trace::Recording::load(path, error);
    if (!loaded) return false;
    adopt_recording(std::move(*loaded), path);
    return true;
}

void Studio::adopt_recording(trace::Recording rec, const std::string& path) {
    if (lesson_.mode() != LessonPlayer::Mode::Off) lesson_.leave();
    stop_and_clear();
    traffic_.wanted = false;
    replace_recording(std::move(rec));
    // The worker class the recording ran, from its first worker's boot (its workers may all have exited by its end).
    replay_class_.clear();
    for (std::size_t i = 0; i < rec_->size() && replay_class_.empty(); ++i) {
        if ((*rec_)[i].kind != trace::EventKind::WorkerBoot) continue;
        const auto model = trace::ev::WorkerBoot::decode((*rec_)[i]).model;
        if (model > 0 && model <= static_cast<std::int64_t>(trace::ModelId::Asyncio)) {
            replay_class_ = std::string(trace::to_string(model.as<trace::ModelId>()));
        }
    }
    const std::size_t slash = path.rfind('/');
    replay_name_ = slash == std::string::npos ? path : path.substr(slash + 1);
}

void Studio::open_recording_or_say_why(const std::string& path) { opener_.start(path); }

void Studio::take_opened() {
    std::optional<RecordingOpener::Result> r = opener_.take();
    if (!r) return;
    if (r->rec) {
        adopt_recording(std::move(*r->rec), r->path);
        return;
    }
    std::fprintf(stderr, "minicorn-studio: %s\n", r->error.c_str());
    show_file_error(file_menu_, "This recording cannot be opened", r->error);
}

bool Studio::opening() const { return opener_.busy() || (replaying() && keys_->folded() < rec_->size()); }

void Studio::draw_open_progress() {
    if (!opening()) return;
    const bool reading = opener_.busy();
    const std::uint64_t done = reading ? opener_.events_read() : keys_->folded();
    const std::uint64_t total = reading ? opener_.events_total() : rec_->size();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.5f), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 30.0f, 0));
    ImGui::Begin("Opening a recording###opening", nullptr,
                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoResize |
                     ImGuiWindowFlags_AlwaysAutoResize);
    const std::string name = reading ? opener_.path() : replay_name_;
    if (reading) {
        label_wrapped(fmt::format("Reading {}: {:.1f} of {:.1f} million events. The window stays usable; what "
                                  "was shown before stays until the file is read.",
                                  name, static_cast<double>(done) / 1e6, static_cast<double>(total) / 1e6));
    } else {
        label_wrapped(fmt::format("Folding {} into keyframes: {:.1f} of {:.1f} million events. You can look at "
                                  "and scrub the part folded so far.",
                                  name, static_cast<double>(done) / 1e6, static_cast<double>(total) / 1e6));
    }
    ImGui::ProgressBar(total ? static_cast<float>(static_cast<double>(done) / static_cast<double>(total)) : 0.0f);
    ImGui::End();
}

bool Studio::save_recording(const std::string& path, std::string* error) const { return rec_->save(path, error); }

void Studio::carry_out(const FileRequest& request) {
    switch (request.kind) {
    case FileRequest::Kind::None:
        break;
    case FileRequest::Kind::Open:
        open_recording_or_say_why(request.path);
        break;
    case FileRequest::Kind::Save: {
        std::string error;
        if (!save_recording(request.path, &error)) {
            std::fprintf(stderr, "minicorn-studio: %s\n", error.c_str());
            show_file_error(file_menu_, "The recording was not saved", error);
        }
        break;
    }
    case FileRequest::Kind::BackToEngine:
        replay_name_.clear();
        restart_engine();
        break;
    }
}

}  // namespace minicorn::studio
