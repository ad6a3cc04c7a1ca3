#include "models/common/http_session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>

#include <chrono>
#include <optional>

#include "engine/http/access_log.h"
#include "engine/http/parser.h"
#include "engine/http/response.h"
#include "engine/trace/ev.h"

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

}  // namespace

AcceptResult accept_client(const net::Listener& listener, pid_t pid, std::uint32_t& conn_seq, ClientConn& out,
                           process::Logger& /*log: the caller logs an Exhausted episode once*/) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    trace::ev::AcceptAttempt{.listen_fd = listener.fd()}.emit();
    int client = ::accept4(listener.fd(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (client < 0) {
        int err = errno;
        trace::ev::AcceptEagain{.error = err}.emit();
        switch (err) {
            case EAGAIN:
            case EINTR:
                return AcceptResult::Empty;
            case ECONNABORTED:  // the client gave up while queued
                return AcceptResult::Failed;
            case EMFILE:
            case ENFILE:
            case ENOBUFS:
            case ENOMEM:
                return AcceptResult::Exhausted;
            default:
                sys::die_bug("accept() on the listening socket");
        }
    }
    out.fd.reset(client);
    out.listener = &listener;
    out.buffer.clear();
    out.requests = 0;
    char ip[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        out.peer_port = ntohs(in->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        out.peer_port = ntohs(in6->sin6_port);
    } else {
        out.peer_port = 0;
    }
    out.peer_ip = ip;
    out.id = trace::make_id(pid, ++conn_seq);
    if (trace::enabled()) {
        trace::ev::Accepted{.conn = out.id, .peer_port = out.peer_port, .listen_fd = listener.fd()}.emit();
        trace::count(trace::CounterId::Accepted);
        net::AcceptQueue q;
        if (net::read_accept_queue(listener.fd(), q)) {
            trace::ev::AcceptQueueSample{.length = q.length, .backlog = q.backlog}.emit();
        }
    }
    return AcceptResult::Accepted;
}

void write_error_page(int fd, std::string_view page) {
    sys::set_nonblocking(fd, true);
    [[maybe_unused]] ssize_t n = ::send(fd, page.data(), page.size(), MSG_NOSIGNAL);
}

ConnIo thread_io(wsgi::Gil& gil, net::InterruptHook on_interrupt) {
    ConnIo io;
    io.recv = [&gil, on_interrupt](int fd, char* buf, std::size_t n) {
        wsgi::Gil::Released no_gil(gil);
        return net::recv_some(fd, buf, n, on_interrupt);
    };
    io.send_all = [&gil, on_interrupt](int fd, std::string_view data) {
        wsgi::Gil::Released no_gil(gil);
        return net::send_all(fd, data, on_interrupt);
    };
    return io;
}

void tag_request(std::uint64_t conn_id, std::uint64_t req_id, const http::Request& req) {
    if (!trace::enabled()) return;
    const std::string* id = req.header("X-REQUEST-ID");
    if (id == nullptr || id->empty() || id->size() > 20) return;
    std::uint64_t client_id = 0;
    auto [end, ec] = std::from_chars(id->data(), id->data() + id->size(), client_id);
    if (ec != std::errc() || end != id->data() + id->size()) return;  // not a number: someone else's id
    trace::ev::RequestTagged{.conn = conn_id, .req = req_id, .client_req = client_id}.emit();
}

ReadResult read_request(const ServeContext& ctx, ClientConn& conn, http::Request& out, std::uint64_t& req_id,
                        const ConnIo& io) {
    http::RequestParser parser(ctx.limits);
    std::size_t bytes_in = 0;
    trace::ev::ReadStart{.conn = conn.id}.emit();
    // Bytes a pipelining client sent past the previous request come first.
    if (!conn.buffer.empty()) {
        std::size_t used = parser.feed(conn.buffer);
        conn.buffer.erase(0, used);
    }
    // One buffer per OS thread, not per call: a greenlet parked in recv must
    // not keep 8 KiB of its stack touched (10,000 idle greenlets: 80 MB).
    // Safe to share: nothing parks between a recv filling it and the parser
    // consuming it.
    thread_local char buf[http::kRecvChunk];
    while (!parser.done() && !parser.failed()) {
        net::IoResult r = io.recv(conn.fd.get(), buf, sizeof buf);
        if (r.status == net::IoStatus::Other && r.errno_value == ETIMEDOUT) {
            // The async workers' keep-alive timeout: silently dropped, no response.
            trace::ev::ReadDone{.conn = conn.id, .bytes = bytes_in, .cut = true}.emit();
            ctx.log.debug("Closing connection: no request within the keep-alive timeout");
            return ReadResult::Finished;
        }
        if (r.status == net::IoStatus::Eof) {
            parser.finish_eof();
            break;
        }
        if (r.status != net::IoStatus::Ok) {
            trace::ev::ReadDone{.conn = conn.id, .bytes = bytes_in, .cut = true}.emit();
            ctx.log.debug("Ignoring connection reset");
            return ReadResult::Finished;
        }
        bytes_in += r.bytes;
        std::string_view chunk(buf, r.bytes);
        std::size_t used = parser.feed(chunk);
        if (used < chunk.size()) conn.buffer.append(chunk.substr(used));
    }
    trace::ev::ReadDone{.conn = conn.id, .bytes = bytes_in, .cut = parser.failed()}.emit();
    trace::count(trace::CounterId::BytesIn, bytes_in);
    if (parser.failed()) {
        const http::ParseError& err = parser.error();
        trace::ev::ParseFailed{.conn = conn.id, .status = err.status, .error = err.kind}.emit();
        if (!err.sends_response()) {
            ctx.log.debug("Ignored premature client disconnection. {}", err.message);
            return ReadResult::Finished;
        }
        trace::count(trace::CounterId::Errors);
        ctx.log.debug("Invalid request from ip={}: {}", conn.peer_ip, err.message);
        write_error_page(conn.fd.get(), http::error_page(err));
        if (err.has_request) {  // the head parsed: gunicorn logs that request with the error status
            http::Response none(parser.request());
            log_access(ctx, parser.request(), err.status, none, conn.peer_ip, SysClock::now());
        }
        return ReadResult::Finished;
    }
    out = parser.take_request();
    req_id = trace::make_id(ctx.pid, ctx.req_seq.fetch_add(1, std::memory_order_relaxed) + 1);
    trace::ev::Parsed{.conn = conn.id, .req = req_id, .http = out.version_major * 10 + out.version_minor,
                      .body_bytes = out.body.size()}.emit();
    tag_request(conn.id, req_id, out);
    return ReadResult::Request;
}

AfterResponse handle_request(const ServeContext& ctx, ClientConn& conn, const http::Request& req,
                             std::uint64_t req_id, bool force_close, wsgi::Runtime& runtime, const ConnIo& io) {
    auto started = SysClock::now();
    const int fd = conn.fd.get();
    ++conn.requests;
    http::Response resp(req);
    if (force_close) resp.force_close();

    wsgi::Environ env{req,
                      conn.peer_ip,
                      conn.peer_port,
                      conn.listener ? conn.listener->address().host : std::string(),
                      conn.listener ? conn.listener->address().port : std::uint16_t{0},
                      ctx.multithread,
                      /*multiprocess=*/ctx.num_workers > 1,
                      runtime};
    trace::count(trace::CounterId::Requests);
    wsgi::Response app_resp;
    trace::ev::HandlerStart{.conn = conn.id, .req = req_id}.emit();
    try {
        app_resp = ctx.app.call(env);
    } catch (const std::exception& e) {
        // Before any header went out: gunicorn's handle_error → 500, empty message.
        trace::ev::HandlerEnd{.conn = conn.id, .req = req_id, .status = 500, .raised = true}.emit();
        trace::count(trace::CounterId::Errors);
        ctx.log.error("Error handling request {}\n{}", req.uri, e.what());
        write_error_page(fd, http::error_page(500, "Internal Server Error", ""));
        log_access(ctx, req, 500, resp, conn.peer_ip, started);
        return AfterResponse::Close;
    }
    trace::ev::HandlerEnd{.conn = conn.id, .req = req_id, .status = app_resp.status, .raised = false}.emit();
    if (auto bad = resp.start(app_resp.status, app_resp.reason, app_resp.headers)) {
        ctx.log.error("Error handling request {}\n{}", req.uri, bad->message);
        if (bad->sends_response()) write_error_page(fd, http::error_page(*bad));
        return AfterResponse::Close;
    }

    std::uint64_t bytes_out = 0;
    auto send = [&](std::string_view bytes) {
        if (bytes.empty()) return true;
        net::IoResult r = io.send_all(fd, bytes);
        bytes_out += r.bytes;
        if (r.status == net::IoStatus::Ok) return true;
        ctx.log.debug("{}", r.status == net::IoStatus::BrokenPipe ? "Ignoring EPIPE" : "Ignoring connection reset");
        return false;
    };
    // The headers go out with the first body chunk: one send() for a small
    // response instead of two (gunicorn 20.1 sends them separately).
    std::string pending = resp.send_headers();
    bool ok = true;
    trace::ev::WriteStart{.conn = conn.id, .req = req_id}.emit();
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
    trace::ev::WriteDone{.conn = conn.id, .req = req_id, .bytes = bytes_out, .peer_gone = !ok}.emit();
    trace::count(trace::CounterId::BytesOut, bytes_out);
    log_access(ctx, req, resp.status(), resp, conn.peer_ip, started);
    return ok && !resp.should_close() ? AfterResponse::KeepAlive : AfterResponse::Close;
}

}  // namespace minicorn::models
