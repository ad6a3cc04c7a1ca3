#include "engine/wsgi/db_backend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <string>

namespace minicorn::wsgi {

namespace {

std::uint16_t g_db_port = 0;

using Clock = std::chrono::steady_clock;

// The backend's loop: accept, read "N\n", answer after N ms. One thread, epoll.
[[noreturn]] void run_backend(int listen_fd) {
    ::prctl(PR_SET_NAME, "minicorn-db", 0, 0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    ::signal(SIGTERM, SIG_DFL);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGQUIT, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    // Nothing the master had open is the backend's business: above all not the
    // server's listening socket, which would otherwise show this process among
    // its owners (ss -ltnp) and outlive a master that died.
    if (listen_fd > 3) ::close_range(3, static_cast<unsigned>(listen_fd) - 1, 0);
    ::close_range(static_cast<unsigned>(listen_fd) + 1, ~0U, 0);
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listen_fd;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev);
    std::map<int, std::string> reading;                      // fd → bytes so far
    std::multimap<Clock::time_point, std::pair<int, std::uint32_t>> due;  // answer time → (fd, ms)
    while (true) {
        int timeout = -1;
        if (!due.empty()) {
            auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due.begin()->first - Clock::now());
            timeout = static_cast<int>(std::max<long long>(0, wait.count()));
        }
        epoll_event events[64];
        int n = ::epoll_wait(ep, events, 64, timeout);
        for (int i = 0; i < n; ++i) {
            int fd = events[i].data.fd;
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
            std::string& got = reading[fd];
            got.append(buf, static_cast<std::size_t>(r));
            if (auto nl = got.find('\n'); nl != std::string::npos) {
                auto ms = static_cast<std::uint32_t>(std::strtoul(got.c_str(), nullptr, 10));
                ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
                reading.erase(fd);
                due.emplace(Clock::now() + std::chrono::milliseconds(ms), std::make_pair(fd, ms));
            }
        }
        auto now = Clock::now();
        while (!due.empty() && due.begin()->first <= now) {
            auto [fd, ms] = due.begin()->second;
            std::string answer = "ok " + std::to_string(ms) + "\n";
            [[maybe_unused]] ssize_t w = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
            ::close(fd);
            due.erase(due.begin());
        }
    }
}

}  // namespace

pid_t start_db_backend(std::uint16_t& port, std::string* error) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 1024) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        if (error) *error = std::string("the /db backend cannot listen: ") + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return -1;
    }
    port = ntohs(addr.sin_port);
    pid_t pid = ::fork();
    if (pid == 0) run_backend(fd);
    ::close(fd);
    if (pid < 0 && error) *error = std::string("fork of the /db backend: ") + std::strerror(errno);
    return pid;
}

void set_db_port(std::uint16_t port) { g_db_port = port; }
std::uint16_t db_port() { return g_db_port; }

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
    std::string q = std::to_string(ms) + "\n";
    ok = ok && ::send(fd, q.data(), q.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(q.size());
    char buf[64];
    ssize_t got = 0;
    while (ok) {
        got = ::recv(fd, buf, sizeof buf, 0);
        if (got < 0 && errno == EINTR) continue;
        break;
    }
    ok = ok && got > 0;
    if (!ok && error) *error = std::string("the /db backend did not answer: ") + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return ok;
}

}  // namespace minicorn::wsgi
