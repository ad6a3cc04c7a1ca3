// app/studio/studio_file.cpp — the Studio's recordings on disk: opening one
// (FILE.rec, File → Open, a drop on the window) in place of the engine,
// saving the one recorded (File → Save, --save on exit), and the File menu's
// choices. See studio.h and file_menu.h.
#include <cstdio>
#include <optional>
#include <utility>

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
    if (lesson_.mode() != LessonPlayer::Mode::Off) lesson_.leave();
    stop_and_clear();
    traffic_.wanted = false;
    replace_recording(std::move(*loaded));
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
    return true;
}

void Studio::open_recording_or_say_why(const std::string& path) {
    std::string error;
    if (open_recording(path, &error)) return;
    std::fprintf(stderr, "minicorn-studio: %s\n", error.c_str());
    show_file_error(file_menu_, "This recording cannot be opened", error);
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
