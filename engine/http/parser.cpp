// RequestParser: one state per stretch of the request, one feed_* function per
// state. Each feed_* consumes what belongs to its state and switches state;
// feed() loops until the input is used up or the request is done or failed.
//
//   RequestLine → Headers → (Done | Body → Done | ChunkSize ⇄ ChunkData →
//   ChunkDataCrlf → ChunkSize … → Trailers → Done), any of them → Error.
//
// Sections: the driver (feed, finish_eof, take_head/take_body) · Request
// line · Header block · Body: Content-Length and chunked.
#include "engine/http/parser.h"

#include <cassert>
#include <climits>
#include <utility>

#include "engine/http/headers.h"
#include "engine/http/uri.h"

namespace minicorn::http {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int digits_to_int(std::string_view digits) {
    long long v = 0;
    for (char c : digits) {
        v = v * 10 + (c - '0');
        if (v > INT_MAX) return INT_MAX;  // Python keeps a big int; nothing real sends one
    }
    return static_cast<int>(v);
}

// VERSION_RE = "HTTP/(\d+)\.(\d+)", fullmatch. \d is ASCII here: no latin-1
// character is a Unicode decimal digit.
bool parse_version(std::string_view text, int& major, int& minor) {
    if (text.substr(0, 5) != "HTTP/") return false;
    text.remove_prefix(5);
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return false;
    const std::string_view a = text.substr(0, dot);
    const std::string_view b = text.substr(dot + 1);
    auto all_digits = [](std::string_view s) {
        if (s.empty()) return false;
        for (char c : s) {
            if (!is_digit(c)) return false;
        }
        return true;
    };
    if (!all_digits(a) || !all_digits(b)) return false;
    major = digits_to_int(a);
    minor = digits_to_int(b);
    return true;
}

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// bytes.strip(): ASCII whitespace.
std::string_view strip_ascii_space(std::string_view s) {
    constexpr std::string_view kSpace = " \t\n\r\x0b\x0c";
    while (!s.empty() && kSpace.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
    while (!s.empty() && kSpace.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
    return s;
}

}  // namespace

RequestParser::RequestParser(Limits limits, SchemeHeaders scheme_headers)
    : limits_(limits), scheme_headers_(scheme_headers) {}

void RequestParser::reset() {
    state_ = State::RequestLine;
    request_ = Request{};
    error_ = ParseError{};
    buffer_.clear();
    remaining_ = 0;
    chunked_total_ = 0;
    head_bytes_ = 0;
    consumed_ = 0;
    head_done_ = false;
}

const ParseError& RequestParser::error() const {
    assert(failed() && "error() is only meaningful once failed() is true");
    return error_;
}

Request RequestParser::take_request() {
    assert(done() && "take_request() needs a complete request: check done() first");
    return std::move(request_);
}

Request RequestParser::take_head() {
    assert(head_done() && "take_head() needs the whole head: check head_done() first");
    Request head = std::move(request_);
    request_ = Request{};
    request_.body = std::move(head.body);
    head.body.clear();
    return head;
}

std::string RequestParser::take_body() { return std::exchange(request_.body, std::string()); }

bool RequestParser::count_head_byte() {
    ++head_bytes_;
    if (limits_.max_head == 0 || head_bytes_ <= limits_.max_head) return true;
    fail(head_too_large(limits_.max_head));
    return false;
}

void RequestParser::fail(ParseError error) {
    // Body errors surface while the app reads wsgi.input: the request exists.
    if (state_ != State::RequestLine && state_ != State::Headers) error.has_request = true;
    error_ = std::move(error);
    state_ = State::Error;
}

std::size_t RequestParser::feed(std::string_view bytes) {
    std::size_t used = 0;
    while (used < bytes.size() && !done() && !failed()) {
        const std::string_view rest = bytes.substr(used);
        switch (state_) {
            case State::RequestLine: used += feed_request_line(rest); break;
            case State::Headers: used += feed_headers(rest); break;
            case State::Body: used += feed_body(rest); break;
            case State::ChunkSize: used += feed_chunk_size(rest); break;
            case State::ChunkData: used += feed_chunk_data(rest); break;
            case State::ChunkDataCrlf: used += feed_chunk_crlf(rest); break;
            case State::Trailers: used += feed_trailers(rest); break;
            case State::Done:
            case State::Error: break;
        }
    }
    consumed_ += used;
    return used;
}

void RequestParser::finish_eof() {
    switch (state_) {
        case State::RequestLine: {
            const std::size_t limit = limits_.limit_request_line;
            if (buffer_.empty()) {
                fail(no_request());
            } else if (limit > 0 && buffer_.size() >= 2 && buffer_.size() - 2 > limit) {
                // gunicorn checks the line length after its last read, before
                // it notices the EOF.
                fail(limit_request_line(buffer_.size(), limit));
            } else {
                fail(no_more_data(buffer_));
            }
            break;
        }
        case State::Headers:
            fail(no_more_data(buffer_));
            break;
        case State::Body:
            // LengthReader returns what it got when the socket hits EOF: the
            // app sees a short body, not an error.
            state_ = State::Done;
            break;
        case State::ChunkDataCrlf:
            // gunicorn loops on `while len(rest) < 2: rest += read()` here and
            // spins until the worker timeout kills it; minicorn just gives up.
        case State::ChunkSize:
        case State::ChunkData:
            fail(no_more_data(std::nullopt));
            break;
        case State::Trailers:
            // parse_chunk_size swallows NoMoreData from parse_trailers: after
            // "0\r\n" an EOF completes the request, without the trailers.
            request_.trailers.clear();
            state_ = State::Done;
            break;
        case State::Done:
        case State::Error:
            break;
    }
}

// ---------------------------------------------------------------------------
// Request line
// ---------------------------------------------------------------------------

// gunicorn's read_line() looks for CRLF after each recv() and, if there is
// none, compares the bytes buffered so far with the limit. So the size it
// reports depends on its reads. The parser models one arrival of all the
// bytes, read 8192 at a time: a CRLF within the first 8192 bytes reports the
// line's length, a longer line reports what was buffered at the 8192-byte
// mark (8192, 16384, …) or at EOF.
std::size_t RequestParser::feed_request_line(std::string_view bytes) {
    const std::size_t limit = limits_.limit_request_line;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        buffer_ += bytes[i];
        if (!count_head_byte()) return i + 1;
        const std::size_t size = buffer_.size();
        if (ends_with(buffer_, "\r\n")) {
            const std::size_t line_length = size - 2;
            if (limit > 0 && line_length > limit) {
                fail(limit_request_line(line_length, limit));
            } else {
                parse_request_line(std::string_view(buffer_).substr(0, line_length));
                buffer_.clear();
            }
            return i + 1;
        }
        if (size % kRecvChunk == 0 && limit > 0 && size - 2 > limit) {
            fail(limit_request_line(size, limit));
            return i + 1;
        }
    }
    return bytes.size();
}

void RequestParser::parse_request_line(std::string_view line) {
    // bytes.split(b" ", 2): only single spaces separate, and the version part
    // keeps any further spaces ("HTTP/1.1 x" is then an invalid version).
    const auto first = line.find(' ');
    const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    if (second == std::string_view::npos) return fail(invalid_request_line(line));
    const std::string_view method = line.substr(0, first);
    const std::string_view uri = line.substr(first + 1, second - first - 1);
    const std::string_view version = line.substr(second + 1);

    // Checked before upper-casing: "get" is accepted and becomes "GET".
    if (!is_token(method)) return fail(invalid_request_method(method));
    request_.method.clear();
    for (char c : method) request_.method += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;

    request_.uri = std::string(uri);
    auto parts = split_request_uri(uri);
    if (!parts) return fail(invalid_request_line(line));
    request_.path = std::move(parts->path);
    request_.query = std::move(parts->query);
    request_.fragment = std::move(parts->fragment);

    if (!parse_version(version, request_.version_major, request_.version_minor)) {
        return fail(invalid_http_version(version));
    }
    state_ = State::Headers;
}

// ---------------------------------------------------------------------------
// Header block
// ---------------------------------------------------------------------------

std::size_t RequestParser::feed_headers(std::string_view bytes) {
    const std::size_t cap = limits_.max_buffer_headers();
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        buffer_ += bytes[i];
        if (!count_head_byte()) return i + 1;
        // gunicorn compares its buffer with the cap after each read, before it
        // looks for the end of the block; read byte by byte, a block ending
        // past the cap is refused even if its last byte completes it.
        if (buffer_.size() > cap) {
            fail(limit_request_headers("max buffer headers"));
            return i + 1;
        }
        if (buffer_ == "\r\n") {  // no headers at all
            buffer_.clear();
            finish_headers(std::nullopt);
            return i + 1;
        }
        if (ends_with(buffer_, "\r\n\r\n")) {
            const std::string block = buffer_.substr(0, buffer_.size() - 4);
            buffer_.clear();
            finish_headers(block);
            return i + 1;
        }
    }
    return bytes.size();
}

