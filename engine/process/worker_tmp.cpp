#include "engine/process/worker_tmp.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>

namespace minicorn::process {

WorkerTmp::WorkerTmp(const std::string& dir) {
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
}

void WorkerTmp::notify() {
    spinner_ = (spinner_ + 1) % 2;
    ::fchmod(fd_.get(), static_cast<mode_t>(spinner_));
}

double WorkerTmp::last_update() const {
    struct stat st{};
    if (::fstat(fd_.get(), &st) != 0) return -1;
    return static_cast<double>(st.st_ctim.tv_sec) + static_cast<double>(st.st_ctim.tv_nsec) / 1e9;
}

}  // namespace minicorn::process
