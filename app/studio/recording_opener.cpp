// app/studio/recording_opener.cpp — see recording_opener.h.
#include "app/studio/recording_opener.h"

#include <utility>

namespace minicorn::studio {

RecordingOpener::~RecordingOpener() { abandon(); }

void RecordingOpener::abandon() {
    if (!thread_.joinable()) return;
    progress_->cancel = true;
    thread_.join();
    std::lock_guard lock(mu_);
    result_.reset();
}

void RecordingOpener::start(const std::string& path) {
    abandon();
    path_ = path;
    progress_ = std::make_unique<trace::ReadProgress>();
    finished_ = false;
    thread_ = std::thread([this, path, progress = progress_.get()] {
        Result r{path, std::nullopt, ""};
        r.rec = trace::Recording::load(path, &r.error, progress);
        {
            std::lock_guard lock(mu_);
            result_ = std::move(r);
        }
        finished_ = true;
    });
}

std::optional<RecordingOpener::Result> RecordingOpener::take() {
    if (!thread_.joinable() || !finished_) return std::nullopt;
    thread_.join();
    std::lock_guard lock(mu_);
    return std::exchange(result_, std::nullopt);
}

}  // namespace minicorn::studio
