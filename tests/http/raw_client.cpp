#include "tests/http/raw_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>

namespace minicorn::http::testing {

namespace {

// Waits for `fd` to be readable until `deadline`; then one recv(). >0 bytes,
// 0 at EOF, -1 on reset, -2 on timeout.
ssize_t recv_before(int fd, std::string& data, std::chrono::steady_clock::time_point deadline) {
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        char buf[65536];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) data.append(buf, static_cast<std::size_t>(n));
        return n < 0 ? -1 : n;
    }
    return -2;
}

std::chrono::steady_clock::time_point after(Seconds timeout) {
    return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
}

}  // namespace

bool send_bytes(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::size_t send_filler(int fd, std::size_t total) {
    const std::string piece(64 * 1024, 'x');
    std::size_t sent = 0;
    while (sent < total) {
        const std::size_t n = std::min(piece.size(), total - sent);
        if (!send_bytes(fd, std::string_view(piece).substr(0, n))) break;
        sent += n;
    }
    return sent;
}

bool read_until(int fd, std::string& data, std::string_view needle, Seconds timeout) {
    const auto deadline = after(timeout);
    while (data.find(needle) == std::string::npos) {
        if (recv_before(fd, data, deadline) <= 0) return false;
    }
    return true;
}

bool read_to_close(int fd, std::string& data, Seconds timeout) {
    const auto deadline = after(timeout);
    while (true) {
        const ssize_t n = recv_before(fd, data, deadline);
        if (n == -2) return false;
        if (n <= 0) return true;
    }
}

std::string read_response(int fd, Seconds timeout) {
    const auto deadline = after(timeout);
    std::string data;
    while (true) {
        const auto head_end = data.find("\r\n\r\n");
        if (head_end != std::string::npos) {
            const auto cl = data.find("Content-Length: ");
            const std::size_t len = cl == std::string::npos ? 0 : std::stoul(data.substr(cl + 16));
            if (data.size() >= head_end + 4 + len) return data;
        }
        if (recv_before(fd, data, deadline) <= 0) return "";
    }
}

long peak_rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (status >> key) {
        if (key == "VmHWM:") {
            long kib = -1;
            status >> kib;
            return kib;
        }
    }
    return -1;
}

}  // namespace minicorn::http::testing
