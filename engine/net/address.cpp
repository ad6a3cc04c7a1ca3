#include "engine/net/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <cstring>

namespace minicorn::net {

std::string BindAddress::url() const {
    switch (family) {
        case Family::Unix: return "unix:" + path;
        case Family::Tcp6: return "http://[" + host + "]:" + std::to_string(port);
        case Family::Tcp4: break;
    }
    return "http://" + host + ":" + std::to_string(port);
}

std::variant<BindAddress, std::string> parse_bind_address(std::string_view text) {
    BindAddress addr;
    if (text.starts_with("unix:") || text.starts_with("unix://")) {
        std::string_view path = text.substr(text.starts_with("unix://") ? 7 : 5);
        if (path.empty()) return std::string("unix: needs a path, e.g. unix:/tmp/minicorn.sock");
        addr.family = BindAddress::Family::Unix;
        addr.path = std::string(path);
        return addr;
    }
    if (text.starts_with("tcp://")) text.remove_prefix(6);

    std::string_view host = text;
    std::string_view port_text;
    if (text.starts_with("[")) {
        auto close = text.find(']');
        if (close == std::string_view::npos) return "'" + std::string(text) + "': missing ']' after an IPv6 address";
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return "'" + std::string(text) + "': expected ':PORT' after ']'";
            port_text = rest.substr(1);
        }
    } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    int port = 8000;
    if (!port_text.empty() || text.ends_with(":")) {
        auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port < 0 ||
            port > 65535) {
            return "'" + std::string(text) + "': the port must be a number from 0 to 65535";
        }
    }
    addr.port = static_cast<std::uint16_t>(port);
    std::string host_str = host.empty() ? "0.0.0.0" : std::string(host);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* res = nullptr;
    if (int rc = ::getaddrinfo(host_str.c_str(), nullptr, &hints, &res); rc != 0 || !res) {
        return "'" + std::string(text) + "': cannot resolve host '" + host_str + "': " + ::gai_strerror(rc);
    }
    char buf[INET6_ADDRSTRLEN] = {};
    if (res->ai_family == AF_INET6) {
        addr.family = BindAddress::Family::Tcp6;
        ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr, buf, sizeof buf);
    } else {
        addr.family = BindAddress::Family::Tcp4;
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, buf, sizeof buf);
    }
    ::freeaddrinfo(res);
    addr.host = buf;
    return addr;
}

}  // namespace minicorn::net
