// engine/compare/idle_conns.cpp — open, ask once, sit idle, count.
#include "engine/compare/idle_conns.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace minicorn::compare {

namespace {

constexpr std::string_view kRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// The response to GET / is small: it is complete once the head has ended and
// the body ("Hello, World!") is in. A read that returns 0 ends it too.
bool response_done(std::string_view got) {
    auto end = got.find("\r\n\r\n");
    return end != std::string_view::npos && got.size() >= end + 4 + 13;
}

}  // namespace

IdleConnections::~IdleConnections() { finish(); }

void IdleConnections::open(int port, int n, std::chrono::milliseconds setup) {
    conns_.assign(static_cast<std::size_t>(n), Conn{});
    std::vector<std::string> bufs(conns_.size());
    std::vector<bool> sent(conns_.size(), false);
    for (Conn& c : conns_) c.fd = connect_to(port);
    const auto until = std::chrono::steady_clock::now() + setup;
    while (answered_ < n && std::chrono::steady_clock::now() < until) {
        std::vector<pollfd> fds;
        std::vector<std::size_t> which;
        for (std::size_t i = 0; i < conns_.size(); ++i) {
            if (conns_[i].fd < 0 || conns_[i].answered) continue;
            fds.push_back(pollfd{conns_[i].fd, static_cast<short>(sent[i] ? POLLIN : POLLOUT), 0});
            which.push_back(i);
        }
        if (fds.empty() || ::poll(fds.data(), fds.size(), 50) <= 0) continue;
        for (std::size_t k = 0; k < fds.size(); ++k) {
            if (!fds[k].revents) continue;
            const std::size_t i = which[k];
            Conn& c = conns_[i];
            if (!sent[i]) {
                ssize_t w = ::send(c.fd, kRequest.data(), kRequest.size(), MSG_NOSIGNAL);
                if (w == static_cast<ssize_t>(kRequest.size())) {
                    sent[i] = true;
                } else if (w < 0 && errno != EAGAIN) {
                    ::close(c.fd);
                    c.fd = -1;
                }
                continue;
            }
            char buf[4096];
            ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
            if (r > 0) bufs[i].append(buf, static_cast<std::size_t>(r));
            if (r > 0 && response_done(bufs[i])) {
                c.answered = true;
                ++answered_;
            } else if (r == 0 || (r < 0 && errno != EAGAIN)) {
                if (response_done(bufs[i])) ++answered_;
                ::close(c.fd);
                c.fd = -1;
            }
        }
    }
}

IdleCount IdleConnections::finish() {
    IdleCount out;
    out.wanted = static_cast<int>(conns_.size());
    out.answered = answered_;
    for (Conn& c : conns_) {
        if (c.fd < 0) {
            ++out.closed;
            continue;
        }
        char byte;
        ssize_t r = ::recv(c.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ++(c.answered ? out.held : out.waiting);
        else ++out.closed;  // 0: the server closed it; an error: it was reset
        ::close(c.fd);
        c.fd = -1;
    }
    conns_.clear();
    answered_ = 0;
    return out;
}

}  // namespace minicorn::compare
