// engine/trace/recording_file.h — a recording written to its file while the
// collector commits it, for `serve --trace FILE` (a .rec, not .json):
// the events go to disk in time order as they come, instead of growing a
// Recording and its indexes in memory for the whole run (which cost the
// collector a page fault per 64 events and a copy each time the vector grew).
// The file is the MCREC001 format Recording::save writes and
// Recording::load reads; finish() fills in the header's count.
//
// Thread affinity: one thread (the collector's).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "engine/trace/recording.h"

namespace minicorn::trace {

class RecordingFile final : public EventSink {
public:
    RecordingFile() = default;
    ~RecordingFile() override;
    RecordingFile(const RecordingFile&) = delete;
    RecordingFile& operator=(const RecordingFile&) = delete;

    // Creates (truncates) `path` and writes the header. false, with *error set, if it cannot.
    bool open(const std::string& path, std::string* error);
    void append(std::span<const Event> sorted) override;
    std::uint64_t last_time() const override { return last_time_; }
    // Writes the header's count and closes the file. false, with *error set, on a short write.
    bool finish(std::string* error);

    std::uint64_t size() const { return count_; }
    // Events lost to full rings: the sum of the RingDrops appended (as Recording::dropped).
    std::uint64_t dropped() const { return dropped_; }
    std::size_t process_count() const { return pids_.size(); }

private:
    std::FILE* file_ = nullptr;
    std::string path_;
    std::uint64_t count_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t last_time_ = 0;
    std::vector<pid_t> pids_;  // every pid seen (a handful)
    bool ok_ = true;
};

}  // namespace minicorn::trace
