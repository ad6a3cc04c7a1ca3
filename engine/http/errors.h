// engine/http/errors.h — why a request could not be parsed, in gunicorn 20.1's
// terms (gunicorn/http/errors.py), and what gunicorn answers for it
// (Worker.handle_error in gunicorn/workers/base.py).
//
// Three outcomes, and the kind decides which:
//   - 400 Bad Request page: the ParseException family (request line, method,
//     version, header, limit and scheme-header errors).
//   - 500 Internal Server Error page with an empty message: exceptions
//     handle_error does not list — UnsupportedTransferCoding (Debian's
//     CVE-2024-1135 backport raises it but forgot to list it) and the bare
//     ValueError int() raises for an empty chunk size.
//   - no response at all, the connection just closes: the IOError family
//     (NoMoreData, InvalidChunkSize, ChunkMissingTerminator), which the
//     workers log and swallow, plus StopIteration (peer closed before sending
//     anything). Also any page whose message cannot be encoded as latin-1:
//     util.write_error raises and handle_error drops the page.
// Plain data; no threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace minicorn::http {

enum class ParseErrorKind {
    NoRequest,                  // StopIteration: the peer closed before its first byte
    NoMoreData,                 // the peer closed in the middle of a request
    InvalidRequestLine,
    InvalidRequestMethod,
    InvalidHTTPVersion,
    InvalidHeader,
    InvalidHeaderName,
    InvalidSchemeHeaders,       // X-Forwarded-Proto and friends disagree
    LimitRequestLine,
    LimitRequestHeaders,
    UnsupportedTransferCoding,  // Transfer-Encoding other than chunked/identity
    InvalidChunkSize,
    ChunkMissingTerminator,
    ValueError,                 // int() failed where gunicorn does not catch it
    // Not gunicorn's: minicorn's cap on a chunk-size line (Limits::max_chunk_line). No response, close.
    LimitChunkLine,
    // tornado's: the head is longer than max_header_size (IOStream's
    // UnsatisfiableReadError): no response, the connection just closes.
    HeadTooLarge,
    // tornado's: the body is longer than max_body_size (HTTPInputError): 400.
    BodyTooLarge,
};

// The Python class name: "InvalidHTTPVersion".
std::string_view to_string(ParseErrorKind kind);
std::optional<ParseErrorKind> parse_error_kind_from_string(std::string_view name);

// ParseError::status when gunicorn sends nothing and closes the connection.
inline constexpr int kNoResponse = 0;

struct ParseError {
    ParseErrorKind kind = ParseErrorKind::NoMoreData;
    int status = kNoResponse;  // 400, 500 or kNoResponse, as gunicorn 20.1 answers
    std::string message;       // str(exc), UTF-8: "Invalid HTTP Version: 'HTTP/1.x'"
    std::string page_message;  // the text handle_error puts in the page: "Invalid HTTP Version 'Invalid HTTP Version: ...'"
    // gunicorn had a request object when this was raised (Content-Length /
    // Transfer-Encoding framing errors, errors while reading the body), so
    // handle_error also writes an access-log line with `status` and 0 bytes.
    // RequestParser::request() holds that request.
    bool has_request = false;

    bool sends_response() const { return status != kNoResponse; }
    // "Bad Request", "Internal Server Error", or "" when nothing is sent.
    std::string_view reason() const;
};

// Builders, one per gunicorn exception. Byte arguments are raw request bytes
// (latin-1); gunicorn formats them with repr().
ParseError no_request();
ParseError no_more_data(std::optional<std::string_view> buffered);  // nullopt prints None
ParseError invalid_request_line(std::string_view line);
ParseError invalid_request_method(std::string_view method);
ParseError invalid_http_version(std::string_view version);
ParseError invalid_header(std::string_view header_text);          // latin-1 text
ParseError invalid_header_name(std::string_view upper_name_utf8);  // after str.upper()
ParseError invalid_scheme_headers();
ParseError limit_request_line(std::size_t size, std::size_t limit);
ParseError limit_request_headers(std::string_view what);           // "limit request headers fields"
ParseError unsupported_transfer_coding(std::string_view value);
ParseError invalid_chunk_size(std::string_view size_bytes);
ParseError chunk_missing_terminator(std::string_view two_bytes);
ParseError value_error(std::string message);
ParseError limit_chunk_line(std::size_t limit);
ParseError head_too_large(std::size_t limit);      // tornado's wording
ParseError body_too_large(std::string message);    // "Content-Length too long", "chunked body too large"
// A ready-made error whose message is already UTF-8 text (response header
// checks use it: gunicorn raises InvalidHeader("'bad\\x01'") there).
ParseError make_parse_error(ParseErrorKind kind, std::string message);

}  // namespace minicorn::http
