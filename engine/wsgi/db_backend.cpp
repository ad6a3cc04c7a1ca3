// engine/wsgi/db_backend.cpp — see db_backend.h.
#include "engine/wsgi/db_backend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <string>

#include "engine/trace/emit.h"

namespace minicorn::wsgi {

namespace {

std::uint16_t g_db_port = 0;

// pidfd_open(2) and pidfd_send_signal(2) by syscall: glibc 2.36's
// <sys/pidfd.h> declares them without extern "C".
int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U)); }
int pidfd_send_signal(int pidfd, int sig) { return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0U)); }

using Clock = std::chrono::steady_clock;

// Closes every descriptor from 3 up but `keep_a` and `keep_b`.
void close_all_but(int keep_a, int keep_b) {
    const auto lo = static_cast<unsigned>(std::min(keep_a, keep_b));
    const auto hi = static_cast<unsigned>(std::max(keep_a, keep_b));
    if (lo > 3) ::close_range(3, lo - 1, 0);
    if (hi > lo + 1) ::close_range(lo + 1, hi - 1, 0);
    ::close_range(hi + 1, ~0U, 0);
}

// The backend's loop: accept, read "N\n", answer after N ms. One thread, epoll.
// Leaves when `owner_fd` (a pidfd of the master) says the master has exited.
[[noreturn]] void run_backend(int listen_fd, int owner_fd) {
    ::prctl(PR_SET_NAME, "minicorn-db", 0, 0, 0);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Nothing the master had open is the backend's business: above all not the
    // server's listening socket, which would otherwise show this process among
    // its owners (ss -ltnp) and outlive a master that died.
    close_all_but(listen_fd, owner_fd);
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    for (int fd : {listen_fd, owner_fd}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    std::map<int, std::string> reading;                      // fd → bytes so far
    // Answer times are engine time (the backend shares the master's trace
    // region): a paused engine holds the queries too; the loop wakes at most
    // kEngineRecheckNs apart to read the engine clock again.
    std::multimap<std::int64_t, std::pair<int, std::uint32_t>> due;  // answer time (engine ns) → (fd, ms)
        // One query at a time per connection, as a database session: while one is
    // due the connection is not read; bytes already read wait their turn.
    auto schedule_next = [&](int fd) {
        std::string& got = reading[fd];
        auto nl = got.find('\n');
        if (nl == std::string::npos) return;
        auto ms = static_cast<std::uint32_t>(std::strtoul(got.c_str(), nullptr, 10));
        got.erase(0, nl + 1);
        ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
        due.emplace(trace::engine_now_ns() + std::int64_t{ms} * 1'000'000, std::make_pair(fd, ms));
    };
    while (true) {
        int timeout = -1;
        if (!due.empty()) {
            const std::int64_t wait_ns = std::clamp<std::int64_t>(due.begin()->first - trace::engine_now_ns(), 0,
                                                                  trace::kEngineRecheckNs);
            timeout = static_cast<int>((wait_ns + 999'999) / 1'000'000);
        }
        epoll_event events[64];
        int n = ::epoll_wait(ep, events, 64, timeout);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
            if (fd == owner_fd) ::_exit(0);  // the master has exited
            if (fd == listen_fd) {
                int c;
                while ((c = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    epoll_event cev{};
                    cev.events = EPOLLIN;
                    cev.data.fd = c;
                    ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
                    reading[c];
                }
                continue;
            }
            char buf[64];
            ssize_t r = ::recv(fd, buf, sizeof buf, 0);
            if (r <= 0) {
                ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
                ::close(fd);
                reading.erase(fd);
                continue;
            }
            reading[fd].append(buf, static_cast<std::size_t>(r));
            schedule_next(fd);
        }
        const std::int64_t now = trace::engine_now_ns();
        while (!due.empty() && due.begin()->first <= now) {
            auto [fd, ms] = due.begin()->second;
            std::string answer = "ok " + std::to_string(ms) + "\n";
            [[maybe_unused]] ssize_t w = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
            due.erase(due.begin());
            // The connection stays open for the next query (an app's import-time
            // connection reuses it); a per-request client closes it, and the
            // EOF closes it here.
            epoll_event cev{};
            cev.events = EPOLLIN;
            cev.data.fd = fd;
            ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
            schedule_next(fd);
        }
    }
}

// The middle process of the double fork: watches the master (`owner`), forks
// the backend, tells the master its pid through `pid_pipe`, and leaves.
[[noreturn]] void run_intermediate(pid_t owner, int listen_fd, int pid_pipe) {
    pid_t backend = -1;
    int owner_fd = pidfd_open(owner);
    // The pidfd is the master's only if the master is still our parent;
    // after that, its exit shows on the pidfd whenever it happens.
    if (owner_fd >= 0 && ::getppid() == owner) backend = ::fork();
    if (backend == 0) run_backend(listen_fd, owner_fd);
    [[maybe_unused]] ssize_t w = ::write(pid_pipe, &backend, sizeof backend);
    ::_exit(backend > 0 ? 0 : 1);
}

}  // namespace

pid_t start_db_backend(std::uint16_t& port, std::string* error) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int pid_pipe[2] = {-1, -1};
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1024) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || ::pipe2(pid_pipe, O_CLOEXEC) != 0) {
        if (error) *error = std::string("the /db backend cannot listen: ") + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return -1;
    }
    port = ntohs(addr.sin_port);
    const pid_t owner = ::getpid();
    pid_t middle = ::fork();
    if (middle == 0) {
        ::close(pid_pipe[0]);
        run_intermediate(owner, fd, pid_pipe[1]);
    }
    ::close(fd);
    ::close(pid_pipe[1]);
    pid_t backend = -1;
    if (middle > 0) {
        while (::read(pid_pipe[0], &backend, sizeof backend) < 0 && errno == EINTR) {
        }
        while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    ::close(pid_pipe[0]);
    if (backend <= 0 && error) *error = std::string("fork of the /db backend: ") + std::strerror(errno);
    return backend > 0 ? backend : -1;
}

