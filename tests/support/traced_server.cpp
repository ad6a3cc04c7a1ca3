#include "tests/support/traced_server.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>

namespace minicorn::testing {

namespace {
trace::Region make_region() {
    std::string error;
    trace::Region r = trace::Region::create(&error, 32, 1u << 15);
    if (!r.valid()) throw std::runtime_error(error);
    return r;
}
}  // namespace

TracedServer::TracedServer(std::vector<std::string> args,
                           const std::function<void(trace::GateControl&)>& before_start)
    : region_(make_region()), gate_(region_), collector_(region_, std::chrono::milliseconds(20)) {
    if (before_start) before_start(gate_);
    // The child must inherit the region's descriptor across exec.
    int flags = ::fcntl(region_.fd(), F_GETFD);
    ::fcntl(region_.fd(), F_SETFD, flags & ~FD_CLOEXEC);
    args.insert(args.begin(), {"--trace-fd", std::to_string(region_.fd())});
    server_ = ServerProcess::start(std::move(args));
    ::fcntl(region_.fd(), F_SETFD, flags);
}

bool TracedServer::wait_until(const std::function<bool(const trace::Recording&)>& pred, Seconds timeout) {
    auto start = std::chrono::steady_clock::now();
    while (Seconds(std::chrono::steady_clock::now() - start) < timeout) {
        drain();
        if (pred(rec_)) return true;
        ::usleep(10'000);
    }
    flush();
    return pred(rec_);
}

void TracedServer::stop() {
    gate_.open();
    server_->signal(SIGTERM);
    server_->wait_exit(15s);
    ::usleep(50'000);
    flush();
}

std::vector<trace::Event> events_of(const trace::Recording& rec, trace::EventKind kind, pid_t pid) {
    std::vector<trace::Event> out;
    for (const trace::Event& e : rec.events()) {
        if (e.kind == kind && (pid == 0 || e.pid == pid)) out.push_back(e);
    }
    return out;
}

std::size_t count_of(const trace::Recording& rec, trace::EventKind kind, pid_t pid) {
    return events_of(rec, kind, pid).size();
}

}  // namespace minicorn::testing
