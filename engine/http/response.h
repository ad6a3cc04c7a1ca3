// engine/http/response.h — gunicorn 20.1's response framing
// (gunicorn/http/wsgi.py Response) and its error page (util.write_error).
//
// Who and what: a Response is a plain single-threaded object, one per request,
// owned by the worker that writes the connection. It does no I/O: each call
// returns the bytes to write, in order. The request must outlive it.
//
// Order of use, as gunicorn's worker does it:
//     Response resp{request};
//     resp.force_close();                 // sync worker: always
//     if (auto e = resp.start(200, "OK", app_headers)) { error page for *e }
//     write(resp.write(chunk)) …          // headers go out with the first one
//     write(resp.close());                // headers if none yet, last chunk
//
// Deliberate difference: for HEAD, gunicorn 20.1 writes whatever body the app
// returns (it relies on the app to send none); minicorn sends none and counts
// none, as its apps always produce a body.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http/errors.h"
#include "engine/http/request.h"

namespace minicorn::http {

inline constexpr std::string_view kServerSoftware = "minicorn";

// The standard reason phrase for a status code ("Not Found"); "" if unknown.
std::string_view reason_phrase(int status);

// RFC 1123 date in GMT, as email.utils.formatdate(usegmt=True):
// "Sun, 29 Nov 2026 00:56:17 GMT".
std::string http_date(std::chrono::system_clock::time_point when);

// Exactly the bytes util.write_error sends: an HTTP/1.1 status line,
// Connection: close, Content-Type: text/html, Content-Length, then a small
// HTML page with the reason as title and heading and the html-escaped
// message. No Server or Date header. `message` is UTF-8 text; gunicorn encodes
// the page as latin-1 (see ParseError for what happens when it cannot).
std::string error_page(int status, std::string_view reason, std::string_view message);

// The page for a parse error: error_page(status, reason, page_message).
// Requires error.sends_response().
std::string error_page(const ParseError& error);

// What the Connection header says.
enum class ConnectionHeader {
    KeepAlive,
    Close,
    Upgrade,  // the app said "Connection: upgrade" (websocket)
};

class Response {
public:
    explicit Response(const Request& request, std::string server = std::string(kServerSoftware));

    // The worker wants the connection closed after this response: the sync
    // worker always, the others at max_requests or shutdown.
    void force_close() { must_close_ = true; }

    // start_response(status, headers). Checks and records the app's headers:
    // names must be tokens and values printable (else the InvalidHeaderName /
    // InvalidHeader gunicorn raises, which becomes a 400 page), values are
    // stripped of spaces and tabs, Content-Length is read with int() (a bad one
    // is a ValueError: 500), and hop-by-hop headers (Connection, Keep-Alive,
    // Transfer-Encoding, Upgrade, TE, Trailers, Proxy-Authenticate,
    // Proxy-Authorization, Server, Date) are dropped, except Upgrade: websocket.
    std::optional<ParseError> start(int status, std::string_view reason, std::span<const Header> headers);

    // Chunked when the client speaks HTTP/1.1 or later, the app gave no
    // Content-Length, the request is not HEAD and the status is not 204 or 304.
    // (As in gunicorn, 1xx is not excluded here; should_close treats it.)
    bool chunked() const { return chunked_; }

    // gunicorn's Response.should_close: forced, or the request asked for it,
    // or the length is unknown (no Content-Length, not chunked) and the
    // response may have a body (not HEAD, not 1xx/204/304).
    bool should_close() const;
    ConnectionHeader connection() const;

    // Status line (echoing the request's version), Server, Date, Connection,
    // Transfer-Encoding when chunked, the app's headers, and the blank line.
    // Marks the headers sent; returns "" if they already were.
    std::string send_headers(std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

    // One body chunk as it goes on the wire, preceded by the headers if they
    // were not sent yet: chunk-framed ("1A\r\n…\r\n"), or raw and cut at the
    // Content-Length (anything past it is dropped). An empty chunk writes
    // nothing, since "0\r\n\r\n" would end the body early.
    std::string write(std::string_view data);

    // End of the body: the headers if nothing was written, plus "0\r\n\r\n"
    // when chunked.
    std::string close();

    int status() const { return status_; }
    bool headers_sent() const { return headers_sent_; }
    // Body bytes sent so far, without chunk framing (the access log's %(b)s).
    std::uint64_t sent() const { return sent_; }
    std::optional<std::uint64_t> content_length() const { return response_length_; }
    // The app's headers after start(): what the access log's {name}o sees.
    const std::vector<Header>& headers() const { return headers_; }

private:
    const Request& request_;
    std::string server_;
    int status_ = 0;
    std::string reason_;
    std::vector<Header> headers_;
    std::optional<std::uint64_t> response_length_;
    bool chunked_ = false;
    bool must_close_ = false;
    bool upgrade_ = false;
    bool headers_sent_ = false;
    std::uint64_t sent_ = 0;
};

}  // namespace minicorn::http
