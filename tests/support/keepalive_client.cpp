// tests/support/keepalive_client.cpp — see keepalive_client.h.
#include "tests/support/keepalive_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <chrono>

namespace minicorn::testing {

namespace {
Seconds since(std::chrono::steady_clock::time_point start) { return std::chrono::steady_clock::now() - start; }
}  // namespace

std::string read_response(int fd, Seconds timeout) {
    std::string data;
    auto start = std::chrono::steady_clock::now();
    char buf[4096];
    while (since(start) < timeout) {
        auto head_end = data.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            auto cl = data.find("Content-Length: ");
            std::size_t len = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
            if (data.size() >= head_end + 4 + len) return data;
        }
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    return data;
}

std::string get_on(int fd, std::string_view path, Seconds timeout) {
    std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    return read_response(fd, timeout);
}

bool still_open(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 0;
}

double seconds_until_eof(int fd, Seconds timeout) {
    auto start = std::chrono::steady_clock::now();
    char buf[256];
    while (since(start) < timeout) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        if (::recv(fd, buf, sizeof buf, 0) <= 0) return since(start).count();
    }
    return -1;
}

}  // namespace minicorn::testing
