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
    // file cannot be made.
    explicit WorkerTmp(const std::string& dir);

    void notify();               // worker side: a heartbeat
    double last_update() const;  // master side: ctime, seconds since the epoch; < 0 if unreadable
    int fileno() const { return fd_.get(); }
    void close() { fd_.reset(); }

private:
    sys::Fd fd_;
    int spinner_ = 0;
};

}  // namespace minicorn::process
