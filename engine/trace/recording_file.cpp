#include "engine/trace/recording_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "engine/trace/ev.h"

namespace minicorn::trace {

namespace {
constexpr std::size_t kBuffer = 1 << 20;  // 16k events between write() calls
}  // namespace

RecordingFile::~RecordingFile() {
    if (file_) std::fclose(file_);
}

bool RecordingFile::open(const std::string& path, std::string* error) {
    file_ = std::fopen(path.c_str(), "wbe");  // e: O_CLOEXEC
    if (!file_) {
        if (error) *error = "cannot write '" + path + "': " + std::strerror(errno);
        return false;
    }
    path_ = path;
    std::setvbuf(file_, nullptr, _IOFBF, kBuffer);
    const std::uint64_t zero = 0;  // count and dropped (finish() writes both)
    ok_ = std::fwrite(kRecordingMagic, 1, sizeof kRecordingMagic, file_) == sizeof kRecordingMagic &&
          std::fwrite(&zero, sizeof zero, 1, file_) == 1 && std::fwrite(&zero, sizeof zero, 1, file_) == 1;
    return true;
}

void RecordingFile::append(std::span<const Event> sorted) {
    if (sorted.empty() || !file_) return;
    ok_ = std::fwrite(sorted.data(), sizeof(Event), sorted.size(), file_) == sorted.size() && ok_;
    count_ += sorted.size();
    last_time_ = sorted.back().t_ns;
    pid_t last = 0;
    for (const Event& e : sorted) {
        if (e.kind == EventKind::RingDrops) dropped_ += static_cast<std::uint64_t>(ev::RingDrops::decode(e).dropped.v);
        if (e.pid == last) continue;
        last = e.pid;
        if (std::find(pids_.begin(), pids_.end(), e.pid) == pids_.end()) pids_.push_back(e.pid);
    }
}

bool RecordingFile::finish(std::string* error) {
    if (!file_) return false;
    ok_ = std::fseek(file_, sizeof kRecordingMagic, SEEK_SET) == 0 &&
          std::fwrite(&count_, sizeof count_, 1, file_) == 1 && std::fwrite(&dropped_, sizeof dropped_, 1, file_) == 1 &&
          ok_;
    ok_ = std::fclose(file_) == 0 && ok_;
    file_ = nullptr;
    if (!ok_ && error) *error = "short write to '" + path_ + "'";
    return ok_;
}

}  // namespace minicorn::trace
