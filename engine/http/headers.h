// engine/http/headers.h — gunicorn 20.1's header-block rules: Message.
// parse_headers (names, obs-fold, the count and size limits, scheme headers)
// and Message.set_body_reader (how Content-Length and Transfer-Encoding
// decide the body framing). RequestParser uses them for headers and trailers.
// Pure functions on raw bytes; no threads.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "engine/http/errors.h"
#include "engine/http/limits.h"
#include "engine/http/request.h"

namespace minicorn::http {

// TOKEN_RE.fullmatch: one or more of !#$%&'*+-.^_`|~, digits and ASCII letters.
bool is_token(std::string_view text);

// Parses a header block without its final "\r\n\r\n" into `out`, as
// parse_headers does: lines split on CRLF only (a bare LF stays inside the
// value), names upper-cased with str.upper() and checked against TOKEN_RE,
// values left-stripped of " \t" only (trailing spaces stay), continuation
// lines joined with one space. With trusted scheme headers it also sets
// `scheme` ("http"/"https").
std::optional<ParseError> parse_header_block(std::string_view block, const Limits& limits,
                                             SchemeHeaders scheme_headers, std::vector<Header>& out,
                                             std::string& scheme);

// How the body is framed, decided from the parsed headers.
struct BodyFraming {
    bool chunked = false;
    std::uint64_t content_length = 0;       // when !chunked; 0 without the header
    bool has_content_length = false;
};

// set_body_reader: duplicate Content-Length, stacked or unknown transfer
// codings, chunked on HTTP/1.0 and Content-Length together with chunked are
// refused; Content-Length is read with Python's int().
std::optional<ParseError> decide_body_framing(const Request& request, BodyFraming& framing);

}  // namespace minicorn::http
