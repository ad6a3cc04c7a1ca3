// models/common/body_reader.h — wsgi.input for a request served by the
// session: the body is read from the connection only as the app asks for it
// (gunicorn's Body over its LengthReader / ChunkedReader), through the
// request's own parser, so a body the app ignores never sits in memory.
//
// After the response, what the app left unread is drained — up to
// kMaxDrainBytes more from the socket (gunicorn 20.1 drains without a bound
// before the next keep-alive request) — or the connection closes.
//
// Thread affinity: the thread (greenlet) serving the request; it owns the
// parser, the connection and the I/O for the request's whole life.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/http/parser.h"
#include "engine/wsgi/input.h"
#include "models/common/connection_io.h"
#include "models/common/server_conn.h"

namespace minicorn::models {

// Unread body the worker reads and discards to keep a connection alive.
inline constexpr std::uint64_t kMaxDrainBytes = 1024 * 1024;

class BodyReader final : public wsgi::Input {
public:
    // `send_continue`: the first read sends `HTTP/1.1 100 Continue` (uvicorn's
    // way; gunicorn's is to send it before the app runs, see http_session).
    BodyReader(http::RequestParser& parser, ServerConn& conn, ConnectionIo& io, bool send_continue)
        : parser_(parser), conn_(conn), io_(io), continue_pending_(send_continue) {}

    std::string read(std::size_t n = kAll) override;

    // The response has started: a 100 Continue not sent by now never is.
    void response_started() { continue_pending_ = false; }
    // Reads and discards the rest of the body, at most kMaxDrainBytes from the
    // socket. True when the body ended cleanly: the connection may serve the
    // next request.
    bool drain();
    // Body bytes read from the socket so far (the head's recv excluded).
    std::uint64_t bytes_in() const { return bytes_in_; }

private:
    // One recv() fed to the parser (bytes past the body go to conn.buffer).
    // Throws wsgi::InputError when the body is malformed or the peer left.
    void fill();

    http::RequestParser& parser_;
    ServerConn& conn_;
    ConnectionIo& io_;
    bool continue_pending_;
    std::string pending_;      // decoded, not yet read by the app
    std::uint64_t bytes_in_ = 0;
};

}  // namespace minicorn::models
