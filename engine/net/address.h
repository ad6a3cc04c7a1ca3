// engine/net/address.h — bind addresses, as gunicorn's util.parse_address reads them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace minicorn::net {

struct BindAddress {
    enum class Family { Tcp4, Tcp6, Unix };
    Family family = Family::Tcp4;
    std::string host;        // "127.0.0.1", "::1" (no brackets); empty for Unix
    std::uint16_t port = 0;  // 0: the kernel picks one (useful for tests)
    std::string path;        // for Unix

    // As gunicorn prints a listener: "http://127.0.0.1:8000", "http://[::1]:8000",
    // "unix:/tmp/x.sock".
    std::string url() const;
};

// "HOST", "HOST:PORT", "[V6]:PORT", "unix:PATH". Host names are resolved
// (first address wins). Returns the address or an error message.
std::variant<BindAddress, std::string> parse_bind_address(std::string_view text);

}  // namespace minicorn::net
