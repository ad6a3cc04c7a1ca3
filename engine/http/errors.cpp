#include "engine/http/errors.h"

#include <array>
#include <string>
#include <utility>

#include "engine/http/pytext.h"

namespace minicorn::http {
namespace {

constexpr std::array<std::pair<ParseErrorKind, std::string_view>, 17> kNames{{
    {ParseErrorKind::NoRequest, "NoRequest"},
    {ParseErrorKind::NoMoreData, "NoMoreData"},
    {ParseErrorKind::InvalidRequestLine, "InvalidRequestLine"},
    {ParseErrorKind::InvalidRequestMethod, "InvalidRequestMethod"},
    {ParseErrorKind::InvalidHTTPVersion, "InvalidHTTPVersion"},
    {ParseErrorKind::InvalidHeader, "InvalidHeader"},
    {ParseErrorKind::InvalidHeaderName, "InvalidHeaderName"},
    {ParseErrorKind::InvalidSchemeHeaders, "InvalidSchemeHeaders"},
    {ParseErrorKind::LimitRequestLine, "LimitRequestLine"},
    {ParseErrorKind::LimitRequestHeaders, "LimitRequestHeaders"},
    {ParseErrorKind::UnsupportedTransferCoding, "UnsupportedTransferCoding"},
    {ParseErrorKind::InvalidChunkSize, "InvalidChunkSize"},
    {ParseErrorKind::ChunkMissingTerminator, "ChunkMissingTerminator"},
    {ParseErrorKind::ValueError, "ValueError"},
    {ParseErrorKind::LimitChunkLine, "LimitChunkLine"},
    {ParseErrorKind::HeadTooLarge, "UnsatisfiableReadError"},
    {ParseErrorKind::BodyTooLarge, "HTTPInputError"},
}};

// What Worker.handle_error does with each kind: the status, and the text it
// wraps str(exc) in.
ParseError finish(ParseErrorKind kind, std::string message) {
    ParseError e;
    e.kind = kind;
    e.message = std::move(message);
    switch (kind) {
        case ParseErrorKind::NoRequest:
        case ParseErrorKind::NoMoreData:
        case ParseErrorKind::InvalidChunkSize:
        case ParseErrorKind::ChunkMissingTerminator:
        case ParseErrorKind::LimitChunkLine:
        case ParseErrorKind::HeadTooLarge:
            e.status = kNoResponse;
            return e;
        case ParseErrorKind::BodyTooLarge:
            e.status = 400;  // tornado writes a bare "HTTP/1.1 400 Bad Request" (tornado_wire.h)
            return e;
        case ParseErrorKind::UnsupportedTransferCoding:
        case ParseErrorKind::ValueError:
            e.status = 500;
            return e;
        case ParseErrorKind::InvalidRequestLine:
            e.page_message = "Invalid Request Line '" + e.message + "'";
            break;
        case ParseErrorKind::InvalidRequestMethod:
            e.page_message = "Invalid Method '" + e.message + "'";
            break;
        case ParseErrorKind::InvalidHTTPVersion:
            e.page_message = "Invalid HTTP Version '" + e.message + "'";
            break;
        case ParseErrorKind::LimitRequestHeaders:
            e.page_message = "Error parsing headers: '" + e.message + "'";
            break;
        case ParseErrorKind::InvalidHeader:
        case ParseErrorKind::InvalidHeaderName:
        case ParseErrorKind::InvalidSchemeHeaders:
        case ParseErrorKind::LimitRequestLine:
            e.page_message = e.message;
            break;
    }
    e.status = 400;
    // util.write_error encodes the page as latin-1; a message holding e.g. 'Ÿ'
    // (str.upper() of 'ÿ') raises there, and handle_error sends nothing.
    if (!py::utf8_to_latin1(e.page_message)) e.status = kNoResponse;
    return e;
}

}  // namespace

std::string_view to_string(ParseErrorKind kind) {
    for (const auto& [k, name] : kNames) {
        if (k == kind) return name;
    }
    return "?";
}

std::optional<ParseErrorKind> parse_error_kind_from_string(std::string_view name) {
    for (const auto& [k, n] : kNames) {
        if (n == name) return k;
    }
    return std::nullopt;
}

std::string_view ParseError::reason() const {
    switch (status) {
        case 400: return "Bad Request";
        case 500: return "Internal Server Error";
        default: return "";
    }
}

ParseError no_request() { return finish(ParseErrorKind::NoRequest, ""); }

ParseError no_more_data(std::optional<std::string_view> buffered) {
    return finish(ParseErrorKind::NoMoreData,
                  "No more data after: " + (buffered ? py::repr_bytes(*buffered) : std::string("None")));
}

ParseError invalid_request_line(std::string_view line) {
    return finish(ParseErrorKind::InvalidRequestLine, "Invalid HTTP request line: " + py::repr_latin1(line));
}

ParseError invalid_request_method(std::string_view method) {
    return finish(ParseErrorKind::InvalidRequestMethod, "Invalid HTTP method: " + py::repr_latin1(method));
}

ParseError invalid_http_version(std::string_view version) {
    return finish(ParseErrorKind::InvalidHTTPVersion, "Invalid HTTP Version: " + py::repr_latin1(version));
}

ParseError invalid_header(std::string_view header_text) {
    return finish(ParseErrorKind::InvalidHeader, "Invalid HTTP Header: " + py::repr_latin1(header_text));
}

ParseError invalid_header_name(std::string_view upper_name_utf8) {
    return finish(ParseErrorKind::InvalidHeaderName, "Invalid HTTP header name: " + py::repr_str(upper_name_utf8));
}

ParseError invalid_scheme_headers() {
    return finish(ParseErrorKind::InvalidSchemeHeaders, "Contradictory scheme headers");
}

ParseError limit_request_line(std::size_t size, std::size_t limit) {
    return finish(ParseErrorKind::LimitRequestLine,
                  "Request Line is too large (" + std::to_string(size) + " > " + std::to_string(limit) + ")");
}

ParseError limit_request_headers(std::string_view what) {
    return finish(ParseErrorKind::LimitRequestHeaders, std::string(what));
}

ParseError unsupported_transfer_coding(std::string_view value) {
    return finish(ParseErrorKind::UnsupportedTransferCoding,
                  "Unsupported transfer coding: " + py::repr_latin1(value));
}

ParseError invalid_chunk_size(std::string_view size_bytes) {
    return finish(ParseErrorKind::InvalidChunkSize, "Invalid chunk size: " + py::repr_bytes(size_bytes));
}

ParseError chunk_missing_terminator(std::string_view two_bytes) {
    return finish(ParseErrorKind::ChunkMissingTerminator,
                  "Invalid chunk terminator is not '\\r\\n': " + py::repr_bytes(two_bytes));
}

ParseError value_error(std::string message) { return finish(ParseErrorKind::ValueError, std::move(message)); }

ParseError limit_chunk_line(std::size_t limit) {
    return finish(ParseErrorKind::LimitChunkLine, "chunk size line longer than " + std::to_string(limit) + " bytes");
}

ParseError head_too_large(std::size_t limit) {
    return finish(ParseErrorKind::HeadTooLarge,
                  "delimiter re.compile(b'\\r?\\n\\r?\\n') not found within " + std::to_string(limit) + " bytes");
}

ParseError body_too_large(std::string message) { return finish(ParseErrorKind::BodyTooLarge, std::move(message)); }

ParseError make_parse_error(ParseErrorKind kind, std::string message) { return finish(kind, std::move(message)); }

}  // namespace minicorn::http
