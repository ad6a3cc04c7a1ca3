#include "engine/http/uri.h"

#include <arpa/inet.h>

#include <algorithm>

namespace minicorn::http {
namespace {

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex_digit(char c) { return hex_digit_value(c) >= 0; }
bool is_scheme_char(char c) {
    return is_ascii_alpha(c) || is_ascii_digit(c) || c == '+' || c == '-' || c == '.';
}

// ipaddress.ip_address(host) succeeds with an IPv6 address. An IPv4 address
// inside brackets is refused by urlsplit, so only IPv6 counts here.
bool is_valid_ipv6(std::string_view host) {
    std::string_view addr = host;
    if (const auto pct = host.find('%'); pct != std::string_view::npos) {
        const std::string_view scope = host.substr(pct + 1);
        if (scope.empty() || scope.find('%') != std::string_view::npos) return false;
        addr = host.substr(0, pct);
    }
    const std::string text(addr);
    if (text.find('\0') != std::string::npos) return false;
    unsigned char buf[16];
    return inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// urllib.parse._check_bracketed_host
bool bracketed_host_ok(std::string_view host) {
    if (!host.empty() && host.front() == 'v') {
        // \Av[a-fA-F0-9]+\..+\Z
        std::size_t i = 1;
        while (i < host.size() && is_hex_digit(host[i])) ++i;
        return i > 1 && i < host.size() && host[i] == '.' && i + 1 < host.size();
    }
    return is_valid_ipv6(host);
}

// urllib.parse._check_bracketed_netloc
bool bracketed_netloc_ok(std::string_view netloc) {
    const auto at = netloc.rfind('@');
    const std::string_view host_and_port = at == std::string_view::npos ? netloc : netloc.substr(at + 1);
    const auto open = host_and_port.find('[');
    std::string_view host;
    if (open != std::string_view::npos) {
        if (open != 0) return false;  // nothing may come before the bracket
        const std::string_view bracketed = host_and_port.substr(1);
        const auto close = bracketed.find(']');
        host = bracketed.substr(0, close);
        const std::string_view port = close == std::string_view::npos ? std::string_view{} : bracketed.substr(close + 1);
        if (!port.empty() && port.front() != ':') return false;
    } else {
        host = host_and_port.substr(0, host_and_port.find(':'));
    }
    return bracketed_host_ok(host);
}

std::optional<UriParts> urlsplit(std::string url) {
    const auto first_kept = std::find_if(url.begin(), url.end(),
                                         [](char c) { return static_cast<unsigned char>(c) > 0x20; });
    url.erase(url.begin(), first_kept);
    std::erase_if(url, [](char c) { return c == '\t' || c == '\r' || c == '\n'; });

    std::string_view rest = url;
    const auto colon = rest.find(':');
    if (colon != std::string_view::npos && colon > 0 && is_ascii_alpha(rest[0]) &&
        std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(colon), is_scheme_char)) {
        rest.remove_prefix(colon + 1);
    }
    if (rest.substr(0, 2) == "//") {
        const auto delim = std::min({rest.find('/', 2), rest.find('?', 2), rest.find('#', 2), rest.size()});
        const std::string_view netloc = rest.substr(2, delim - 2);
        rest.remove_prefix(delim);
        const bool open = netloc.find('[') != std::string_view::npos;
        const bool close = netloc.find(']') != std::string_view::npos;
        if (open != close) return std::nullopt;  // "Invalid IPv6 URL"
        if (open && !bracketed_netloc_ok(netloc)) return std::nullopt;
        // _checknetloc's NFKC test cannot fire: no latin-1 character
        // normalises to one of "/?#@:".
    }
    UriParts parts;
    if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
        parts.fragment = std::string(rest.substr(hash + 1));
        rest = rest.substr(0, hash);
    }
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        parts.query = std::string(rest.substr(q + 1));
        rest = rest.substr(0, q);
    }
    parts.path = std::string(rest);
    return parts;
}

}  // namespace

std::optional<UriParts> split_request_uri(std::string_view uri) {
    if (uri.substr(0, 2) == "//") {
        // urlsplit would read "//host/x" as a netloc; gunicorn wants a path.
        std::string dotted;
        dotted.reserve(uri.size() + 1);
        dotted += '.';
        dotted += uri;
        auto parts = urlsplit(std::move(dotted));
        if (parts && !parts->path.empty()) parts->path.erase(0, 1);
        return parts;
    }
    return urlsplit(std::string(uri));
}

std::string percent_decode(std::string_view text, PlusAsSpace plus) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+' && plus == PlusAsSpace::Yes) {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() && is_hex_digit(text[i + 1]) && is_hex_digit(text[i + 2])) {
            out += static_cast<char>(hex_digit_value(text[i + 1]) * 16 + hex_digit_value(text[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace minicorn::http
