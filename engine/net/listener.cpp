#include "engine/net/listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace minicorn::net {

Listener::Listener(BindAddress address, sys::Fd fd) : address_(std::move(address)), fd_(std::move(fd)) {}

void Listener::close(bool unlink_path) {
    fd_.reset();
    if (unlink_path && address_.family == BindAddress::Family::Unix) ::unlink(address_.path.c_str());
}

std::string python_repr(const BindAddress& a) {
    if (a.family == BindAddress::Family::Unix) return a.path;
    return "('" + a.host + "', " + std::to_string(a.port) + ")";
}

namespace {

// One attempt. Returns the socket, or -1 with errno set.
int try_bind(BindAddress& addr, const ListenOptions& options) {
    int domain = addr.family == BindAddress::Family::Unix ? AF_UNIX
                 : addr.family == BindAddress::Family::Tcp6 ? AF_INET6 : AF_INET;
    sys::Fd sock(::socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) return -1;
    int one = 1;
    ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (options.reuse_port) ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);

    sockaddr_storage ss{};
    socklen_t len = 0;
    if (domain == AF_UNIX) {
        // gunicorn removes a stale socket file, but refuses to remove anything else.
        struct stat st{};
        if (::lstat(addr.path.c_str(), &st) == 0) {
            if (!S_ISSOCK(st.st_mode)) {
                errno = EEXIST;
                return -1;
            }
            ::unlink(addr.path.c_str());
        }
        auto* un = reinterpret_cast<sockaddr_un*>(&ss);
        un->sun_family = AF_UNIX;
        if (addr.path.size() >= sizeof un->sun_path) {
            errno = ENAMETOOLONG;
            return -1;
        }
        std::memcpy(un->sun_path, addr.path.c_str(), addr.path.size() + 1);
        len = sizeof(sockaddr_un);
    } else {
        ::setsockopt(sock.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (domain == AF_INET6) {
            auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
            in6->sin6_family = AF_INET6;
            in6->sin6_port = htons(addr.port);
            ::inet_pton(AF_INET6, addr.host.c_str(), &in6->sin6_addr);
            len = sizeof(sockaddr_in6);
        } else {
            auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
            in4->sin_family = AF_INET;
            in4->sin_port = htons(addr.port);
            ::inet_pton(AF_INET, addr.host.c_str(), &in4->sin_addr);
            len = sizeof(sockaddr_in);
        }
    }
    if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return -1;
    sys::set_nonblocking(sock.get(), true);
    if (::listen(sock.get(), options.backlog) != 0) return -1;

    if (domain != AF_UNIX) {  // learn the real port when 0 was asked for
        sockaddr_storage bound{};
        socklen_t blen = sizeof bound;
        if (::getsockname(sock.get(), reinterpret_cast<sockaddr*>(&bound), &blen) == 0) {
            addr.port = ntohs(domain == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                 : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
        }
    }
    return sock.release();
}

}  // namespace

std::optional<Listener> bind_listener(const BindAddress& address, const ListenOptions& options, int* error) {
    BindAddress bound = address;
    int fd = try_bind(bound, options);
    if (fd < 0) {
        *error = errno;
        return std::nullopt;
    }
    return Listener(std::move(bound), sys::Fd(fd));
}

bool read_accept_queue(int listen_fd, AcceptQueue& out) {
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(listen_fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return false;
    out.length = info.tcpi_unacked;
    out.backlog = info.tcpi_sacked;
    return true;
}

}  // namespace minicorn::net
