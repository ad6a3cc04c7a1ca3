// engine/http/parser.h — RequestParser: an incremental HTTP/1.x request parser
// that accepts and rejects exactly what gunicorn 20.1 (Debian 12's
// 20.1.0-6+deb12u1) does: gunicorn/http/message.py and body.py.
//
// Who and what: a plain single-threaded object, one per connection, owned by
// the worker that reads the socket. It never does I/O: the worker feeds it the
// bytes it received and tells it when the peer closed (finish_eof). It reads
// the whole body (Content-Length or chunked) into Request::body, as minicorn's
// apps never stream a request body.
//
// Use:
//     RequestParser p{limits};
//     std::size_t used = p.feed(bytes);    // may stop early: see below
//     if (p.done())   { Request r = p.take_request(); ... }
//     if (p.failed()) { answer p.error() (or close, if !sends_response()) }
//     on EOF: p.finish_eof();             // may complete or fail the request
//     keep-alive: keep bytes.substr(used), p.reset(), feed them again.
//
// feed() stops at the end of a complete request and does not consume the
// bytes after it (a pipelined request), so the caller keeps them. Feeding a
// stream byte by byte gives the same result as feeding it at once: every
// check is defined on the byte stream, not on how it was cut. Where gunicorn's
// own result depends on its 8192-byte recv() calls, the parser assumes the
// request's bytes all arrived together and were read 8192 at a time from the
// first one (see the RequestLine state in parser.cpp).
//
// gunicorn is lax in places and the parser keeps that (it is the spec): bare
// LF never ends a line, header values are not validated, Content-Length goes
// through Python's int() ("+5", "1_0"), a short body at EOF is accepted, and
// "0\r\n" then EOF completes a chunked body. Each is noted where it happens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/errors.h"
#include "engine/http/limits.h"
#include "engine/http/request.h"

namespace minicorn::http {

struct BodyFraming;

class RequestParser {
public:
    enum class State {
        RequestLine,    // reading "METHOD URI VERSION\r\n"
        Headers,        // reading the header block up to "\r\n\r\n"
        Body,           // reading Content-Length bytes
        ChunkSize,      // reading "hex[;ext]\r\n"
        ChunkData,      // reading the chunk's bytes
        ChunkDataCrlf,  // reading the "\r\n" after a chunk
        Trailers,       // after the last chunk: trailers up to an empty line
        Done,           // a complete request: take_request()
        Error,          // see error()
    };

    explicit RequestParser(Limits limits = {}, SchemeHeaders scheme_headers = SchemeHeaders::Trusted);

    // Consumes bytes and returns how many it used. Fewer than given only when
    // the request completed (the rest belongs to the next one) or failed.
    std::size_t feed(std::string_view bytes);

    // The peer closed its side. With no byte of this request seen, fails with
    // NoRequest (an ordinary end of a keep-alive connection); in the middle of
    // a request, fails with NoMoreData — except where gunicorn accepts the
    // truncation (short Content-Length body, EOF in the trailers).
    void finish_eof();

    State state() const { return state_; }
    bool done() const { return state_ == State::Done; }
    bool failed() const { return state_ == State::Error; }
    // True once any byte of the current request arrived.
    bool started() const { return consumed_ > 0; }
    // Bytes consumed since the current request began.
    std::size_t consumed() const { return consumed_; }
    // The request line and headers are in and were accepted: what follows is
    // the body (or nothing). Stays true through done(), and through a failure
    // in the body.
    bool head_done() const { return head_done_; }

    // Requires failed().
    const ParseError& error() const;
    // Requires done(). Moves the request out; call reset() before the next.
    Request take_request();
    // The request as parsed so far; after a failure with error().has_request,
    // the one gunicorn's access-log line describes.
    const Request& request() const { return request_; }
    // Requires head_done() (streaming): moves the request out without its
    // body; the body's bytes keep collecting for take_body(). Once only.
    Request take_head();
    // The body bytes decoded since the last call (all of them when done()).
    std::string take_body();
    // Forget everything and wait for a new request (same limits).
    void reset();

    const Limits& limits() const { return limits_; }

private:
    std::size_t feed_request_line(std::string_view bytes);
    std::size_t feed_headers(std::string_view bytes);
    std::size_t feed_body(std::string_view bytes);
    std::size_t feed_chunk_size(std::string_view bytes);
    std::size_t feed_chunk_data(std::string_view bytes);
    std::size_t feed_chunk_crlf(std::string_view bytes);
    std::size_t feed_trailers(std::string_view bytes);

    void parse_request_line(std::string_view line);
    void finish_headers(std::optional<std::string_view> block);  // nullopt: no headers at all
    void start_body(const BodyFraming& framing);
    void fail(ParseError error);
    // Counts one byte of the head against Limits::max_head; false (failed) past it.
    bool count_head_byte();

    Limits limits_;
    SchemeHeaders scheme_headers_;
    State state_ = State::RequestLine;
    Request request_;
    ParseError error_;
    std::string buffer_;               // the line or block being assembled
    std::uint64_t remaining_ = 0;      // body or chunk bytes still to read
    std::uint64_t chunked_total_ = 0;  // chunk sizes so far (Limits::max_body)
    std::size_t head_bytes_ = 0;       // request line + headers so far (Limits::max_head)
    std::size_t consumed_ = 0;
    bool head_done_ = false;
};

std::string_view to_string(RequestParser::State state);

}  // namespace minicorn::http
