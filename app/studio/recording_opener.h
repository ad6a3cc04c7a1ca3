// app/studio/recording_opener.h — opening a recording file on a thread of its
// own (File → Open, a file dropped on the window), so the window keeps
// drawing while a large one is read — tens of millions of events take
// seconds — and can say how far it got.
//
// The thread reads and indexes the file (Recording::load); the main thread
// asks each frame whether it is done (take()) and then adopts the Recording.
// Starting another open abandons the one under way (it is cancelled and
// joined: the file read so far is dropped).
//
// Thread affinity: every public method on the main thread; the reading thread
// is private and touches only its own Recording and the progress counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/trace/recording.h"

namespace minicorn::studio {

class RecordingOpener {
public:
    struct Result {
        std::string path;
        std::optional<trace::Recording> rec;  // nullopt: refused, `error` says why in plain words
        std::string error;
    };

    RecordingOpener() = default;
    ~RecordingOpener();
    RecordingOpener(const RecordingOpener&) = delete;
    RecordingOpener& operator=(const RecordingOpener&) = delete;

    // Starts reading `path` (abandoning an open under way).
    void start(const std::string& path);
    // A file is being read.
    bool busy() const { return thread_.joinable(); }
    const std::string& path() const { return path_; }
    // Events read so far, and the file's total (0: not known yet).
    std::uint64_t events_read() const { return progress_ ? progress_->events.load() : 0; }
    std::uint64_t events_total() const { return progress_ ? progress_->total.load() : 0; }
    // The finished open (once), or nullopt while it is still reading or none was started.
    std::optional<Result> take();

private:
    void abandon();

    std::string path_;
    std::unique_ptr<trace::ReadProgress> progress_;
    std::atomic<bool> finished_{false};
    std::mutex mu_;
    std::optional<Result> result_;  // under mu_
    std::thread thread_;
};

}  // namespace minicorn::studio