void stop_db_backend(pid_t pid, std::chrono::milliseconds timeout) {
    if (pid <= 0) return;
    // The pidfd first: once it is open, the pid cannot name another process.
    int pidfd = pidfd_open(pid);
    if (pidfd < 0) return;  // gone already
    pidfd_send_signal(pidfd, SIGTERM);
    pollfd p{pidfd, POLLIN, 0};
    const auto deadline = Clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) > 0) break;
    }
    ::close(pidfd);
}

void set_db_port(std::uint16_t port) { g_db_port = port; }
std::uint16_t db_port() { return g_db_port; }

bool db_query_on(int fd, std::uint32_t ms, const std::function<void()>& on_interrupt, std::string* error) {
    std::string q = std::to_string(ms) + "\n";
    std::string_view out = q;
    while (!out.empty()) {
        ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            if (on_interrupt) on_interrupt();
            continue;
        }
        if (n <= 0) break;
        out.remove_prefix(static_cast<std::size_t>(n));
    }
    bool ok = out.empty();
    char c = 0;
    while (ok && c != '\n') {  // the answer's line, byte by byte: the next answer is the next query's
        // The answer comes in engine time: while the engine is paused, wake
        // now and then so a learner's step can move this thread.
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(trace::kEngineRecheckNs / 1'000'000));
        if (ready == 0) {
            if (trace::engine_paused()) trace::take_app_step();
            continue;
        }
        if (ready < 0 && errno == EINTR) {
            if (on_interrupt) on_interrupt();
            continue;
        }
        ssize_t got = ::recv(fd, &c, 1, 0);
        if (got < 0 && errno == EINTR) {
            if (on_interrupt) on_interrupt();
            continue;
        }
        ok = got == 1;
    }
    if (!ok && error) *error = std::string("the /db backend did not answer: ") + std::strerror(errno);
    return ok;
}

bool db_query_blocking(std::uint32_t ms, std::string* error) {
    if (g_db_port == 0) {
        if (error) *error = "no /db backend is running";
        return false;
    }
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(g_db_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (!ok && error) *error = std::string("the /db backend did not answer: ") + std::strerror(errno);
    ok = ok && db_query_on(fd, ms, nullptr, error);
    if (fd >= 0) ::close(fd);
    return ok;
}

}  // namespace minicorn::wsgi
