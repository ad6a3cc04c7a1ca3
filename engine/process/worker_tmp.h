// engine/process/worker_tmp.h — the heartbeat file (gunicorn's WorkerTmp, 20.1).
//
// Created by the master when it constructs a Worker, before fork, then
// unlinked at once: only the open descriptor remains, shared by master and
// worker. The worker's notify() flips the file mode with fchmod, which moves
// the inode's ctime; the master reads that ctime with fstat and compares it
// with the wall clock. Only the timestamp carries information.
#pragma once

#include <string>

#include "engine/sys/fd.h"

namespace minicorn::process {

class WorkerTmp {
public:
    // dir: empty for the system temp dir. Throws std::runtime_error if the
    // file cannot be made. delay_ms: --heartbeat-delay-ms, a simulated slow
    // disk — each notify() stalls that long, unless the file is in memory
    // (tmpfs, ramfs: /dev/shm), as a write to a busy disk can.
    explicit WorkerTmp(const std::string& dir, int delay_ms = 0);

    void notify();               // worker side: a heartbeat (may stall: see delay_ms)
    double last_update() const;  // master side: ctime, seconds since the epoch; < 0 if unreadable
    int fileno() const { return fd_.get(); }
    void close() { fd_.reset(); }

private:
    sys::Fd fd_;
    int spinner_ = 0;
    int delay_ms_ = 0;  // 0 when the file is in memory, whatever was asked
};

}  // namespace minicorn::process