void RequestParser::finish_headers(std::optional<std::string_view> block) {
    if (block) {
        if (auto e = parse_header_block(*block, limits_, scheme_headers_, request_.headers, request_.scheme)) {
            return fail(std::move(*e));
        }
    }
    BodyFraming framing;
    if (auto e = decide_body_framing(request_, framing)) {
        // InvalidHeader is raised with req=self (gunicorn logs it as an
        // access); UnsupportedTransferCoding is not.
        e->has_request = e->kind == ParseErrorKind::InvalidHeader;
        return fail(std::move(*e));
    }
    request_.chunked = framing.chunked;
    if (framing.has_content_length) request_.content_length = framing.content_length;
    start_body(framing);
}

void RequestParser::start_body(const BodyFraming& framing) {
    if (limits_.max_body > 0 && framing.has_content_length && framing.content_length > limits_.max_body) {
        return fail(body_too_large("Content-Length too long"));
    }
    head_done_ = true;
    if (framing.chunked) {
        state_ = State::ChunkSize;
    } else if (framing.content_length > 0) {
        remaining_ = framing.content_length;
        state_ = State::Body;
    } else {
        // No Content-Length and no chunking: a request has no body (gunicorn
        // replaces the EOFReader with a zero LengthReader).
        state_ = State::Done;
    }
}

