// models/common/http_session.h — reading one request from a connection and
// answering it: the part of gunicorn's handle() / handle_request() that the
// sync, gthread and async (gevent, eventlet, asyncio) workers share.
//
// read_request() returns as soon as the request head is in; the body stays
// on the connection and the app reads it on demand (body_reader.h), as
// gunicorn's wsgi.input. handle_request() calls the app, writes its response,
// and for a keep-alive connection drains what the app left of the body.
//
// Thread affinity: the calling thread (greenlet) holds the GIL (it runs
// "Python"); a ThreadConnectionIo releases it around every blocking call.
// Each call works on one connection, owned by the caller.
#pragma once

#include "engine/http/parser.h"
#include "engine/http/request.h"
#include "engine/wsgi/runtime.h"
#include "models/common/connection_io.h"
#include "models/common/request_scope.h"
#include "models/common/server_conn.h"
#include "models/common/serving_worker.h"

namespace minicorn::models {

// A request whose head is parsed; its body is still being read by `parser`.
struct IncomingRequest {
    http::Request request;       // the head (request.body stays empty)
    http::RequestParser parser;  // continues with the body
    RequestScope scope;          // its id and its trace
};

enum class ReadResult {
    Request,   // `out` holds a request head
    Finished,  // nothing to answer: the peer left, a read timed out, or an error page was already sent
};

// Reads until a request head is complete. No timeout of its own: a
// ThreadConnectionIo waits for ever (gunicorn 20.1); a GreenConnectionIo with
// a read deadline ends the wait silently (the keep-alive timeout).
ReadResult read_request(const ServeContext& ctx, ServerConn& conn, IncomingRequest& out, ConnectionIo& io);

enum class AfterResponse { Close, KeepAlive };

// Calls the application and writes its response (with Connection: close when
// `force_close`, or when the request or response calls for it). KeepAlive
// only when the response was written whole, nothing calls for a close, and
// the body the app left unread was drained.
AfterResponse handle_request(const ServeContext& ctx, ServerConn& conn, IncomingRequest& in, bool force_close,
                             wsgi::Runtime& runtime, ConnectionIo& io);

}  // namespace minicorn::models
