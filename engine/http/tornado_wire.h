// engine/http/tornado_wire.h — what tornado 6.2 (HTTP1Connection, IOStream,
// WSGIContainer) says on the wire where it differs from gunicorn: its limits,
// its answers, its keep-alive rule and its response head. The tornado model
// (models/tornado) parses with RequestParser under tornado_limits() and
// answers with these.
//
// Plain functions and constants; no I/O, no threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http/errors.h"
#include "engine/http/limits.h"
#include "engine/http/request.h"

namespace minicorn::http::tornado {

// HTTP1ConnectionParameters.max_header_size's default: the request line and
// headers, up to the blank line that ends them.
inline constexpr std::size_t kMaxHeaderSize = 64 * 1024;
// max_body_size's default: the IOStream's max_buffer_size, 100 MiB.
inline constexpr std::uint64_t kMaxBodySize = 100 * 1024 * 1024;
// _read_chunked_body: read_until(b"\r\n", max_bytes=64) for a chunk-size line.
inline constexpr std::size_t kMaxChunkLine = 64;
// The Server header WSGIContainer adds (tornado.version).
inline constexpr std::string_view kServerHeader = "TornadoServer/6.2";

// _read_message, for "Expect: 100-continue" (sent at once, before the body).
inline constexpr std::string_view kContinueResponse = "HTTP/1.1 100 (Continue)\r\n\r\n";
// _read_message, for an HTTPInputError: "Malformed HTTP message", then close.
inline constexpr std::string_view kBadRequestResponse = "HTTP/1.1 400 Bad Request\r\n\r\n";

// Tornado's limits in RequestParser terms: none of gunicorn's line and field
// limits, the 64 KiB head, the 100 MiB body, the 64-byte chunk-size line.
Limits tornado_limits();

// Whether tornado answers a request that failed to parse (not at EOF) with
// kBadRequestResponse. A head or chunk-size line over its limit is IOStream's
// UnsatisfiableReadError instead: "closing connection", nothing sent.
bool answers_bad_request(const ParseError& error);

// `headers.get("Expect") == "100-continue"`: the value exactly, case included.
bool expects_continue(const Request& req);

// HTTP1Connection._can_keep_alive, on the request's start line and headers.
bool can_keep_alive(const Request& req);

// WSGIContainer.__call__ + HTTP1Connection.write_headers: the app's headers,
// then Content-Length / Content-Type / Server when the app gave none. Always
// "HTTP/1.1", no Date; "Connection: Keep-Alive" echoed to an HTTP/1.0
// keep-alive client; no body for HEAD.
std::string format_response(const Request& req, int status, std::string_view reason,
                            const std::vector<Header>& headers, const std::string& body);

}  // namespace minicorn::http::tornado
