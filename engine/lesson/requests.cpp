// engine/lesson/requests.cpp — one thread per named request: connect, send,
// read the response until it is whole or the connection ends.
#include "engine/lesson/requests.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "engine/trace/event.h"
#include "engine/trace/region.h"

namespace minicorn::lesson {

namespace {

std::atomic<std::uint32_t> g_seq{0};

// Whether `got` holds a whole response: headers, then Content-Length bytes or
// the last chunk. *status gets the status once the status line is in.
bool whole_response(const std::string& got, int* status) {
    if (got.size() >= 12 && got.compare(0, 5, "HTTP/") == 0) *status = std::atoi(got.c_str() + 9);
    auto end = got.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    std::string head = got.substr(0, end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto cl = head.find("\ncontent-length:");
    if (cl != std::string::npos) {
        std::size_t want = std::strtoul(head.c_str() + cl + 16, nullptr, 10);
        return got.size() - (end + 4) >= want;
    }
    if (head.find("chunked") != std::string::npos) return got.ends_with("0\r\n\r\n");
    return false;  // read to EOF
}

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

std::uint64_t next_request_id() { return trace::make_id(::getpid(), ++g_seq); }

RequestSender::~RequestSender() { stop(); }

std::uint64_t RequestSender::send(const std::string& name, const std::string& method, const std::string& target,
                                  int port) {
    RequestRecord r;
    r.name = name;
    r.id = next_request_id();
    r.target = target;
    r.sent_ns = trace::now_ns();
    update(name, r);
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: minicorn-lesson\r\n" +
                          "X-Request-Id: " + std::to_string(r.id) + "\r\nConnection: close\r\n\r\n";
    threads_.emplace_back(&RequestSender::run, this, name, std::move(request), port);
    return r.id;
}

void RequestSender::run(std::string name, std::string request, int port) {
    RequestRecord r;
    {
        std::lock_guard lock(mu_);
        r = records_[name];
    }
    int fd = connect_to(port);
    std::string got;
    if (fd >= 0) {
        // The local port names the connection before the server has read the
        // X-Request-Id (in the accept queue, in a pool's queue): the studio rings it.
        sockaddr_in local{};
        socklen_t len = sizeof local;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0) {
            r.local_port = ntohs(local.sin_port);
            update(name, r);
        }
        std::string_view out = request;
        while (!out.empty()) {
            ssize_t n = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
            if (n <= 0) break;
            out.remove_prefix(static_cast<std::size_t>(n));
        }
        char buf[4096];
        while (!stopping_.load()) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) == 0) continue;
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
            r.got_bytes = true;
            if (whole_response(got, &r.status)) {
                r.complete = true;
                r.body = got.substr(got.find("\r\n\r\n") + 4, 512);
                break;
            }
            update(name, r);
        }
        ::close(fd);
    }
    if (!r.complete && r.status == 0) whole_response(got, &r.status);
    r.done_ns = trace::now_ns();
    update(name, r);
}

void RequestSender::update(const std::string& name, const RequestRecord& r) {
    std::lock_guard lock(mu_);
    records_[name] = r;
}

std::map<std::string, RequestRecord> RequestSender::records() const {
    std::lock_guard lock(mu_);
    return records_;
}

std::map<std::uint64_t, std::string> RequestSender::names() const {
    std::lock_guard lock(mu_);
    std::map<std::uint64_t, std::string> out;
    for (const auto& [name, r] : records_) out[r.id] = name;
    return out;
}

void RequestSender::stop() {
    stopping_ = true;
    for (std::thread& t : threads_) {
        if (t.joinable()) t.join();
    }
    threads_.clear();
    stopping_ = false;  // names stay taken; new requests may follow (after a restart)
}

}  // namespace minicorn::lesson