// ---------------------------------------------------------------------------
// Body: Content-Length and chunked
// ---------------------------------------------------------------------------

std::size_t RequestParser::feed_body(std::string_view bytes) {
    const std::size_t take = remaining_ < bytes.size() ? static_cast<std::size_t>(remaining_) : bytes.size();
    request_.body.append(bytes.substr(0, take));
    remaining_ -= take;
    if (remaining_ == 0) state_ = State::Done;
    return take;
}

std::size_t RequestParser::feed_chunk_size(std::string_view bytes) {
    const std::size_t limit = limits_.max_chunk_line;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        buffer_ += bytes[i];
        // gunicorn 20.1 has no limit here: an endless extension would be
        // buffered whole. minicorn stops at max_chunk_line.
        if (limit > 0 && buffer_.size() > limit) {
            fail(limit_chunk_line(limit));
            return i + 1;
        }
        if (!ends_with(buffer_, "\r\n")) continue;

        const std::string_view line = std::string_view(buffer_).substr(0, buffer_.size() - 2);
        // Extensions after ';' are ignored unchecked; the size may be padded
        // with whitespace and have any number of leading zeros.
        const std::string_view size_text = strip_ascii_space(line.substr(0, line.find(';')));
        for (char c : size_text) {
            if (!is_hex(c)) {
                fail(invalid_chunk_size(size_text));
                return i + 1;
            }
        }
        if (size_text.empty()) {
            // The hex-digit check passes an empty size and int(b"", 16) raises
            // a ValueError nobody catches: gunicorn answers 500.
            fail(value_error("invalid literal for int() with base 16: b''"));
            return i + 1;
        }
        std::uint64_t size = 0;
        for (char c : size_text) {
            const auto digit = static_cast<std::uint64_t>(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            // Python has big ints; a size beyond 2^64 can never be satisfied
            // anyway, so saturate.
            size = size > (UINT64_MAX - digit) / 16 ? UINT64_MAX : size * 16 + digit;
        }
        buffer_.clear();
        chunked_total_ = size > UINT64_MAX - chunked_total_ ? UINT64_MAX : chunked_total_ + size;
        if (limits_.max_body > 0 && chunked_total_ > limits_.max_body) {
            fail(body_too_large("chunked body too large"));
            return i + 1;
        }
        remaining_ = size;
        state_ = size == 0 ? State::Trailers : State::ChunkData;
        return i + 1;
    }
    return bytes.size();
}

