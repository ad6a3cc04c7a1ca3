#include "engine/http/tornado_wire.h"

#include <cctype>

#include <fmt/format.h>

namespace minicorn::http::tornado {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// HTTPHeaders keeps values stripped of surrounding whitespace.
std::string_view strip(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

}  // namespace

Limits tornado_limits() {
    Limits l = Limits::from_settings(0, static_cast<long long>(kMaxHeaders), 0);
    l.max_head = kMaxHeaderSize;
    l.max_body = kMaxBodySize;
    l.max_chunk_line = kMaxChunkLine;
    return l;
}

bool answers_bad_request(const ParseError& error) {
    return error.kind != ParseErrorKind::HeadTooLarge && error.kind != ParseErrorKind::LimitChunkLine;
}

bool expects_continue(const Request& req) {
    const std::string* v = req.header("EXPECT");
    return v != nullptr && strip(*v) == "100-continue";
}

bool can_keep_alive(const Request& req) {
    const std::string* h = req.header("CONNECTION");
    const std::string conn_header = h ? lower(strip(*h)) : std::string();
    if (req.version_major == 1 && req.version_minor == 1) return conn_header != "close";
    const std::string* te = req.header("TRANSFER-ENCODING");
    if (req.content_length || (te && lower(*te) == "chunked") || req.method == "HEAD" || req.method == "GET") {
        return conn_header == "keep-alive";
    }
    return false;
}

std::string format_response(const Request& req, int status, std::string_view reason,
                            const std::vector<Header>& headers, const std::string& body) {
    bool has_length = false;
    bool has_type = false;
    bool has_server = false;
    std::string out = fmt::format("HTTP/1.1 {} {}\r\n", status, reason);
    for (const Header& h : headers) {
        const std::string name = lower(h.name);
        has_length = has_length || name == "content-length";
        has_type = has_type || name == "content-type";
        has_server = has_server || name == "server";
        out += fmt::format("{}: {}\r\n", h.name, h.value);
    }
    if (status != 304) {
        if (!has_length) out += fmt::format("Content-Length: {}\r\n", body.size());
        if (!has_type) out += "Content-Type: text/html; charset=UTF-8\r\n";
    }
    if (!has_server) out += fmt::format("Server: {}\r\n", kServerHeader);
    const std::string* conn = req.header("CONNECTION");
    if (req.version_major == 1 && req.version_minor == 0 && conn && lower(strip(*conn)) == "keep-alive") {
        out += "Connection: Keep-Alive\r\n";
    }
    out += "\r\n";
    if (req.method != "HEAD") out += body;
    return out;
}

}  // namespace minicorn::http::tornado
