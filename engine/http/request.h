// engine/http/request.h — one parsed HTTP/1.x request, as gunicorn's
// http.message.Request holds it.
//
// Plain data: produced by RequestParser (parser.h), read by the worker and the
// application. No I/O, no threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minicorn::http {

// A header as gunicorn 20.1 stores it: the name upper-cased ("CONTENT-LENGTH"),
// the value with leading spaces and tabs stripped but trailing ones kept
// ("close " stays "close "), obs-fold continuation lines joined with one space.
// Values are the raw bytes (gunicorn reads them as latin-1).
struct Header {
    std::string name;
    std::string value;
};

struct Request {
    std::string method;      // "GET"
    std::string uri;         // the raw request-target, as sent: "/io?ms=50"
    std::string path;        // "/io" (percent-decoding is left to the application)
    std::string query;       // "ms=50" (without '?'), empty if none
    std::string fragment;    // after '#', empty if none
    int version_major = 1;
    int version_minor = 1;
    std::vector<Header> headers;   // in arrival order, duplicates kept
    std::vector<Header> trailers;  // chunked trailers, same form
    std::string body;              // the whole decoded body
    bool chunked = false;                        // Transfer-Encoding: chunked
    std::optional<std::uint64_t> content_length; // Content-Length, if given
    std::string scheme = "http";   // wsgi.url_scheme: "https" via a trusted X-Forwarded-Proto etc.

    // First header named `upper_name` (which must be upper case), or nullptr.
    const std::string* header(std::string_view upper_name) const;

    // "HTTP/1.1"
    std::string protocol() const;

    // gunicorn's Message.should_close(): the client asked for the connection
    // to end — "Connection: close", or HTTP/1.0 without "keep-alive".
    bool should_close() const;

    // gunicorn's wsgi.create(): an "Expect" header whose value is
    // "100-continue" (any case, surrounding spaces not stripped) asks for
    // kContinueResponse before the client sends the body.
    bool expects_continue() const;
};

// What gunicorn 20.1 (and uvicorn) send for Expect: 100-continue.
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace minicorn::http
