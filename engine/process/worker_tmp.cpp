#include "engine/process/worker_tmp.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace minicorn::process {

namespace {
// tmpfs and ramfs: memory, not a disk; nothing there waits for a device.
bool in_memory(int fd) {
    struct statfs fs{};
    return ::fstatfs(fd, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC);
}
}  // namespace

WorkerTmp::WorkerTmp(const std::string& dir, int delay_ms) {
    std::string base = dir;
    if (base.empty()) {
        const char* env = std::getenv("TMPDIR");
        base = env && *env ? env : "/tmp";
    }
    std::string pattern = base + "/wminicorn-XXXXXX";
    int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
    if (fd < 0) {
        throw std::runtime_error(base + " doesn't exist or is not writable. Can't create workertmp: " +
                                 sys::errno_text(errno));
    }
    fd_.reset(fd);
    ::unlink(pattern.c_str());  // nothing to leak: the open fd is all we need
    delay_ms_ = in_memory(fd) ? 0 : delay_ms;
}

void WorkerTmp::notify() {
    if (delay_ms_ > 0) {
        // The simulated slow disk: fchmod waits for the device, uninterruptible
        // (a signal is only handled once it returns), and the new ctime is the
        // moment it completes.
        timespec left{delay_ms_ / 1000, static_cast<long>(delay_ms_ % 1000) * 1'000'000};
        while (::nanosleep(&left, &left) != 0 && errno == EINTR) {
        }
    }
    spinner_ = (spinner_ + 1) % 2;
    ::fchmod(fd_.get(), static_cast<mode_t>(spinner_));
}

double WorkerTmp::last_update() const {
    struct stat st{};
    if (::fstat(fd_.get(), &st) != 0) return -1;
    return static_cast<double>(st.st_ctim.tv_sec) + static_cast<double>(st.st_ctim.tv_nsec) / 1e9;
}

}  // namespace minicorn::process
