// models/common/http_session.cpp — see http_session.h.
//
//   read_request:   recv → parser until the head is in → Parsed
//   handle_request: [100 Continue] → app (reads the body through BodyReader)
//                   → response head + body → access log → drain the rest of
//                   the body, or close
#include "models/common/http_session.h"

#include <chrono>
#include <optional>
#include <string>

#include "engine/http/access_log.h"
#include "engine/http/response.h"
#include "engine/trace/emit.h"
#include "models/common/body_reader.h"

namespace minicorn::models {

namespace {

using SysClock = std::chrono::system_clock;

void log_access(const ServeContext& ctx, const http::Request& req, int status, const http::Response& resp,
                const std::string& peer_ip, SysClock::time_point started) {
    if (!ctx.log.access_enabled()) return;
    http::AccessLogEntry entry;
    entry.request = &req;
    entry.status = status;
    entry.response_headers = resp.headers();
    entry.body_bytes = resp.sent();  // gunicorn's resp.sent starts at 0: never "-"
    entry.request_start = started;
    entry.request_end = SysClock::now();
    entry.pid = ctx.pid;
    entry.remote_addr = peer_ip;
    if (auto line = http::format_access_log(ctx.cfg.access_log_format, entry)) ctx.log.access(*line);
}

// gunicorn's handle_error for a request that did not parse — its head, or
// its body while the app read it. `req`: the request, when gunicorn had one.
void answer_parse_error(const ServeContext& ctx, const ServerConn& conn, const http::ParseError& err,
                        const http::Request& req) {
    trace::emit(trace::EventKind::ParseFailed, conn.id, 0, err.status, static_cast<std::int64_t>(err.kind));
    if (!err.sends_response()) {
        ctx.log.debug("Ignored premature client disconnection. {}", err.message);
        return;
    }
    trace::count(trace::CounterId::Errors);
    ctx.log.debug("Invalid request from ip={}: {}", conn.peer_ip, err.message);
    write_error_page(conn.fd.get(), http::error_page(err));
    if (err.has_request) {  // the head parsed: gunicorn logs that request with the error status
        http::Response none(req);
        log_access(ctx, req, err.status, none, conn.peer_ip, SysClock::now());
    }
}

// Writes the response head with the first body chunk (one send() for a small
// response; gunicorn 20.1 sends them separately), then the rest as the app
// makes it. False when the peer left or the app failed mid-body.
bool write_response(const ServeContext& ctx, const ServerConn& conn, const RequestScope& scope,
                    wsgi::Response& app_resp, http::Response& resp, ConnectionIo& io) {
    std::uint64_t bytes_out = 0;
    auto send = [&](std::string_view bytes) {
        if (bytes.empty()) return true;
        const net::IoResult r = io.send_all(conn.fd.get(), bytes);
        bytes_out += r.bytes;
        if (r.ok()) return true;
        ctx.log.debug("{}", r.status == net::IoResult::BrokenPipe ? "Ignoring EPIPE" : "Ignoring connection reset");
        return false;
    };
    std::string pending = resp.send_headers();
    bool ok = true;
    scope.write_start();
    while (ok && app_resp.next_chunk) {
        std::optional<std::string> chunk;
        try {
            chunk = app_resp.next_chunk();
        } catch (const std::exception& e) {
            // After the headers: log, close; the client sees a cut response.
            ctx.log.error("Error handling request\n{}", e.what());
            ok = false;
            break;
        }
        if (!chunk) break;
        pending += resp.write(*chunk);
        ok = send(pending);
        pending.clear();
    }
    if (ok) ok = send(pending + resp.close());
    scope.write_done(bytes_out, ok);
    return ok;
}

}  // namespace

ReadResult read_request(const ServeContext& ctx, ServerConn& conn, IncomingRequest& out, ConnectionIo& io) {
    out.parser = http::RequestParser(ctx.limits);
    http::RequestParser& parser = out.parser;
    std::size_t bytes_in = 0;
    trace::emit(trace::EventKind::ReadStart, conn.id);
    // Bytes a pipelining client sent past the previous request come first.
    if (!conn.buffer.empty()) {
        const std::size_t used = parser.feed(conn.buffer);
        conn.buffer.erase(0, used);
    }
    // One buffer per OS thread, not per call: a greenlet parked in recv must
    // not keep 8 KiB of its stack touched (10,000 idle greenlets: 80 MB).
    // Safe to share: nothing parks between a recv filling it and the parser
    // consuming it.
    thread_local char buf[http::kRecvChunk];
    while (!parser.head_done() && !parser.failed()) {
        const net::IoResult r = io.recv(conn.fd.get(), buf, sizeof buf);
        if (r.status == net::IoResult::Eof) {
            parser.finish_eof();
            break;
        }
        if (!r.ok()) {
            trace::emit(trace::EventKind::ReadDone, conn.id, 0, static_cast<std::int64_t>(bytes_in), 1);
            // TimedOut: the async workers' keep-alive timeout, silently dropped, no response.
            ctx.log.debug("{}", r.status == net::IoResult::TimedOut
                                    ? "Closing connection: no request within the keep-alive timeout"
                                    : "Ignoring connection reset");
            return ReadResult::Finished;
        }
        bytes_in += r.bytes;
        const std::string_view chunk(buf, r.bytes);
        const std::size_t used = parser.feed(chunk);
        if (used < chunk.size()) conn.buffer.append(chunk.substr(used));
    }
    // A failure past the head (a bad first chunk) is the body's: the app meets it when it reads.
    const bool head_failed = parser.failed() && !parser.head_done();
    trace::emit(trace::EventKind::ReadDone, conn.id, 0, static_cast<std::int64_t>(bytes_in), head_failed ? 1 : 0);
    trace::count(trace::CounterId::BytesIn, bytes_in);
    if (head_failed) {
        answer_parse_error(ctx, conn, parser.error(), parser.request());
        return ReadResult::Finished;
    }
    out.request = parser.take_head();
    out.scope = RequestScope::parsed(ctx.ids, ctx.pid, conn.id, out.request);
    return ReadResult::Request;
}

AfterResponse handle_request(const ServeContext& ctx, ServerConn& conn, IncomingRequest& in, bool force_close,
                             wsgi::Runtime& runtime, ConnectionIo& io) {
    const auto started = SysClock::now();
    const http::Request& req = in.request;
    ++conn.requests;
    http::Response resp(req);
    if (force_close) resp.force_close();

    const bool expects_continue = req.expects_continue();
    BodyReader body(in.parser, conn, io, expects_continue && ctx.expect_continue == ExpectContinue::OnFirstRead);
    if (expects_continue && ctx.expect_continue == ExpectContinue::AtOnce) {
        io.send_all(conn.fd.get(), http::kContinueResponse);  // wsgi.create(): before the app; a failure shows later
    }
    const wsgi::Environ env{req,
                            conn.peer_ip,
                            conn.peer_port,
                            conn.listener ? conn.listener->address().host : std::string(),
                            conn.listener ? conn.listener->address().port : std::uint16_t{0},
                            ctx.multithread,
                            /*multiprocess=*/ctx.num_workers > 1,
                            runtime,
                            body};
    wsgi::Response app_resp;
    in.scope.handler_start();
    try {
        app_resp = ctx.app.call(env);
    } catch (const wsgi::InputError& e) {
        // The body did not parse while the app read it: gunicorn's answer for that error.
        in.scope.handler_end(e.error().status, true);
        answer_parse_error(ctx, conn, e.error(), req);
        return AfterResponse::Close;
    } catch (const std::exception& e) {
        // Before any header went out: gunicorn's handle_error → 500, empty message.
        in.scope.handler_end(500, true);
        ctx.log.error("Error handling request {}\n{}", req.uri, e.what());
        write_error_page(conn.fd.get(), http::error_page(500, "Internal Server Error", ""));
        log_access(ctx, req, 500, resp, conn.peer_ip, started);
        return AfterResponse::Close;
    }
    in.scope.handler_end(app_resp.status, false);
    body.response_started();
    if (auto bad = resp.start(app_resp.status, app_resp.reason, app_resp.headers)) {
        ctx.log.error("Error handling request {}\n{}", req.uri, bad->message);
        if (bad->sends_response()) write_error_page(conn.fd.get(), http::error_page(*bad));
        return AfterResponse::Close;
    }
    const bool ok = write_response(ctx, conn, in.scope, app_resp, resp, io);
    log_access(ctx, req, resp.status(), resp, conn.peer_ip, started);
    if (!ok || resp.should_close()) return AfterResponse::Close;
    // The next request starts after this one's body: what the app left is
    // read and dropped (a bounded amount), or the connection closes.
    if (!body.drain()) {
        ctx.log.debug("Closing connection: the request body was not read to its end");
        return AfterResponse::Close;
    }
    return AfterResponse::KeepAlive;
}

}  // namespace minicorn::models
