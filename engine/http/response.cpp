#include "engine/http/response.h"

#include <cassert>
#include <ctime>

#include <fmt/format.h>

#include "engine/http/headers.h"
#include "engine/http/pytext.h"

namespace minicorn::http {
namespace {

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return out;
}

bool is_hop_by_hop(std::string_view lower_name) {
    constexpr std::string_view kHopHeaders[] = {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailers", "transfer-encoding", "upgrade", "server", "date",
    };
    for (std::string_view h : kHopHeaders) {
        if (h == lower_name) return true;
    }
    return false;
}

// HEADER_VALUE_RE = [ \t\x21-\x7e\x80-\xff]*: no control characters.
bool is_valid_header_value(std::string_view value) {
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7E) || c >= 0x80) continue;
        return false;
    }
    return true;
}

std::string_view strip_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_http10_or_older(const Request& r) {
    return r.version_major < 1 || (r.version_major == 1 && r.version_minor == 0);
}

}  // namespace

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100: return "Continue";
        case 101: return "Switching Protocols";
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 203: return "Non-Authoritative Information";
        case 204: return "No Content";
        case 205: return "Reset Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 406: return "Not Acceptable";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 410: return "Gone";
        case 411: return "Length Required";
        case 412: return "Precondition Failed";
        case 413: return "Request Entity Too Large";
        case 414: return "Request-URI Too Long";
        case 415: return "Unsupported Media Type";
        case 416: return "Requested Range Not Satisfiable";
        case 417: return "Expectation Failed";
        case 422: return "Unprocessable Entity";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 505: return "HTTP Version Not Supported";
        default: return "";
    }
}

std::string http_date(std::chrono::system_clock::time_point when) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    // The text changes once a second: format it once a second per thread, not per response.
    thread_local std::time_t cached_t = -1;
    thread_local std::string cached;
    if (t == cached_t) return cached;
    std::tm tm{};
    gmtime_r(&t, &tm);
    cached_t = t;
    cached = fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday,
                         kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return cached;
}

std::string error_page(int status, std::string_view reason, std::string_view message) {
    // gunicorn would fail to encode a character above U+00FF and send nothing
    // (ParseError::status is kNoResponse then); here it becomes '?'.
    const std::string mesg = py::utf8_to_latin1_replacing(py::html_escape(message));
    const std::string html = fmt::format(
        "<html>\n"
        "  <head>\n"
        "    <title>{0}</title>\n"
        "  </head>\n"
        "  <body>\n"
        "    <h1><p>{0}</p></h1>\n"
        "    {1}\n"
        "  </body>\n"
        "</html>\n",
        reason, mesg);
    return fmt::format(
        "HTTP/1.1 {} {}\r\n"
        "Connection: close\r\n"
        "Content-Type: text/html\r\n"
        "Content-Length: {}\r\n"
        "\r\n"
        "{}",
        status, reason, html.size(), html);
}

std::string error_page(const ParseError& error) {
    return error_page(error.status, error.reason(), error.page_message);
}

Response::Response(const Request& request, std::string server) : request_(request), server_(std::move(server)) {}

std::optional<ParseError> Response::start(int status, std::string_view reason, std::span<const Header> headers) {
    status_ = status;
    reason_ = std::string(reason);
    for (const Header& h : headers) {
        // gunicorn raises InvalidHeaderName('%r' % name): the message holds
        // the repr of a repr.
        if (!is_token(h.name)) {
            return make_parse_error(ParseErrorKind::InvalidHeaderName,
                                    "Invalid HTTP header name: " + py::repr_str(py::repr_latin1(h.name)));
        }
        if (!is_valid_header_value(h.value)) {
            return make_parse_error(ParseErrorKind::InvalidHeader,
                                    "Invalid HTTP Header: " + py::repr_str(py::repr_latin1(h.value)));
        }
        const std::string_view value = strip_blanks(h.value);
        const std::string lname = lower_ascii(h.name);
        if (lname == "content-length") {
            const auto n = py::parse_int(value);
            if (!n) {
                return value_error("invalid literal for int() with base 10: " + py::repr_latin1(value));
            }
            // A negative length behaves as 0 in gunicorn: nothing is ever written.
            response_length_ = *n < 0 ? 0 : static_cast<std::uint64_t>(*n);
        } else if (is_hop_by_hop(lname)) {
            if (lname == "connection" && lower_ascii(value) == "upgrade") upgrade_ = true;
            if (lname == "upgrade" && lower_ascii(value) == "websocket") {
                headers_.push_back(Header{h.name, std::string(value)});
            }
            continue;
        }
        headers_.push_back(Header{h.name, std::string(value)});
    }
    chunked_ = !response_length_ && !is_http10_or_older(request_) && request_.method != "HEAD" &&
               status_ != 204 && status_ != 304;
    return std::nullopt;
}

bool Response::should_close() const {
    if (must_close_ || request_.should_close()) return true;
    if (response_length_ || chunked_) return false;
    if (request_.method == "HEAD") return false;
    if (status_ < 200 || status_ == 204 || status_ == 304) return false;
    return true;
}

ConnectionHeader Response::connection() const {
    if (upgrade_) return ConnectionHeader::Upgrade;
    return should_close() ? ConnectionHeader::Close : ConnectionHeader::KeepAlive;
}

std::string Response::send_headers(std::chrono::system_clock::time_point now) {
    if (headers_sent_) return "";
    assert(status_ != 0 && "Response::start() must come before any write");
    headers_sent_ = true;
    std::string_view connection = "keep-alive";
    switch (this->connection()) {
        case ConnectionHeader::Upgrade: connection = "upgrade"; break;
        case ConnectionHeader::Close: connection = "close"; break;
        case ConnectionHeader::KeepAlive: break;
    }
    std::string out = fmt::format("HTTP/{}.{} {} {}\r\nServer: {}\r\nDate: {}\r\nConnection: {}\r\n",
                                  request_.version_major, request_.version_minor, status_, reason_, server_,
                                  http_date(now), connection);
    if (chunked_) out += "Transfer-Encoding: chunked\r\n";
    for (const Header& h : headers_) {
        out += h.name;
        out += ": ";
        out += h.value;
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

std::string Response::write(std::string_view data) {
    std::string out = send_headers();
    if (request_.method == "HEAD") return out;  // deliberate: see the header comment
    std::size_t tosend = data.size();
    if (response_length_) {
        if (sent_ >= *response_length_) return out;  // never more than Content-Length
        const std::uint64_t left = *response_length_ - sent_;
        if (left < tosend) tosend = static_cast<std::size_t>(left);
    }
    if (chunked_ && tosend == 0) return out;
    sent_ += tosend;
    if (chunked_) {
        out += fmt::format("{:X}\r\n", tosend);
        out.append(data.substr(0, tosend));
        out += "\r\n";
    } else {
        out.append(data.substr(0, tosend));
    }
    return out;
}

std::string Response::close() {
    std::string out = send_headers();
    if (chunked_) out += "0\r\n\r\n";
    return out;
}

}  // namespace minicorn::http
