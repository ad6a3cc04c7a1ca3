#include "engine/http/headers.h"

#include <algorithm>
#include <array>

#include "engine/http/pytext.h"

namespace minicorn::http {
namespace {

bool is_token_char(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    constexpr std::string_view kPunct = "!#$%&'*+-.^_`|~";
    return kPunct.find(c) != std::string_view::npos;
}

std::string_view strip(std::string_view s, std::string_view chars, bool left, bool right) {
    while (left && !s.empty() && chars.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
    while (right && !s.empty() && chars.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
    return s;
}

// ASCII-only lower-casing is enough: no latin-1 character lower-cases into
// ASCII, so Python's str.lower() compares the same against ASCII words.
bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
               return lower(x) == lower(y);
           });
}

// gunicorn's default secure_scheme_headers: name → the value meaning https.
struct SecureSchemeHeader {
    std::string_view name;
    std::string_view secure_value;
};
constexpr std::array<SecureSchemeHeader, 3> kSecureSchemeHeaders{{
    {"X-FORWARDED-PROTOCOL", "ssl"},
    {"X-FORWARDED-PROTO", "https"},
    {"X-FORWARDED-SSL", "on"},
}};

}  // namespace

bool is_token(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

std::optional<ParseError> parse_header_block(std::string_view block, const Limits& limits,
                                             SchemeHeaders scheme_headers, std::vector<Header>& out,
                                             std::string& scheme) {
    std::vector<std::string_view> lines;
    for (std::size_t pos = 0;;) {
        const auto crlf = block.find("\r\n", pos);
        lines.push_back(block.substr(pos, crlf == std::string_view::npos ? std::string_view::npos : crlf - pos));
        if (crlf == std::string_view::npos) break;
        pos = crlf + 2;
    }

    const std::size_t field_limit = limits.limit_request_field_size;  // 0 = unlimited
    const std::size_t count_before = out.size();
    bool scheme_header_seen = false;
    for (std::size_t i = 0; i < lines.size();) {
        if (out.size() - count_before >= limits.limit_request_fields) {
            return limit_request_headers("limit request headers fields");
        }
        std::string_view line = lines[i++];
        std::size_t header_length = line.size() + 2;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) return invalid_header(line);

        std::string name = py::upper_latin1(line.substr(0, colon));
        if (!is_token(name)) return invalid_header_name(name);

        std::string value(strip(line.substr(colon + 1), " \t", true, false));
        // obs-fold: a following line starting with SP or HTAB continues the value.
        while (i < lines.size() && !lines[i].empty() && (lines[i].front() == ' ' || lines[i].front() == '\t')) {
            line = lines[i++];
            header_length += line.size() + 2;
            if (field_limit > 0 && header_length > field_limit) {
                return limit_request_headers("limit request headers fields size");
            }
            value += ' ';
            value += strip(line, "\t ", true, true);
        }
        if (field_limit > 0 && header_length > field_limit) {
            return limit_request_headers("limit request headers fields size");
        }

        if (scheme_headers == SchemeHeaders::Trusted) {
            for (const SecureSchemeHeader& h : kSecureSchemeHeaders) {
                if (name != h.name) continue;
                const std::string_view this_scheme = value == h.secure_value ? "https" : "http";
                if (scheme_header_seen) {
                    if (this_scheme != scheme) return invalid_scheme_headers();
                } else {
                    scheme_header_seen = true;
                    scheme = this_scheme;
                }
            }
        }
        out.push_back(Header{std::move(name), std::move(value)});
    }
    return std::nullopt;
}

std::optional<ParseError> decide_body_framing(const Request& request, BodyFraming& framing) {
    bool chunked = false;
    const std::string* content_length = nullptr;
    for (const Header& h : request.headers) {
        if (h.name == "CONTENT-LENGTH") {
            if (content_length != nullptr) return invalid_header("CONTENT-LENGTH");
            content_length = &h.value;
        } else if (h.name == "TRANSFER-ENCODING") {
            // Compared whole: "gzip, chunked" and even "chunked " (trailing
            // space, which parse_headers keeps) are unsupported codings.
            if (iequals(h.value, "chunked")) {
                if (chunked) return invalid_header("TRANSFER-ENCODING");  // stacked chunking
                chunked = true;
            } else if (iequals(h.value, "identity")) {
                if (chunked) return invalid_header("TRANSFER-ENCODING");
            } else {
                // Also the empty value; tolerate_dangerous_framing (off by
                // default) would only let that one through.
                return unsupported_transfer_coding(h.value);
            }
        }
    }

    if (chunked) {
        // RFC 9112 §6.1 framing hazards, refused since the CVE-2024-1135
        // backport: chunked on HTTP/1.0, and chunked together with
        // Content-Length (gunicorn HEAD does the same).
        if (request.version_major < 1 || (request.version_major == 1 && request.version_minor < 1)) {
            return invalid_header("TRANSFER-ENCODING");
        }
        if (content_length != nullptr) return invalid_header("CONTENT-LENGTH");
        framing.chunked = true;
        return std::nullopt;
    }
    if (content_length != nullptr) {
        // Python's int(): "+5", " 5 ", "1_0" and "-0" pass; HEAD is stricter
        // and accepts digits only.
        const auto n = py::parse_int(*content_length);
        if (!n || *n < 0) return invalid_header("CONTENT-LENGTH");
        framing.has_content_length = true;
        framing.content_length = static_cast<std::uint64_t>(*n);
    }
    return std::nullopt;
}

}  // namespace minicorn::http