std::size_t RequestParser::feed_chunk_data(std::string_view bytes) {
    const std::size_t take = remaining_ < bytes.size() ? static_cast<std::size_t>(remaining_) : bytes.size();
    request_.body.append(bytes.substr(0, take));
    remaining_ -= take;
    if (remaining_ == 0) state_ = State::ChunkDataCrlf;
    return take;
}

std::size_t RequestParser::feed_chunk_crlf(std::string_view bytes) {
    const std::size_t take = std::min<std::size_t>(2 - buffer_.size(), bytes.size());
    buffer_.append(bytes.substr(0, take));
    if (buffer_.size() < 2) return take;
    if (buffer_ != "\r\n") {
        fail(chunk_missing_terminator(buffer_));
    } else {
        buffer_.clear();
        state_ = State::ChunkSize;
    }
    return take;
}

// parse_trailers: an immediate CRLF ends the body; otherwise everything up to
// "\r\n\r\n" is a header block, under the same rules and limits as the
// headers. gunicorn 20.1 buffers it without a cap; minicorn applies the
// header block's (max_buffer_headers, or max_head when that is smaller).
std::size_t RequestParser::feed_trailers(std::string_view bytes) {
    const std::size_t buffer_cap = limits_.max_buffer_headers();
    const std::size_t cap = limits_.max_head > 0 && limits_.max_head < buffer_cap ? limits_.max_head : buffer_cap;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        buffer_ += bytes[i];
        if (buffer_.size() > cap) {
            fail(limit_request_headers("max buffer headers"));
            return i + 1;
        }
        if (buffer_ == "\r\n") {
            buffer_.clear();
            state_ = State::Done;
            return i + 1;
        }
        if (ends_with(buffer_, "\r\n\r\n")) {
            const std::string block = buffer_.substr(0, buffer_.size() - 4);
            buffer_.clear();
            if (auto e = parse_header_block(block, limits_, scheme_headers_, request_.trailers, request_.scheme)) {
                fail(std::move(*e));
            } else {
                state_ = State::Done;
            }
            return i + 1;
        }
    }
    return bytes.size();
}

std::string_view to_string(RequestParser::State state) {
    switch (state) {
        case RequestParser::State::RequestLine: return "RequestLine";
        case RequestParser::State::Headers: return "Headers";
        case RequestParser::State::Body: return "Body";
        case RequestParser::State::ChunkSize: return "ChunkSize";
        case RequestParser::State::ChunkData: return "ChunkData";
        case RequestParser::State::ChunkDataCrlf: return "ChunkDataCrlf";
        case RequestParser::State::Trailers: return "Trailers";
        case RequestParser::State::Done: return "Done";
        case RequestParser::State::Error: return "Error";
    }
    return "?";
}

}  // namespace minicorn::http
