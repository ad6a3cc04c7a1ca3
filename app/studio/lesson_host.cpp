// app/studio/lesson_host.cpp — see lesson_host.h.
#include "app/studio/lesson_host.h"

#include <span>

namespace minicorn::studio {

StudioHost::StudioHost(Session& session, const trace::Recording& studio_rec, Hooks hooks)
    : session_(session), source_(&studio_rec), hooks_(std::move(hooks)) {
    log_seq_ = session_.last_log_seq();
}

void StudioHost::rebind(const trace::Recording& studio_rec) {
    source_ = &studio_rec;
    forwarded_ = 0;
}

void StudioHost::update(trace::Recording& rec) {
    // The studio's Recording is time-ordered and only grows (until rebind): the
    // tail not yet forwarded is a sorted batch, as a collector drain would be.
    if (forwarded_ > source_->size()) forwarded_ = 0;
    if (forwarded_ < source_->size()) {
        std::vector<trace::Event> batch;
        batch.reserve(source_->size() - forwarded_);
        for (std::size_t i = forwarded_; i < source_->size(); ++i) batch.push_back((*source_)[i]);
        rec.append(std::span<const trace::Event>(batch));
        forwarded_ = source_->size();
    }
    for (const LogLine& l : session_.log_lines(log_seq_)) {
        log_seq_ = l.seq;
        if (l.from_client) continue;
        log_ += l.text;
        log_ += '\n';
    }
}

bool StudioHost::start_load(const std::vector<std::string>& args, std::string* error) {
    session_.stop_load();
    const bool ok = session_.start_load(args, error);
    if (ok && hooks_.load) hooks_.load(&args);
    return ok;
}

void StudioHost::stop_load() {
    session_.stop_load();
    if (hooks_.load) hooks_.load(nullptr);
}

bool StudioHost::restart(const std::vector<std::string>& serve_args, std::string* error) {
    log_.clear();
    const bool ok = hooks_.restart(serve_args, error);
    log_seq_ = session_.last_log_seq();
    return ok;
}

}  // namespace minicorn::studio
